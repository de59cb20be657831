"""The whole questionnaire as one plan: consent, screening, then contact details.

Pure, like the engine it wraps. The Rasa form asks whatever :func:`next_step` returns and
ends when it returns None. Contact details are not answers to criteria: they are kept
apart (the store keeps them in one table), so the plan takes them separately.

* no consent yet → ``consent``; consent refused → nothing more;
* screening questions in the engine's order, stopping at the first failed criterion;
* likely or possibly eligible → name, phone, e-mail (either may be skipped, not both),
  then whether the hospital may contact them about future studies;
* not eligible → whether they want to hear about future studies, and only if they do,
  how to reach them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trialbot.criteria import Trial
from trialbot.engine import evaluate
from trialbot.verdicts import Answer, Evaluation, Outcome

SKIPPED = "skipped"  # a contact question the candidate chose not to answer


@dataclass(frozen=True)
class Step:
    evaluation: Evaluation
    question_id: str | None

    @property
    def screening_done(self) -> bool:
        return self.evaluation.outcome is not Outcome.INCOMPLETE


def next_step(
    trial: Trial,
    answers: Mapping[str, Answer],
    contact: Mapping[str, str | None],
) -> Step:
    """The evaluation so far and the next question id (None: the conversation is done).

    ``contact`` maps the contact-phase question ids answered so far to their value
    (``SKIPPED`` for a phone or e-mail the candidate skipped).
    """
    evaluation = evaluate(trial, answers)
    outcome = evaluation.outcome
    if outcome in (Outcome.INCOMPLETE, Outcome.DECLINED):
        return Step(evaluation, evaluation.next_question)

    wants_contact = outcome.hands_off or contact.get("future_contact") == "yes"
    order = ["contact_name", "contact_phone", "contact_email", "future_contact"]
    if not outcome.hands_off:
        order = ["future_contact", "contact_name", "contact_phone", "contact_email"]
    for question_id in order:
        if not trial.has_question(question_id) or question_id in contact:
            continue
        if question_id != "future_contact" and not wants_contact:
            continue
        return Step(evaluation, question_id)
    return Step(evaluation, None)


def reachable(contact: Mapping[str, str | None]) -> bool:
    """Whether the contact details give at least one way to reach the candidate."""
    return any(contact.get(q) not in (None, SKIPPED) for q in ("contact_phone", "contact_email"))

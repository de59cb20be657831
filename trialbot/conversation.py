"""The whole questionnaire as one plan: consent, screening, then contact details.

Pure, like the engine it wraps. The interview asks whatever :func:`next_step` returns
and finishes when it returns None. Contact details are not answers to criteria: they
are kept apart (the store keeps them in one table), so the plan takes them separately.
Contact questions are told apart by what they expect, never by their ids:
``name``, ``phone`` and ``email`` are details; a ``yes_no`` one is the opt-in to hear
about future studies.

* no consent yet → the consent question; consent refused → nothing more;
* screening questions in the engine's order, stopping at the first failed criterion;
* likely or possibly eligible → the details (phone or e-mail may be skipped, not both),
  then whether the hospital may contact them about future studies;
* not eligible → whether they want to hear about future studies, and only if they do,
  how to reach them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trialbot.criteria import Question, Trial
from trialbot.engine import evaluate
from trialbot.verdicts import Answer, Evaluation, Outcome

SKIPPED = "skipped"  # a contact question the candidate chose not to answer

# What a contact question asks for, from its answer type.
CONTACT_ROLES = {"name": "name", "phone": "phone", "email": "email", "yes_no": "future_contact"}


def contact_role(question: Question) -> str:
    """``name``, ``phone``, ``email`` or ``future_contact`` for a contact question."""
    return CONTACT_ROLES.get(question.expects, question.expects)


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

    questions = trial.contact_questions
    opt_in = [q for q in questions if contact_role(q) == "future_contact"]
    details = [q for q in questions if contact_role(q) != "future_contact"]
    wants_contact = outcome.hands_off or any(contact.get(q.id) == "yes" for q in opt_in)
    order = details + opt_in if outcome.hands_off else opt_in + details
    for question in order:
        if question.id in contact:
            continue
        if question in details and not wants_contact:
            continue
        return Step(evaluation, question.id)
    return Step(evaluation, None)


def reachable(trial: Trial, contact: Mapping[str, str | None]) -> bool:
    """Whether the contact details give at least one way to reach the candidate."""
    return any(
        contact.get(q.id) not in (None, SKIPPED)
        for q in trial.contact_questions
        if contact_role(q) in ("phone", "email")
    )

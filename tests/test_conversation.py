"""The questionnaire plan: consent, screening in the engine's order, then contact details."""

from __future__ import annotations

from typing import Any

from test_engine import ELIGIBLE, TRIAL, answers

from trialbot.conversation import SKIPPED, next_step, reachable
from trialbot.verdicts import Outcome


def walk(
    values: dict[str, Any], contact_answers: dict[str, str | None]
) -> tuple[list[str], Outcome]:
    """Answers every question the plan asks from the given tables; returns the questions asked."""
    given: dict[str, Any] = {}
    contact: dict[str, str | None] = {}
    asked = []
    for _ in range(30):
        step = next_step(TRIAL, answers(given), contact)
        if step.question_id is None:
            return asked, step.evaluation.outcome
        asked.append(step.question_id)
        if TRIAL.question(step.question_id).phase == "contact":
            contact[step.question_id] = contact_answers[step.question_id]
        else:
            given[step.question_id] = values[step.question_id]
    raise AssertionError(f"the plan did not end: {asked}")


CONTACT = {
    "contact_name": "Jana",
    "contact_phone": "+420601123456",
    "contact_email": SKIPPED,
    "future_contact": "no",
}
SCREENING = ["age", "low_back_pain", "radicular_pain", "pain_duration", "conservative_care",
             "spinal_pathology", "spect_intolerance", "mri", "spect_ct"]  # fmt: skip


def test_an_eligible_candidate_is_asked_for_contact_details_after_the_screening() -> None:
    asked, outcome = walk(ELIGIBLE, CONTACT)
    assert outcome is Outcome.LIKELY_ELIGIBLE
    assert asked == [
        "consent",
        *SCREENING,
        "contact_name",
        "contact_phone",
        "contact_email",
        "future_contact",
    ]


def test_an_ineligible_candidate_who_wants_no_future_contact_gives_no_details() -> None:
    asked, outcome = walk(dict(ELIGIBLE, age=80), CONTACT)
    assert outcome is Outcome.NOT_ELIGIBLE
    assert asked == ["consent", "age", "future_contact"]


def test_an_ineligible_candidate_who_wants_future_contact_is_asked_how_to_reach_them() -> None:
    asked, _ = walk(
        dict(ELIGIBLE, radicular_pain="below_knee"), dict(CONTACT, future_contact="yes")
    )
    assert asked == ["consent", "age", "low_back_pain", "radicular_pain", "future_contact",
                     "contact_name", "contact_phone", "contact_email"]  # fmt: skip


def test_declining_consent_ends_the_conversation() -> None:
    asked, outcome = walk(dict(ELIGIBLE, consent="no"), CONTACT)
    assert (asked, outcome) == (["consent"], Outcome.DECLINED)


def test_reachable_needs_a_phone_or_an_email() -> None:
    assert reachable(TRIAL, {"contact_phone": "+420601123456", "contact_email": SKIPPED})
    assert reachable(TRIAL, {"contact_phone": SKIPPED, "contact_email": "a@example.org"})
    assert not reachable(TRIAL, {"contact_phone": SKIPPED, "contact_email": SKIPPED})
    assert not reachable(TRIAL, {})

"""A candidate's screening: starting, consent, answers and their corrections."""

from __future__ import annotations

from datetime import timezone

import pytest
from store_helpers import CONSENT_VERSION, TRIAL, answer, consented, count, evaluation, rows

from trialbot.answers import Parsed
from trialbot.store import (
    ConsentRequired,
    ScreeningClosed,
    ScreeningNotFound,
    ScreeningStore,
)
from trialbot.store.models import (
    AnswerRow,
    AuditEvent,
    ConsentRecord,
    ContactDetails,
    CriterionResultRow,
    QuestionAsk,
    Screening,
)
from trialbot.verdicts import Outcome, Verdict


def test_start_returns_the_current_screening_per_sender_and_trial(store: ScreeningStore):
    first = store.start("alice", TRIAL, "rest")
    assert store.start("alice", TRIAL, "telegram") == first
    assert store.start("alice", "other_trial", "rest") != first
    assert store.start("bob", TRIAL, "rest") != first
    assert count(store, Screening) == 3


def test_restart_keeps_the_old_screening_and_starts_afresh(store: ScreeningStore):
    old = consented(store, "alice")
    answer(store, "alice", "age", "I'm 40", 40)

    new = store.restart("alice", TRIAL, "rest")

    assert new != old
    assert store.start("alice", TRIAL, "rest") == new
    statuses = {r["id"]: r["status"] for r in rows(store, Screening)}
    assert statuses == {old: "restarted", new: "in_progress"}
    assert store.answers("alice", TRIAL) == {}
    # The old screening's answer is kept, not deleted.
    assert count(store, AnswerRow, AnswerRow.screening_id == old) == 1
    assert store.report("alice", TRIAL)["answers"] == {}


def test_a_correction_supersedes_the_earlier_answer_and_keeps_history(store: ScreeningStore):
    screening = consented(store, "alice")
    answer(
        store,
        "alice",
        "pain_duration",
        "about 8 months I think",
        {"months": 8.0, "bound": "exact"},
        hedged=True,
    )
    answer(store, "alice", "pain_duration", "sorry, 14 months", {"months": 14.0, "bound": "exact"})

    current = store.answers("alice", TRIAL)
    assert current["pain_duration"].text == "sorry, 14 months"
    assert current["pain_duration"].parsed == Parsed(
        understood=True, value={"months": 14.0, "bound": "exact"}, hedged=False
    )
    history = rows(store, AnswerRow, AnswerRow.screening_id == screening)
    assert [h["raw_text"] for h in history] == ["about 8 months I think", "sorry, 14 months"]
    assert history[0]["superseded_at"] is not None
    assert history[0]["hedged"] is True
    assert history[1]["superseded_at"] is None


def test_answers_round_trip_every_kind_of_value(store: ScreeningStore):
    consented(store, "alice")
    values = {
        "age": 52,
        "conservative_care": {"tried": ["physiotherapy", "injections"], "relief": None},
        "mri": {"had": "yes", "findings": ["degenerated_disc", "modic_changes"]},
        "low_back_pain": "yes",
    }
    for question, value in values.items():
        answer(store, "alice", question, f"text for {question}", value, evidence="my words")
    store.record_answer("alice", TRIAL, "spect_ct", "no idea", Parsed.dont_know("no idea"))
    store.record_answer("alice", TRIAL, "radicular_pain", "blue", Parsed.not_understood())

    stored = store.answers("alice", TRIAL)

    assert {q: a.parsed.value for q, a in stored.items() if q in values} == values
    assert stored["age"].parsed.evidence == "my words"
    assert stored["spect_ct"].parsed.is_dont_know
    assert stored["radicular_pain"].parsed.understood is False


def test_no_answer_is_stored_before_consent(store: ScreeningStore):
    store.start("alice", TRIAL, "rest")
    with pytest.raises(ConsentRequired):
        store.record_answer("alice", TRIAL, "age", "40", Parsed(True, 40))
    assert count(store, AnswerRow) == 0


def test_writing_without_a_screening_names_the_sender(store: ScreeningStore):
    with pytest.raises(ScreeningNotFound, match="'nobody'"):
        store.record_answer("nobody", TRIAL, "age", "40", Parsed(True, 40))


def test_declining_consent_stores_nothing_but_the_refusal(store: ScreeningStore):
    store.start("alice", TRIAL, "rest")
    store.record_question_asked("alice", TRIAL, "consent")

    store.record_consent("alice", TRIAL, version=CONSENT_VERSION, agreed=False, channel="rest")

    (screening,) = rows(store, Screening)
    assert (screening["status"], screening["outcome"]) == ("declined", "declined")
    (consent,) = rows(store, ConsentRecord)
    assert (consent["agreed"], consent["consent_version"]) == (False, CONSENT_VERSION)
    for model in (AnswerRow, QuestionAsk, CriterionResultRow, ContactDetails):
        assert count(store, model) == 0, model.__tablename__
    with pytest.raises(ScreeningClosed, match="declined"):
        store.record_answer("alice", TRIAL, "age", "40", Parsed(True, 40))
    with pytest.raises(ScreeningClosed):
        store.record_question_asked("alice", TRIAL, "age")
    with pytest.raises(ScreeningClosed):
        store.save_contact("alice", TRIAL, phone="+420601123456")
    assert count(store, AnswerRow) + count(store, QuestionAsk) + count(store, ContactDetails) == 0
    assert store.report("alice")["outcome"] == "declined"


def test_withdrawing_consent_removes_what_was_stored(store: ScreeningStore):
    consented(store, "alice")
    answer(store, "alice", "age", "40", 40)
    store.save_evaluation("alice", TRIAL, evaluation(Outcome.INCOMPLETE, inc_age=Verdict.PASS))
    store.save_contact("alice", TRIAL, name="Alice Example")

    store.record_consent("alice", TRIAL, version=CONSENT_VERSION, agreed=False, channel="rest")

    for model in (AnswerRow, QuestionAsk, CriterionResultRow, ContactDetails):
        assert count(store, model) == 0, model.__tablename__
    assert [r["agreed"] for r in rows(store, ConsentRecord)] == [True, False]


def test_consent_opens_a_screening_when_none_was_started(store: ScreeningStore):
    store.record_consent("carol", TRIAL, version=CONSENT_VERSION, agreed=True, channel="telegram")
    (screening,) = rows(store, Screening)
    assert (screening["sender_id"], screening["channel"]) == ("carol", "telegram")
    assert screening["consent_version"] == CONSENT_VERSION
    assert [e["action"] for e in rows(store, AuditEvent)] == ["consent.agreed"]


def test_contact_details_live_only_in_contact_details(store: ScreeningStore):
    consented(store, "alice")
    store.save_contact("alice", TRIAL, name="Alice Example", phone="+420601123456")
    store.save_contact("alice", TRIAL, email="alice@example.org", future_contact=True)

    (contact,) = rows(store, ContactDetails)
    assert (contact["name"], contact["phone"], contact["email"], contact["future_contact"]) == (
        "Alice Example",
        "+420601123456",
        "alice@example.org",
        True,
    )
    with pytest.raises(ValueError, match="save_contact"):
        store.record_answer("alice", TRIAL, "contact_phone", "+420601123456", Parsed(True, "x"))
    assert count(store, AnswerRow) == 0


def test_stopping_closes_the_screening(store: ScreeningStore):
    consented(store, "alice")
    store.stop("alice", TRIAL)
    assert [r["status"] for r in rows(store, Screening)] == ["stopped"]
    with pytest.raises(ScreeningClosed, match="stopped"):
        store.record_answer("alice", TRIAL, "age", "40", Parsed(True, 40))
    store.stop("nobody", TRIAL)  # nothing to stop is not an error
    assert count(store, Screening) == 1


def test_times_are_timezone_aware_utc(store: ScreeningStore):
    consented(store, "alice")
    answer(store, "alice", "age", "40", 40)
    (row,) = rows(store, AnswerRow)
    assert row["answered_at"].tzinfo is not None
    assert row["answered_at"].utcoffset() == timezone.utc.utcoffset(None)
    (screening,) = rows(store, Screening)
    assert screening["started_at"] <= row["answered_at"]


def test_erasing_a_sender_removes_all_their_screenings(store: ScreeningStore):
    consented(store, "alice")
    answer(store, "alice", "age", "40", 40)
    store.save_contact("alice", TRIAL, phone="+420601123456")
    store.complete("alice", TRIAL, evaluation(Outcome.LIKELY_ELIGIBLE), notify_channels=["email"])
    consented(store, "bob")

    assert store.erase("alice", actor="dpo@example.org") == 1

    # Alice's screening stays as an anonymous shell (trialbot.store.erasure).
    shell, bob = rows(store, Screening)
    assert shell["sender_id"].startswith("erased:") and shell["erased_at"] is not None
    assert bob["sender_id"] == "bob" and bob["erased_at"] is None
    assert count(store, AnswerRow) + count(store, ContactDetails) == 0
    assert [r["sender_id"] for r in rows(store, ConsentRecord)] == [shell["sender_id"], "bob"]
    assert store.report("alice") is None
    assert store.list_handoffs() == []


def test_red_flags_and_who_answered_are_kept_on_the_screening(store) -> None:
    store.start("flags-1", "spinus2", "rest")
    store.record_consent("flags-1", "spinus2", version="v1", agreed=True, channel="rest")
    store.record_flags("flags-1", "spinus2", red_flags=["bladder_bowel"])
    store.record_flags("flags-1", "spinus2", red_flags=["fever"], answered_by="relative")
    store.record_flags("flags-1", "spinus2", relationship="daughter", call_whom="answerer")
    report = store.report("flags-1")
    assert report["red_flags"] == ["bladder_bowel", "fever"]
    assert report["answered_by"] == "relative"
    assert (report["relationship"], report["call_whom"]) == ("daughter", "answerer")


def test_a_stopped_screening_can_be_resumed(store) -> None:
    store.start("resume-1", "spinus2", "rest")
    store.stop("resume-1", "spinus2")
    store.resume("resume-1", "spinus2")
    with store.transaction():
        store.record_consent("resume-1", "spinus2", version="v1", agreed=True, channel="rest")

"""Completing a screening: the handoff, its notifications, and the report staff read."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select
from store_helpers import TRIAL, answer, consented, count, evaluation, rows

import trialbot.store.audit
from trialbot.answers import Parsed
from trialbot.store import ConsentRequired, ScreeningStore
from trialbot.store.models import (
    AuditEvent,
    CriterionResultRow,
    Handoff,
    HandoffEvent,
    Notification,
    Screening,
)
from trialbot.verdicts import Outcome, Verdict

LIKELY = evaluation(
    Outcome.LIKELY_ELIGIBLE, inc_age=Verdict.PASS, exc_spinal_pathology=Verdict.PASS
)
POSSIBLY = evaluation(Outcome.POSSIBLY_ELIGIBLE, inc_age=Verdict.PASS, inc_mri=Verdict.UNKNOWN)
NOT_ELIGIBLE = evaluation(Outcome.NOT_ELIGIBLE, inc_age=Verdict.FAIL)


def test_likely_eligible_hands_off_with_high_priority_and_queues_notifications(
    store: ScreeningStore,
):
    screening = consented(store, "alice")

    handoff_id = store.complete("alice", TRIAL, LIKELY, notify_channels=["email", "webhook"])

    (handoff,) = rows(store, Handoff)
    assert handoff["id"] == handoff_id
    assert (handoff["screening_id"], handoff["sender_id"], handoff["trial_id"]) == (
        screening,
        "alice",
        TRIAL,
    )
    assert (handoff["priority"], handoff["status"]) == ("high", "new")
    outbox = rows(store, Notification)
    assert [(n["handoff_id"], n["channel"], n["status"], n["attempts"]) for n in outbox] == [
        (handoff_id, "email", "pending", 0),
        (handoff_id, "webhook", "pending", 0),
    ]
    (done,) = rows(store, Screening)
    assert (done["status"], done["outcome"]) == ("completed", "likely_eligible")
    assert done["completed_at"] is not None
    completed = [e for e in rows(store, AuditEvent) if e["action"] == "screening.completed"]
    assert [(e["object_id"], e["details"]) for e in completed] == [
        (str(screening), {"outcome": "likely_eligible", "handoff_id": handoff_id})
    ]
    assert [e["to_status"] for e in rows(store, HandoffEvent)] == ["new"]


def test_possibly_eligible_hands_off_for_review(store: ScreeningStore):
    consented(store, "alice")
    store.complete("alice", TRIAL, POSSIBLY, notify_channels=["email"])
    assert [(h["priority"]) for h in rows(store, Handoff)] == ["review"]
    assert count(store, Notification) == 1


def test_not_eligible_completes_without_a_handoff(store: ScreeningStore):
    consented(store, "alice")
    assert store.complete("alice", TRIAL, NOT_ELIGIBLE, notify_channels=["email"]) is None
    assert count(store, Handoff) == 0
    assert count(store, Notification) == 0
    (done,) = rows(store, Screening)
    assert (done["status"], done["outcome"]) == ("completed", "not_eligible")
    assert {r["criterion_id"]: r["verdict"] for r in rows(store, CriterionResultRow)} == {
        "inc_age": "fail"
    }


def test_completing_twice_hands_off_once(store: ScreeningStore):
    consented(store, "alice")
    first = store.complete("alice", TRIAL, LIKELY, notify_channels=["email", "webhook"])
    again = store.complete("alice", TRIAL, POSSIBLY, notify_channels=["email", "webhook"])
    assert first is not None
    assert again == first
    assert count(store, Handoff) == 1
    assert count(store, Notification) == 2
    assert [h["priority"] for h in rows(store, Handoff)] == ["high"]
    assert [s["outcome"] for s in rows(store, Screening)] == ["likely_eligible"]


def test_a_failure_mid_completion_leaves_nothing_half_written(
    store: ScreeningStore, monkeypatch: pytest.MonkeyPatch
):
    consented(store, "alice")
    store.save_evaluation("alice", TRIAL, evaluation(Outcome.INCOMPLETE, inc_age=Verdict.UNKNOWN))

    def fail_after_writing(session, *args, **kwargs):
        session.flush()  # the handoff and outbox rows have reached the database
        assert session.execute(select(Handoff.id)).scalar_one_or_none() is not None
        raise RuntimeError("disk full")

    monkeypatch.setattr(trialbot.store.audit, "write", fail_after_writing)
    with pytest.raises(RuntimeError, match="disk full"):
        store.complete("alice", TRIAL, LIKELY, notify_channels=["email", "webhook"])
    monkeypatch.undo()

    assert count(store, Handoff) == 0
    assert count(store, Notification) == 0
    assert count(store, HandoffEvent) == 0
    (screening,) = rows(store, Screening)
    assert (screening["status"], screening["outcome"]) == ("in_progress", "incomplete")
    assert {r["criterion_id"]: r["verdict"] for r in rows(store, CriterionResultRow)} == {
        "inc_age": "unknown"
    }
    # And completing again afterwards works.
    assert store.complete("alice", TRIAL, LIKELY, notify_channels=["email"]) is not None
    assert count(store, Handoff) == 1


def test_an_unknown_notify_channel_is_refused_before_anything_is_stored(store: ScreeningStore):
    consented(store, "alice")
    with pytest.raises(ValueError, match="sms"):
        store.complete("alice", TRIAL, LIKELY, notify_channels=["email", "sms"])
    assert count(store, Handoff) == 0
    assert [s["status"] for s in rows(store, Screening)] == ["in_progress"]


def test_completing_without_consent_is_refused(store: ScreeningStore):
    store.start("alice", TRIAL, "rest")
    with pytest.raises(ConsentRequired):
        store.complete("alice", TRIAL, LIKELY, notify_channels=["email"])
    assert count(store, Handoff) == 0


def test_save_evaluation_replaces_the_criterion_results(store: ScreeningStore):
    consented(store, "alice")
    store.save_evaluation(
        "alice",
        TRIAL,
        evaluation(Outcome.INCOMPLETE, inc_age=Verdict.UNKNOWN, inc_mri=Verdict.UNKNOWN),
    )
    store.save_evaluation("alice", TRIAL, evaluation(Outcome.NOT_ELIGIBLE, inc_age=Verdict.FAIL))
    results = rows(store, CriterionResultRow)
    assert [(r["criterion_id"], r["verdict"], r["reason"], r["evidence"]) for r in results] == [
        ("inc_age", "fail", "inc_age is fail", ["words for inc_age"])
    ]
    assert [s["outcome"] for s in rows(store, Screening)] == ["not_eligible"]


def test_report_is_the_json_staff_and_the_cli_read(store: ScreeningStore):
    consented(store, "alice")
    answer(store, "alice", "age", "I am 52", 52)
    store.record_question_asked("alice", TRIAL, "pain_duration")
    store.record_question_asked("alice", TRIAL, "pain_duration", attempt=2)
    store.record_answer(
        "alice",
        TRIAL,
        "pain_duration",
        "maybe a year?",
        Parsed(True, {"months": 12.0, "bound": "exact"}, hedged=True),
    )
    answer(store, "alice", "age", "sorry, 53", 53)
    handoff_id = store.complete("alice", TRIAL, POSSIBLY, notify_channels=["email"])

    report = store.report("alice")

    assert report is not None
    assert json.loads(json.dumps(report)) == report
    assert set(report) == {
        "sender_id",
        "trial",
        "outcome",
        "criteria",
        "answers",
        "questions_asked",
        "red_flags",
        "answered_by",
        "relationship",
        "call_whom",
        "handoff",
    }
    assert (report["sender_id"], report["trial"], report["outcome"]) == (
        "alice",
        TRIAL,
        "possibly_eligible",
    )
    assert report["criteria"] == {"inc_age": "pass", "inc_mri": "unknown"}
    assert report["questions_asked"] == ["age", "pain_duration"]
    assert (report["red_flags"], report["answered_by"]) == ([], None)
    assert (report["relationship"], report["call_whom"]) == (None, None)
    assert set(report["answers"]) == {"age", "pain_duration"}
    age = report["answers"]["age"]
    assert {k: v for k, v in age.items() if k != "answered_at"} == {
        "text": "sorry, 53",
        "value": 53,
        "hedged": False,
        "understood": True,
    }
    assert age["answered_at"].endswith("+00:00")
    assert report["answers"]["pain_duration"]["hedged"] is True
    handoff = report["handoff"]
    assert {k: v for k, v in handoff.items() if k != "created_at"} == {
        "id": handoff_id,
        "priority": "review",
        "status": "new",
    }


def test_report_picks_the_latest_screening_or_the_given_trial(store: ScreeningStore):
    consented(store, "alice", trial="other_trial")
    consented(store, "alice")
    store.record_consent("bob", TRIAL, version="v", agreed=False, channel="rest")

    assert store.report("alice")["trial"] == TRIAL
    assert store.report("alice", "other_trial")["trial"] == "other_trial"
    assert store.report("alice", "no_such_trial") is None
    assert store.report("nobody") is None
    assert store.report("bob")["handoff"] is None

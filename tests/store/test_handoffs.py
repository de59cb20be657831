"""What the triage app does with handoffs: list, open, move along the workflow, count."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update
from store_helpers import TRIAL, answer, consented, count, evaluation, rows

from trialbot.store import HandoffStatus, InvalidTransition, ScreeningStore
from trialbot.store.handoffs import HandoffNotFound
from trialbot.store.models import AuditEvent, Handoff, HandoffEvent
from trialbot.verdicts import Outcome, Priority, Verdict

STATUSES = ["new", "contacted", "scheduled", "enrolled", "not_enrolled", "unreachable"]
# The workflow as the study team described it.
ALLOWED = {
    ("new", "contacted"),
    ("contacted", "scheduled"),
    ("contacted", "unreachable"),
    ("contacted", "not_enrolled"),
    ("scheduled", "enrolled"),
    ("scheduled", "not_enrolled"),
    ("scheduled", "unreachable"),
}
PATH_TO = {
    "new": [],
    "contacted": ["contacted"],
    "scheduled": ["contacted", "scheduled"],
    "enrolled": ["contacted", "scheduled", "enrolled"],
    "not_enrolled": ["contacted", "not_enrolled"],
    "unreachable": ["contacted", "unreachable"],
}


def handed_off(store: ScreeningStore, sender: str, outcome=Outcome.LIKELY_ELIGIBLE, trial=TRIAL):
    store.start(sender, trial, "rest")
    store.record_consent(sender, trial, version="v1", agreed=True, channel="rest")
    handoff_id = store.complete(
        sender, trial, evaluation(outcome, inc_age=Verdict.PASS), notify_channels=["email"]
    )
    assert handoff_id is not None
    return handoff_id


def set_created_at(store: ScreeningStore, handoff_id: int, created_at: datetime) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            update(Handoff).where(Handoff.id == handoff_id).values(created_at=created_at)
        )


def test_a_handoff_goes_through_the_workflow_with_history_and_audit(store: ScreeningStore):
    handoff_id = handed_off(store, "alice")

    store.change_status(handoff_id, "contacted", "phoned, interested", "nurse@example.org")
    store.change_status(handoff_id, HandoffStatus.SCHEDULED, "visit on Monday", "nurse@example.org")
    summary = store.change_status(handoff_id, "enrolled", "signed consent", "doctor@example.org")

    assert summary.status is HandoffStatus.ENROLLED
    events = rows(store, HandoffEvent, HandoffEvent.handoff_id == handoff_id)
    assert [(e["from_status"], e["to_status"], e["note"], e["actor"]) for e in events] == [
        (None, "new", "", "trialbot"),
        ("new", "contacted", "phoned, interested", "nurse@example.org"),
        ("contacted", "scheduled", "visit on Monday", "nurse@example.org"),
        ("scheduled", "enrolled", "signed consent", "doctor@example.org"),
    ]
    audits = rows(store, AuditEvent, AuditEvent.action == "handoff.status_changed")
    assert [(a["actor"], a["object_id"], a["details"]["to"]) for a in audits] == [
        ("nurse@example.org", str(handoff_id), "contacted"),
        ("nurse@example.org", str(handoff_id), "scheduled"),
        ("doctor@example.org", str(handoff_id), "enrolled"),
    ]


@pytest.mark.parametrize("from_status", STATUSES)
@pytest.mark.parametrize("to_status", STATUSES)
def test_only_the_workflow_s_transitions_are_allowed(
    store: ScreeningStore, from_status: str, to_status: str
):
    handoff_id = handed_off(store, "alice")
    for step in PATH_TO[from_status]:
        store.change_status(handoff_id, step, "", "nurse")
    events_before = count(store, HandoffEvent)
    audits_before = count(store, AuditEvent)

    if (from_status, to_status) in ALLOWED:
        store.change_status(handoff_id, to_status, "", "nurse")
        assert [h["status"] for h in rows(store, Handoff)] == [to_status]
        assert count(store, HandoffEvent) == events_before + 1
        assert count(store, AuditEvent) == audits_before + 1
    else:
        with pytest.raises(InvalidTransition, match=f"from {from_status} to {to_status}"):
            store.change_status(handoff_id, to_status, "", "nurse")
        assert [h["status"] for h in rows(store, Handoff)] == [from_status]
        assert count(store, HandoffEvent) == events_before
        assert count(store, AuditEvent) == audits_before


def test_changing_an_unknown_handoff_or_to_an_unknown_status_fails(store: ScreeningStore):
    handoff_id = handed_off(store, "alice")
    with pytest.raises(HandoffNotFound):
        store.change_status(handoff_id + 1, "contacted", "", "nurse")
    with pytest.raises(ValueError):
        store.change_status(handoff_id, "lost", "", "nurse")
    assert [h["status"] for h in rows(store, Handoff)] == ["new"]


def test_notes_join_the_history_without_changing_the_status(store: ScreeningStore):
    handoff_id = handed_off(store, "alice")
    store.add_note(handoff_id, "no answer, try tomorrow", "nurse")
    detail = store.get_handoff(handoff_id)
    assert detail is not None
    assert detail.summary.status is HandoffStatus.NEW
    assert [(h.from_status, h.to_status, h.note) for h in detail.history][-1] == (
        "new",
        "new",
        "no answer, try tomorrow",
    )
    assert [a["action"] for a in rows(store, AuditEvent)][-1] == "handoff.noted"


def test_the_list_puts_high_priority_first_then_the_oldest(store: ScreeningStore):
    now = datetime.now(timezone.utc)
    review_old = handed_off(store, "r_old", Outcome.POSSIBLY_ELIGIBLE)
    high_new = handed_off(store, "h_new")
    high_old = handed_off(store, "h_old")
    other_trial = handed_off(store, "x", trial="other_trial")
    set_created_at(store, review_old, now - timedelta(days=9))
    set_created_at(store, high_new, now - timedelta(days=1))
    set_created_at(store, high_old, now - timedelta(days=3))
    set_created_at(store, other_trial, now - timedelta(days=2))
    store.change_status(high_old, "contacted", "", "nurse")

    assert [h.id for h in store.list_handoffs()] == [high_old, other_trial, high_new, review_old]
    assert [h.id for h in store.list_handoffs(trial_id=TRIAL)] == [high_old, high_new, review_old]
    assert [h.id for h in store.list_handoffs(status="new", trial_id=TRIAL)] == [
        high_new,
        review_old,
    ]
    first = store.list_handoffs()[0]
    assert (first.priority, first.status, first.outcome) == (
        Priority.HIGH,
        HandoffStatus.CONTACTED,
        "likely_eligible",
    )
    assert store.status_counts() == {
        "new": 3,
        "contacted": 1,
        "scheduled": 0,
        "enrolled": 0,
        "not_enrolled": 0,
        "unreachable": 0,
        "call_attempted": 0,
    }
    assert store.status_counts(trial_id="other_trial")["new"] == 1


def test_the_detail_shows_contact_results_answers_and_history(store: ScreeningStore):
    consented(store, "alice")
    answer(store, "alice", "age", "I'm 52", 52)
    store.save_contact("alice", TRIAL, name="Alice Example", phone="+420601123456")
    handoff_id = store.complete(
        "alice",
        TRIAL,
        evaluation(Outcome.POSSIBLY_ELIGIBLE, inc_age=Verdict.PASS, inc_mri=Verdict.UNKNOWN),
        notify_channels=["email"],
    )
    assert handoff_id is not None

    detail = store.get_handoff(handoff_id, viewer="nurse@example.org")

    assert detail is not None
    assert detail.id == handoff_id
    assert detail.summary.name == "Alice Example"
    assert detail.contact is not None
    assert (detail.contact.name, detail.contact.phone, detail.contact.email) == (
        "Alice Example",
        "+420601123456",
        None,
    )
    assert detail.summary.outcome == "possibly_eligible"
    assert [(c.criterion_id, c.verdict, c.reason, c.evidence) for c in detail.criteria] == [
        ("inc_age", "pass", "inc_age is pass", ("words for inc_age",)),
        ("inc_mri", "unknown", "inc_mri is unknown", ("words for inc_mri",)),
    ]
    assert [(a.question_id, a.text, a.value) for a in detail.answers] == [("age", "I'm 52", 52)]
    assert [h.to_status for h in detail.history] == ["new"]
    viewed = rows(store, AuditEvent, AuditEvent.action == "handoff.viewed")
    assert [(v["actor"], v["object_id"]) for v in viewed] == [
        ("nurse@example.org", str(handoff_id))
    ]
    assert store.get_handoff(handoff_id + 100) is None


def test_funnel_counts_each_step_once_per_candidate(store: ScreeningStore):
    # alice: restarted, then completed likely eligible and enrolled.
    consented(store, "alice")
    answer(store, "alice", "age", "40", 40)
    store.restart("alice", TRIAL, "rest")
    store.record_consent("alice", TRIAL, version="v1", agreed=True, channel="rest")
    answer(store, "alice", "age", "40", 40)
    answer(store, "alice", "age", "41, sorry", 41)
    answer(store, "alice", "low_back_pain", "yes", "yes")
    alice = store.complete(
        "alice", TRIAL, evaluation(Outcome.LIKELY_ELIGIBLE), notify_channels=["email"]
    )
    for step in ("contacted", "scheduled", "enrolled"):
        store.change_status(alice, step, "", "nurse")
    # bob: not eligible; carol: declined; dave: still answering; erin: other trial.
    consented(store, "bob")
    answer(store, "bob", "age", "17", 17)
    store.complete("bob", TRIAL, evaluation(Outcome.NOT_ELIGIBLE), notify_channels=["email"])
    store.record_consent("carol", TRIAL, version="v1", agreed=False, channel="rest")
    store.start("dave", TRIAL, "rest")
    handed_off(store, "erin", trial="other_trial")

    funnel = store.funnel(TRIAL)

    assert funnel.started == 4
    assert funnel.consented == 2
    assert funnel.answered == {"age": 2, "low_back_pain": 1}
    assert funnel.completed == 2
    assert funnel.outcomes == {
        "likely_eligible": 1,
        "possibly_eligible": 0,
        "not_eligible": 1,
        "declined": 1,
        "incomplete": 0,
    }
    assert (funnel.handed_off, funnel.enrolled) == (1, 1)

"""The worklist's store queries on SQLite and PostgreSQL: filters, assignment, call
attempts with their follow-up dates (fixed clock, Prague time, DST), erased handoffs left
out, and the funnel's counts."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update
from store_helpers import TRIAL, answer, consented, evaluation

from trialbot.store import HandoffStatus, InvalidTransition, ScreeningStore
from trialbot.store.erasure import erase_candidate
from trialbot.store.handoffs import next_steps
from trialbot.store.models import AuditEvent, Handoff
from trialbot.verdicts import Outcome, Verdict

PRAGUE = ZoneInfo("Europe/Prague")


def handed_off(
    store: ScreeningStore,
    sender: str,
    outcome: Outcome = Outcome.LIKELY_ELIGIBLE,
    *,
    name: str = "Jana Novak",
    phone: str = "+420 601 123 456",
    channel: str = "rest",
    **verdicts: Verdict,
) -> int:
    store.start(sender, TRIAL, channel)
    store.record_consent(sender, TRIAL, version="v1", agreed=True, channel=channel)
    answer(store, sender, "age", "I am 61", 61)
    answer(store, sender, "pain_duration", "about 2 years", {"months": 24, "bound": "exact"})
    store.save_contact(sender, TRIAL, name=name, phone=phone, email=f"{sender}@example.org")
    verdicts = verdicts or {"inc_age": Verdict.PASS}
    handoff_id = store.complete(sender, TRIAL, evaluation(outcome, **verdicts), notify_channels=[])
    assert handoff_id is not None
    return handoff_id


def set_created(store: ScreeningStore, handoff_id: int, moment: datetime) -> None:
    with store.engine.begin() as connection:
        connection.execute(
            update(Handoff).where(Handoff.id == handoff_id).values(created_at=moment)
        )


def test_work_items_carry_contacts_verdicts_answers_and_filter_in_sql(store: ScreeningStore):
    first = handed_off(
        store, "a", name="Antonín Dvořák", inc_age=Verdict.PASS, inc_mri=Verdict.UNKNOWN
    )
    second = handed_off(store, "b", Outcome.POSSIBLY_ELIGIBLE)
    store.change_status(second, "contacted", "rang", "nurse@example.org")
    store.assign(first, "nurse@example.org", "nurse@example.org")
    set_created(store, first, datetime(2026, 3, 2, 9, tzinfo=timezone.utc))
    set_created(store, second, datetime(2026, 3, 20, 9, tzinfo=timezone.utc))

    items = {i.summary.id: i for i in store.work_items(questions=["age", "pain_duration"])}
    assert set(items) == {first, second}
    item = items[first]
    assert item.contact is not None and item.contact.name == "Antonín Dvořák"
    assert item.contact.phone == "+420 601 123 456"
    assert item.verdicts == {"inc_age": "pass", "inc_mri": "unknown"}
    assert item.values == {"age": 61, "pain_duration": {"months": 24, "bound": "exact"}}
    assert item.summary.assignee == "nurse@example.org"

    def ids(**kw):
        return sorted(i.summary.id for i in store.work_items(**kw))

    assert ids(statuses=["contacted"]) == [second]
    assert ids(statuses=["new", "call_attempted"]) == [first]
    assert ids(assignee="nurse@example.org") == [first]
    assert ids(assignee="") == [second]
    assert ids(created_from=datetime(2026, 3, 10, tzinfo=timezone.utc)) == [second]
    assert ids(created_before=datetime(2026, 3, 10, tzinfo=timezone.utc)) == [first]
    assert ids(trial_id="other") == []
    assert store.assignees() == ["nurse@example.org"]
    assigned = [e.details for e in store_rows(store, AuditEvent.action == "handoff.assigned")]
    assert assigned == [{"from": None, "to": "nurse@example.org"}]


def store_rows(store: ScreeningStore, *where):
    with store.engine.connect() as connection:
        return list(connection.execute(select(AuditEvent).where(*where)))


def test_the_last_note_is_the_newest_staff_note(store: ScreeningStore):
    handoff = handed_off(store, "a")
    store.add_note(handoff, "first", "n@x.org")
    store.add_note(handoff, "second", "n@x.org")
    [item] = store.work_items(last_notes=True)
    assert item.last_note == "second"
    [item] = store.work_items()
    assert item.last_note is None


def test_a_call_attempt_counts_and_proposes_business_days_in_the_site_time_zone(
    store: ScreeningStore,
):
    handoff = handed_off(store, "a")
    # Thursday 26 March 2026, 23:30 UTC is already Friday 00:30 in Prague (CET, +1):
    # the next business day is Monday 30 March, not Friday 27 as in UTC.
    thursday_night = datetime(2026, 3, 26, 23, 30, tzinfo=timezone.utc)
    summary = store.change_status(
        handoff, "call_attempted", "no answer", "n@x.org", at=thursday_night, zone=PRAGUE
    )
    assert (summary.status, summary.attempts) == (HandoffStatus.CALL_ATTEMPTED, 1)
    assert summary.follow_up_on == date(2026, 3, 30)
    assert summary.last_contact_at == thursday_night
    # The second attempt, Monday 30 March 21:30 UTC: 23:30 in Prague, summer time (+2)
    # since Sunday. Two business days later is Wednesday 1 April.
    monday = datetime(2026, 3, 30, 21, 30, tzinfo=timezone.utc)
    summary = store.change_status(
        handoff, "call_attempted", "no answer", "n@x.org", at=monday, zone=PRAGUE
    )
    assert (summary.attempts, summary.follow_up_on) == (2, date(2026, 4, 1))
    # 22:30 UTC that Monday is Tuesday 00:30 in Prague: the count starts from Tuesday.
    summary = store.change_status(
        handoff,
        "call_attempted",
        "no answer",
        "n@x.org",
        at=monday + timedelta(hours=1),
        zone=PRAGUE,
    )
    assert (summary.attempts, summary.follow_up_on) == (3, date(2026, 4, 3))
    # Staff may choose the date; reaching the candidate clears it.
    summary = store.change_status(
        handoff, "call_attempted", "", "n@x.org", follow_up_on=date(2026, 4, 7), zone=PRAGUE
    )
    assert (summary.attempts, summary.follow_up_on) == (4, date(2026, 4, 7))
    assert next_steps(summary.status, summary.attempts)[0] is HandoffStatus.UNREACHABLE
    summary = store.change_status(handoff, "contacted", "got her", "n@x.org")
    assert (summary.attempts, summary.follow_up_on) == (4, None)
    detail = store.get_handoff(handoff)
    attempts = [e.attempt for e in detail.history]
    assert sorted(a for a in attempts if a) == [1, 2, 3, 4] and attempts.count(None) == 2
    changes = [e.details for e in store_rows(store, AuditEvent.action == "handoff.status_changed")]
    assert changes[0]["attempt"] == 1 and changes[0]["follow_up_on"] == "2026-03-30"


def test_the_status_menu_offers_the_next_sensible_steps_first():
    assert [s.value for s in next_steps(HandoffStatus.NEW)] == ["contacted", "call_attempted"]
    assert [s.value for s in next_steps(HandoffStatus.CONTACTED)] == [
        "scheduled",
        "not_enrolled",
        "call_attempted",
        "unreachable",
    ]
    assert [s.value for s in next_steps(HandoffStatus.CALL_ATTEMPTED, 1)][0] == "contacted"
    assert [s.value for s in next_steps(HandoffStatus.SCHEDULED)][0] == "enrolled"
    assert next_steps(HandoffStatus.ENROLLED) == []


def test_a_call_attempt_only_where_the_workflow_allows_it(store: ScreeningStore):
    handoff = handed_off(store, "a")
    store.change_status(handoff, "contacted", "x", "n")
    store.change_status(handoff, "scheduled", "x", "n")
    with pytest.raises(InvalidTransition):
        store.change_status(handoff, "call_attempted", "x", "n")
    assert store.get_handoff(handoff).summary.attempts == 0


def test_planning_a_call_and_erasure_clears_the_best_time(store: ScreeningStore):
    handoff = handed_off(store, "a")
    summary = store.plan_call(
        handoff, "n@x.org", follow_up_on=date(2026, 5, 4), call_time="after 5 pm"
    )
    assert summary.follow_up_on == date(2026, 5, 4)
    assert store.get_handoff(handoff).call_time == "after 5 pm"
    erase_candidate(store, "a", actor="dpo", erase_tracker=False)
    assert store.work_items() == []
    with store.engine.connect() as connection:
        assert connection.execute(select(Handoff.call_time)).scalar_one() is None


def test_erased_handoffs_stay_out_of_the_worklist_but_in_the_funnel(store: ScreeningStore):
    kept = handed_off(store, "kept")
    handed_off(store, "gone")
    erase_candidate(store, "gone", actor="dpo", erase_tracker=False)
    assert [i.summary.id for i in store.work_items()] == [kept]
    funnel = store.funnel(TRIAL)
    assert (funnel.started, funnel.consented, funnel.completed, funnel.handed_off) == (2, 2, 2, 2)


def test_the_funnel_counts_who_reached_each_step_and_why_the_others_did_not(
    store: ScreeningStore,
):
    # Two handed off (one later contacted, scheduled and enrolled), via two channels.
    enrolled = handed_off(store, "e1", channel="telegram")
    for step in ("contacted", "scheduled", "enrolled"):
        store.change_status(enrolled, step, "", "n")
    attempted = handed_off(store, "e2")
    store.change_status(attempted, "call_attempted", "", "n")
    # Screened out: one by age, one by age and MRI.
    for sender, failed in (("s1", ["inc_age"]), ("s2", ["inc_age", "inc_mri_degeneration"])):
        consented(store, sender)
        store.complete(
            sender,
            TRIAL,
            evaluation(Outcome.NOT_ELIGIBLE, **{c: Verdict.FAIL for c in failed}),
            notify_channels=[],
        )
    # Finished with too many unknowns.
    consented(store, "u1")
    store.complete("u1", TRIAL, evaluation(Outcome.INCOMPLETE), notify_channels=[])
    # Stopped: two at the MRI question, one right after consent (nothing asked).
    for sender in ("m1", "m2"):
        consented(store, sender)
        store.record_question_asked(sender, TRIAL, "age")
        answer(store, sender, "age", "50", 50)
        store.record_question_asked(sender, TRIAL, "mri")
    store.stop("m2", TRIAL)
    consented(store, "q1")
    # Declined, and one who never answered the consent question.
    store.record_consent("d1", TRIAL, version="v1", agreed=False, channel="rest")
    store.start("n1", TRIAL, "telegram")

    funnel = store.funnel(TRIAL)

    assert funnel.steps == [
        ("Conversations started", 10),
        ("Consented", 8),
        ("Finished the questions", 5),
        ("Handed off (likely or possibly eligible)", 2),
        ("Contacted", 1),
        ("Scheduled", 1),
        ("Enrolled", 1),
    ]
    assert funnel.stopped_at == {"mri": 2, "": 1}
    assert funnel.screen_outs == {"inc_age": 2, "inc_mri_degeneration": 1}
    assert (funnel.screened_out, funnel.incomplete, funnel.declined, funnel.not_consented) == (
        2,
        1,
        1,
        1,
    )
    accounted = (
        funnel.declined
        + funnel.not_consented
        + funnel.unfinished
        + funnel.screened_out
        + funnel.incomplete
        + funnel.handed_off
    )
    assert accounted == funnel.started
    telegram = store.funnel(TRIAL, channel="telegram")
    assert (telegram.started, telegram.handed_off, telegram.enrolled) == (2, 1, 1)
    assert store.funnel(TRIAL, channel="rest").started == 8


def test_the_funnel_date_range_counts_who_started_in_it(store: ScreeningStore):
    from trialbot.store.models import Screening

    handed_off(store, "march")
    handed_off(store, "april")
    with store.engine.begin() as connection:
        for sender, moment in (
            # 31 March 22:30 UTC is 1 April 00:30 in Prague (summer time).
            ("march", datetime(2026, 3, 31, 21, 30, tzinfo=timezone.utc)),
            ("april", datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc)),
        ):
            connection.execute(
                update(Screening).where(Screening.sender_id == sender).values(started_at=moment)
            )
    april_first = datetime(2026, 4, 1, tzinfo=PRAGUE)
    assert store.funnel(TRIAL, started_from=april_first).started == 1
    assert store.funnel(TRIAL, started_before=april_first).started == 1
    assert store.funnel(TRIAL).started == 2

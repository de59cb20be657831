"""Retention: each category is kept just inside its period and erased just outside it,
with a moved clock (``purge(store, now, ...)``), on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from store_helpers import TRIAL, answer, consented, evaluation, rows

from trialbot.retention import RetentionPeriods, purge
from trialbot.store import ScreeningStore
from trialbot.store.models import AnswerRow, ContactDetails, Handoff, HandoffEvent, Screening
from trialbot.verdicts import Outcome, Verdict

MINUTE = timedelta(minutes=1)
PERIODS = RetentionPeriods()


@pytest.fixture(autouse=True)
def audit_salt_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALBOT_AUDIT_SALT", "test-salt")


@pytest.fixture
def tracker(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def screening(store: ScreeningStore, sender: str) -> dict:
    (row,) = [r for r in rows(store, Screening) if r["sender_id"] == sender]
    return row


def purged(store: ScreeningStore, now: datetime, tracker: str, *, dry_run: bool = False):
    return purge(store, now, dry_run=dry_run, tracker_url=tracker, periods=PERIODS)


def incomplete(store: ScreeningStore, sender: str) -> None:
    consented(store, sender)
    answer(store, sender, "age", "I am 52", 52)


def not_eligible(store: ScreeningStore, sender: str) -> None:
    incomplete(store, sender)
    result = evaluation(Outcome.NOT_ELIGIBLE, inc_age=Verdict.FAIL)
    store.complete(sender, TRIAL, result, notify_channels=[])


def handed_off(store: ScreeningStore, sender: str) -> int:
    incomplete(store, sender)
    result = evaluation(Outcome.LIKELY_ELIGIBLE, inc_age=Verdict.PASS)
    handoff = store.complete(sender, TRIAL, result, notify_channels=["email"])
    assert handoff is not None
    return handoff


@pytest.mark.parametrize(
    ("make", "period"),
    [(incomplete, PERIODS.incomplete), (not_eligible, PERIODS.not_eligible)],
    ids=["incomplete", "not_eligible"],
)
def test_screenings_are_kept_for_their_period_after_the_last_activity(
    store: ScreeningStore, tracker: str, make, period: timedelta
) -> None:
    make(store, "alice")
    last = screening(store, "alice")["updated_at"]
    category = make.__name__

    inside = purged(store, last + period - MINUTE, tracker)
    assert inside.total == 0 and store.report("alice") is not None

    dry = purged(store, last + period + MINUTE, tracker, dry_run=True)
    assert dry.counts[category] == 1 and store.report("alice") is not None

    outside = purged(store, last + period + MINUTE, tracker)
    assert outside.counts == {**dict.fromkeys(outside.counts, 0), category: 1}
    assert store.report("alice") is None and rows(store, AnswerRow) == []
    # The next run has nothing left to do: the shell is never purged.
    assert purged(store, last + 10 * period, tracker).total == 0


def test_a_declined_screening_keeps_only_the_fact_of_declining(
    store: ScreeningStore, tracker: str
) -> None:
    store.start("bob", TRIAL, "rest")
    store.record_consent("bob", TRIAL, version="v1", agreed=False, channel="rest")
    declined_at = screening(store, "bob")["updated_at"]
    assert purged(store, declined_at - MINUTE, tracker).total == 0

    report = purged(store, declined_at, tracker)

    assert report.counts["declined"] == 1
    shell = rows(store, Screening)[0]
    assert shell["status"] == "declined" and shell["sender_id"] == f"erased:{shell['id']}"


def test_a_handoff_is_kept_while_open_and_for_its_period_after_it_is_closed(
    store: ScreeningStore, tracker: str
) -> None:
    handoff = handed_off(store, "carol")
    years_later = screening(store, "carol")["updated_at"] + timedelta(days=3650)
    assert purged(store, years_later, tracker).total == 0  # open: staff are on it

    store.change_status(handoff, "contacted", "called", "staff@example.org")
    store.change_status(handoff, "unreachable", "no answer three times", "staff@example.org")
    store.add_note(handoff, "a later note does not reopen it", "staff@example.org")
    (closed,) = [e["at"] for e in rows(store, HandoffEvent) if e["to_status"] == "unreachable"][:1]
    assert purged(store, closed + PERIODS.handoff - MINUTE, tracker).total == 0

    report = purged(store, closed + PERIODS.handoff + MINUTE, tracker)

    assert report.counts["handoff"] == 1 and store.report("carol") is None
    assert [h["status"] for h in rows(store, Handoff)] == ["unreachable"]


def test_a_future_contact_opt_in_is_kept_two_years_unless_withdrawn(
    store: ScreeningStore, tracker: str
) -> None:
    not_eligible(store, "dora")
    store.save_contact("dora", TRIAL, email="dora@example.org", future_contact=True)
    opted_in = rows(store, ContactDetails)[0]["updated_at"]
    last = screening(store, "dora")["updated_at"]
    assert purged(store, last + PERIODS.not_eligible + MINUTE, tracker).total == 0
    assert purged(store, opted_in + PERIODS.future_contact - MINUTE, tracker).total == 0

    report = purged(store, opted_in + PERIODS.future_contact + MINUTE, tracker)
    assert report.counts["future_contact"] == 1 and rows(store, ContactDetails) == []

    not_eligible(store, "emil")
    store.save_contact("emil", TRIAL, future_contact=True)
    store.save_contact("emil", TRIAL, future_contact=False)  # withdrawn
    last = screening(store, "emil")["updated_at"]
    report = purged(store, last + PERIODS.not_eligible + MINUTE, tracker)
    assert report.counts["not_eligible"] == 1


def test_a_candidate_is_kept_while_any_of_their_screenings_is(
    store: ScreeningStore, tracker: str
) -> None:
    incomplete(store, "fred")
    store.restart("fred", TRIAL, "rest")
    store.record_consent("fred", TRIAL, version="v1", agreed=True, channel="rest")
    old, latest = rows(store, Screening)
    with store.engine.begin() as connection:  # the first screening went quiet long ago
        connection.execute(
            update(Screening)
            .where(Screening.id == old["id"])
            .values(updated_at=old["updated_at"] - timedelta(days=60))
        )
    assert purged(store, latest["updated_at"] + PERIODS.incomplete - MINUTE, tracker).total == 0

    report = purged(store, latest["updated_at"] + PERIODS.incomplete + MINUTE, tracker)

    assert report.counts["incomplete"] == 1
    assert all(r["erased_at"] is not None for r in rows(store, Screening))


def test_conversations_without_a_screening_and_tracker_rows_are_purged(
    store: ScreeningStore, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    connection = sqlite3.connect(tmp_path / "tracker.db")
    with connection:
        connection.execute(
            "CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL,"
            " type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255),"
            " action_name VARCHAR(255), data TEXT)"
        )
        for sender, text in (("greeter", "hi there"), ("gina", "I am 52")):
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (sender, "user", 1_700_000_000, json.dumps({"event": "user", "text": text})),
            )
    connection.close()
    incomplete(store, "gina")
    last = screening(store, "gina")["updated_at"]

    report = purge(
        store, last + PERIODS.incomplete + MINUTE, dry_run=False, tracker_url=url, periods=PERIODS
    )

    assert report.counts["conversation"] == 1 and report.counts["incomplete"] == 1
    connection = sqlite3.connect(tmp_path / "tracker.db")
    assert connection.execute("SELECT count(*) FROM events").fetchone() == (0,)
    connection.close()


def test_periods_come_from_the_environment() -> None:
    periods = RetentionPeriods.from_env(
        {"TRIALBOT_RETENTION_INCOMPLETE_DAYS": "7", "TRIALBOT_RETENTION_HANDOFF_DAYS": ""}
    )
    assert periods.incomplete == timedelta(days=7) and periods.handoff == timedelta(days=90)
    with pytest.raises(ValueError):
        RetentionPeriods.from_env({"TRIALBOT_RETENTION_DECLINED_DAYS": "-1"})

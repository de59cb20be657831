"""Erasing a candidate everywhere: a marker written into every free-text field of a whole
conversation is found nowhere in either database afterwards (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import random
import string
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import sqlalchemy
from interview_helpers import ELIGIBLE, TRIAL
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
from sqlalchemy import func, inspect, select

from actions.interview import apply
from trialbot.interview import Incoming, turn
from trialbot.store import ScreeningStore
from trialbot.store.erasure import ERASED_TEXT, erase_candidate, sender_hash
from trialbot.store.models import AuditEvent, Handoff, Notification, Screening

TODAY = date(2026, 12, 1)
SLOTS = {
    "interview": {"type": "any", "mappings": []},
    "answer": {"type": "any", "mappings": []},
}


def new_marker() -> str:
    """Letters only, so that it fits a name and an e-mail address too."""
    return "Zq" + "".join(random.choices(string.ascii_lowercase, k=12))


@pytest.fixture(autouse=True)
def audit_salt_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALBOT_AUDIT_SALT", "test-salt")


@pytest.fixture
def tracker_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """Rasa's tracker database beside the store: another SQLite file or PostgreSQL schema."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"
        return
    base = database_url.split("?", 1)[0]
    schema = f"tracker_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(base, future=True)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    try:
        yield f"{base}?options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


class Conversation:
    """One candidate: the real interview, its store operations applied to the real store
    (as ``action_interview`` does) and every turn saved in Rasa's tracker store."""

    def __init__(self, store: ScreeningStore, tracker_url: str, sender_id: str) -> None:
        self.store = store
        self.sender_id = sender_id
        # Rasa's own SQL tracker store writes the rows (trialbot's subclass adds a cache).
        if tracker_url.startswith("sqlite:///"):
            Path(tracker_url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.tracker_store = SQLTrackerStore(
            domain=Domain.from_dict({"slots": SLOTS}), host=tracker_url
        )
        self.state: dict[str, Any] = {}
        self.pending: str | None = None

    def say(self, text: str) -> None:
        answers = self.store.answers(self.sender_id, TRIAL.id)
        result = turn(TRIAL, self.state, Incoming(text), answers, TODAY)
        apply(self.store, TRIAL, self.sender_id, "rest", result.operations, ["email", "webhook"])
        self.state = result.state
        self.pending = None
        tracker = asyncio.run(self.tracker_store.get_or_create_tracker(self.sender_id))
        parse_data = {"text": text, "intent": {"name": "inform", "confidence": 1.0}}
        tracker.update(UserUttered(text, parse_data=parse_data, input_channel="rest"))
        tracker.update(ActionExecuted("action_interview"))
        for reply in result.replies:
            tracker.update(BotUttered(reply.text, {"custom": reply.payload}))
            if reply.payload and reply.payload.get("question_id"):
                self.pending = str(reply.payload["question_id"])
        tracker.update(SlotSet("interview", self.state))
        tracker.update(SlotSet("answer", text))  # what issue 10 found in the tracker
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(self.tracker_store.save(tracker))

    def dispose(self) -> None:
        self.tracker_store.engine.dispose()


def play_marked(store: ScreeningStore, tracker_url: str, sender_id: str, marker: str) -> int:
    """A whole screening to a handoff with ``marker`` in every free-text answer; the handoff."""
    answers = {q: f"{a} {marker}" for q, a in ELIGIBLE.items()}
    answers["contact_name"] = f"Jana {marker.capitalize()}"
    answers["contact_phone"] = "+420 601 123 456"  # a phone number cannot hold letters
    answers["contact_email"] = f"{marker.lower()}@example.com"
    answers["future_contact"] = "yes"
    answers["consent"] = answers["confirm"] = "yes"  # consent needs a clear yes
    conversation = Conversation(store, tracker_url, sender_id)
    try:
        conversation.say(f"hi, {marker} here")
        for _ in range(60):
            if conversation.pending is None:
                break
            conversation.say(answers.get(conversation.pending, f"not sure {marker}"))
        conversation.say(f"thanks {marker}")  # after the outcome: still in the tracker
    finally:
        conversation.dispose()
    handoffs = [h for h in store.list_handoffs() if h.sender_id == sender_id]
    assert len(handoffs) == 1, store.report(sender_id)
    return handoffs[0].id


def dump(url: str) -> str:
    """Every row of every table of the database, every column as text."""
    engine = sqlalchemy.create_engine(url, future=True)
    lines = []
    try:
        with engine.connect() as connection:
            for name in inspect(connection).get_table_names():
                table = sqlalchemy.Table(name, sqlalchemy.MetaData(), autoload_with=connection)
                for row in connection.execute(select(table)):
                    lines.append(f"{name}: " + " | ".join(str(value) for value in row))
    finally:
        engine.dispose()
    return "\n".join(lines)


def test_an_erased_candidate_leaves_no_trace_in_either_database(
    store: ScreeningStore, database_url: str, tracker_url: str
) -> None:
    marker = new_marker()
    sender = f"{marker}-sender"
    other = "someone-else"
    handoff_id = play_marked(store, tracker_url, sender, marker)
    play_marked(store, tracker_url, other, "Plainotherperson")
    store.change_status(handoff_id, "contacted", f"Rang {marker}, call back Monday", "a@x.org")
    store.add_note(handoff_id, f"Spoke to {marker} again", "a@x.org")
    store.audit("token:crm", "screening.viewed", "sender", sender[:64], {"trial": "spinus2"})
    # The name as the interview gives it (stored directly: whether the chat stores the
    # name is the interview's business, not erasure's).
    store.save_contact(sender, TRIAL.id, name=f"Jana {marker.capitalize()}")
    contact = store.get_handoff(handoff_id)
    assert contact is not None and contact.contact is not None
    assert marker.lower() in (contact.contact.email or "")
    assert marker.capitalize() in (contact.contact.name or "")
    before = dump(database_url) + dump(tracker_url)
    assert before.count(marker) > 20 and sender in before  # the test writes where it looks

    report = erase_candidate(store, sender, actor="dpo@example.org", tracker_url=tracker_url)

    assert report.found and report.screenings == 1 and report.handoffs == 1
    assert report.answers >= 10 and report.contact_details == 1 and report.notifications == 2
    assert report.tracker_events > 20 and report.handoff_notes == 2
    after = dump(database_url) + dump(tracker_url)
    for trace in (marker, marker.lower(), marker.capitalize(), sender):
        assert trace not in after, [line for line in after.splitlines() if trace in line]
    # Someone else's conversation is untouched.
    assert "Plainotherperson" in dump(tracker_url) and store.report(other) is not None


def test_what_erasure_keeps_has_no_personal_data_and_still_counts(
    store: ScreeningStore, database_url: str, tracker_url: str
) -> None:
    marker = new_marker()
    sender = f"{marker}-sender"
    handoff_id = play_marked(store, tracker_url, sender, marker)
    store.change_status(handoff_id, "contacted", f"Rang {marker}", "a@x.org")
    funnel = store.funnel(TRIAL.id)

    report = erase_candidate(store, sender, actor="dpo@example.org", tracker_url=tracker_url)

    # The funnel still counts the candidate: started, consented, handed off.
    after = store.funnel(TRIAL.id)
    assert (after.started, after.consented, after.completed, after.handed_off) == (
        funnel.started,
        funnel.consented,
        funnel.completed,
        funnel.handed_off,
    )
    assert after.outcomes == funnel.outcomes and after.answered == {}
    # ...but staff no longer see the handoff, and nothing waits to be sent.
    assert store.list_handoffs() == [] and store.get_handoff(handoff_id) is None
    assert store.status_counts()["contacted"] == 0
    with store.engine.connect() as connection:
        shell = connection.execute(select(Screening)).one()
        assert shell.sender_id == f"erased:{shell.id}" and shell.erased_at is not None
        assert connection.execute(select(Handoff.status)).scalar_one() == "contacted"
        assert connection.execute(select(func.count()).select_from(Notification)).scalar() == 0
        (entry,) = connection.execute(
            select(AuditEvent).where(AuditEvent.action == "candidate.erased")
        ).all()
        noted = connection.execute(
            select(AuditEvent.details).where(AuditEvent.action == "handoff.status_changed")
        ).scalar_one()
    assert noted["note"] == ERASED_TEXT
    assert entry.actor == "dpo@example.org" and entry.object_type == "sender"
    assert entry.object_id == sender_hash(sender) == report.sender_hash
    assert entry.details["screenings"] == 1 and entry.details["tracker_events"] > 0
    assert sender not in str(entry.details) and marker not in str(entry.details)


def test_erasing_again_or_erasing_nobody_changes_nothing(
    store: ScreeningStore, tracker_url: str
) -> None:
    marker = new_marker()
    play_marked(store, tracker_url, "carol", marker)
    assert erase_candidate(store, "carol", actor="dpo", tracker_url=tracker_url).found
    again = erase_candidate(store, "carol", actor="dpo", tracker_url=tracker_url)
    nobody = erase_candidate(store, "nobody", actor="dpo", tracker_url=tracker_url)
    assert not again.found and not nobody.found
    with store.engine.connect() as connection:
        erasures = connection.execute(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "candidate.erased")
        ).scalar()
    assert erasures == 1


def test_the_chat_erases_the_store_and_leaves_the_tracker_to_the_tracker_store(
    store: ScreeningStore, tracker_url: str
) -> None:
    marker = new_marker()
    conversation = Conversation(store, tracker_url, "dave")
    try:
        for text in ("hi", "yes", f"52 {marker}", "delete my data", "yes"):
            conversation.say(text)
    finally:
        conversation.dispose()
    assert store.report("dave") is None
    with store.engine.connect() as connection:
        entry = connection.execute(
            select(AuditEvent).where(AuditEvent.action == "candidate.erased")
        ).one()
    assert entry.actor == "candidate" and entry.details["tracker_erased"] is False
    assert marker in dump(tracker_url)  # deleted by the tracker store at the end of the turn


def test_a_missing_tracker_database_is_not_created(store: ScreeningStore, tmp_path: Path) -> None:
    play_marked(store, f"sqlite:///{tmp_path / 'other-tracker.db'}", "erin", new_marker())
    missing = tmp_path / "absent" / "tracker.db"
    report = erase_candidate(store, "erin", actor="dpo", tracker_url=f"sqlite:///{missing}")
    assert report.found and report.tracker_events == 0 and not missing.exists()


def test_the_audit_salt_comes_from_the_environment_or_a_private_file(tmp_path: Path) -> None:
    from trialbot.store.erasure import audit_salt

    assert audit_salt({"TRIALBOT_AUDIT_SALT": "pepper"}, tmp_path) == b"pepper"
    made = audit_salt({}, tmp_path)
    assert len(made) == 64 and audit_salt({}, tmp_path) == made
    assert (tmp_path / "var" / "audit-salt").stat().st_mode & 0o777 == 0o600
    assert sender_hash("alice", b"a") != sender_hash("alice", b"b")

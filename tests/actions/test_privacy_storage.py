"""Consent-scoped storage and encryption at rest, end to end in process.

:class:`RasaTurns` does what Rasa's processor does with each message — retrieve the
tracker from trialbot's tracker store, add the user message, run the real
``action_interview`` (on the real screening store), add its bot messages and slot events,
save — so the tracker database holds exactly what it would under ``make run``. Both
databases are then read with plain SQL, without the data key.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import EventVerbosity
from rasa_sdk import Tracker

from actions import runtime
from actions.interview import ActionInterview
from trialbot import crypto, tracker_privacy
from trialbot.rasa_tracker_store import UrlSQLTrackerStore
from trialbot.store import ScreeningStore
from trialbot.store.contacts import load as load_contact
from trialbot.store.db import unit_of_work
from trialbot.store.models import ContactDetails
from trialbot.web.transcript import UNREADABLE, TranscriptReader

from .conftest import ELIGIBLE_ANSWERS, payloads, run

DOMAIN = Domain.load(str(Path(__file__).resolve().parents[2] / "bot" / "domain"))

# Distinctive words: none of them may appear in plain text in either database.
ANSWER_MARK = "Quillfeather"
NAME = "Zebedee Quarrington"
PHONE = "+420 601 987 654"
EMAIL = "zebedee.quarrington@example.org"
PLAIN_MARKS = ("Quillfeather", "Zebedee", "Quarrington", "601 987 654", "601987654", "zebedee.")


class RasaTurns:
    """One candidate, through the tracker store and the interview action, as Rasa runs them."""

    def __init__(self, store: UrlSQLTrackerStore, sender_id: str) -> None:
        self.store = store
        self.sender_id = sender_id

    def say(self, text: str) -> list[dict[str, Any]]:
        tracker = asyncio.run(self.store.get_or_create_tracker(self.sender_id))
        parse_data = {
            "text": text,
            "intent": {"name": "inform", "confidence": 1.0},
            "entities": [],
        }
        tracker.update(
            UserUttered(text, parse_data["intent"], [], parse_data, input_channel="rest")
        )
        state = tracker.current_state(EventVerbosity.AFTER_RESTART)
        events, messages = run(ActionInterview(), Tracker.from_dict(state))
        tracker.update(ActionExecuted("action_interview"))
        for message in messages:
            data = {"buttons": message.get("buttons"), "custom": message.get("custom")}
            tracker.update(BotUttered(message.get("text"), data))
        for event in events:
            tracker.update(Event.from_parameters(event), DOMAIN)
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(self.store.save(tracker))
        return messages


def question(messages: list[dict[str, Any]]) -> str | None:
    found = [p["question_id"] for p in payloads(messages)]
    return found[-1] if found else None


@pytest.fixture
def urls(database_url: str, tmp_path: Path) -> tuple[str, str]:
    """(screening store, tracker): two SQLite files, or one PostgreSQL schema for both."""
    if database_url.startswith("sqlite"):
        return database_url, f"sqlite:///{tmp_path / 'var' / 'tracker.db'}"
    return database_url, database_url


@pytest.fixture
def stores(
    urls: tuple[str, str], monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ScreeningStore, UrlSQLTrackerStore]]:
    store_url, tracker_url = urls
    monkeypatch.setenv("TRIALBOT_DATABASE_URL", store_url)
    monkeypatch.delenv("TRIALBOT_TRIAL", raising=False)
    monkeypatch.delenv("TRIALBOT_NOTIFY_CHANNELS", raising=False)
    runtime.reset()
    screening_store = runtime.store()
    tracker_store = UrlSQLTrackerStore(domain=DOMAIN, url=tracker_url)
    yield screening_store, tracker_store
    tracker_store.engine.dispose()
    runtime.reset()


def eligible_with_contact(turns: RasaTurns) -> None:
    assert question(turns.say("hi")) == "consent"
    for question_id, text in ELIGIBLE_ANSWERS:
        if question_id == "conservative_care":
            text = f"physiotherapy at the {ANSWER_MARK} clinic and painkillers, they didn't help"
        turns.say(text)
    for text in (NAME, PHONE, EMAIL, "no"):
        turns.say(text)


def dump(url: str) -> str:
    """Every row of every table, as text, read without the data key."""
    engine = sa.create_engine(url, future=True)
    try:
        with engine.connect() as connection:
            lines = []
            for table in sa.inspect(connection).get_table_names():
                quoted = connection.dialect.identifier_preparer.quote(table)
                for row in connection.exec_driver_sql(f"SELECT * FROM {quoted}"):
                    lines.append(f"{table}: {tuple(str(v) for v in row)}")
            return "\n".join(lines)
    finally:
        engine.dispose()


def raw_files(url: str) -> bytes:
    """A SQLite database's bytes on disk, its write-ahead log included."""
    path = Path(sa.engine.make_url(url).database or "")
    return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())


def tracker_rows(tracker: UrlSQLTrackerStore, sender_id: str) -> list[dict[str, Any]]:
    """The conversation's stored events, opened (all sessions)."""
    from trialbot.rasa_tracker_store import open_data

    table = tracker.SQLEvent.__table__
    with tracker.engine.connect() as connection:
        rows = connection.execute(
            sa.select(table.c.data).where(table.c.sender_id == sender_id).order_by(table.c.id)
        ).scalars()
        return [open_data(data) for data in rows]


def test_a_raw_dump_of_both_databases_holds_no_answer_text_or_contact_detail(stores, urls):
    screening_store, tracker_store = stores
    eligible_with_contact(RasaTurns(tracker_store, "raw-dump-1"))

    # The store and the tracker still read back what was said, with the key.
    report = screening_store.report("raw-dump-1")
    assert report is not None and report["outcome"] == "likely_eligible"
    assert ANSWER_MARK in report["answers"]["conservative_care"]["text"]
    with unit_of_work(screening_store.engine, read_only=True) as session:
        screening_id = session.execute(sa.select(ContactDetails.screening_id)).scalar_one()
        contact = load_contact(session, screening_id)
    assert contact is not None and contact.name == NAME and contact.email == EMAIL
    kept = json.dumps(tracker_rows(tracker_store, "raw-dump-1"))
    assert ANSWER_MARK in kept  # a screening answer, kept in the tracker (sealed)

    dumps = {url: dump(url) for url in set(urls)}
    everything = "\n".join(dumps.values())
    assert "contact_details: " in everything and "events: " in everything
    assert "answers: " in everything and "criterion_results: " in everything
    for url, dumped in dumps.items():
        for mark in PLAIN_MARKS:
            assert mark not in dumped, f"{mark!r} in plain text in {url.split(':')[0]}"
        assert crypto.PREFIX in dumped
        if url.startswith("sqlite"):
            on_disk = raw_files(url)
            for mark in PLAIN_MARKS:
                assert mark.encode() not in on_disk


def test_contact_answers_are_redacted_in_the_tracker_and_never_in_a_slot(stores):
    _, tracker_store = stores
    turns = RasaTurns(tracker_store, "contact-1")
    eligible_with_contact(turns)
    events = tracker_rows(tracker_store, "contact-1")

    user_texts = [e["text"] for e in events if e["event"] == "user"]
    assert user_texts[-4:] == [tracker_privacy.CONTACT_TEXT] * 4
    assert ELIGIBLE_ANSWERS[1][1] in user_texts  # screening answers are kept as typed
    redacted = [e for e in events if e["event"] == "user" and e["text"] == "[contact detail]"]
    assert all(e["parse_data"] == {"intent": {}, "entities": []} for e in redacted)
    slots = json.dumps([e for e in events if e["event"] == "slot"])
    for mark in ("Zebedee", "Quarrington", "601 987 654", "601987654", "zebedee."):
        assert mark not in slots
        assert mark not in json.dumps(events)
    privacy = [e["value"] for e in events if e["event"] == "slot" and e["name"] == "privacy"]
    assert "contact" in privacy

    # The triage transcript reads the sealed rows and shows the redaction.
    reader = TranscriptReader(str(tracker_store.engine.url.render_as_string(False)))
    try:
        shown = reader.messages("contact-1")
    finally:
        reader.dispose()
    assert shown is not None
    assert [m.text for m in shown if m.speaker == "candidate"][-4:] == ["[contact detail]"] * 4
    assert any(ELIGIBLE_ANSWERS[4][1] == m.text for m in shown)


def test_a_correction_typed_while_contact_details_are_asked_keeps_no_contact_text(stores):
    _, tracker_store = stores
    turns = RasaTurns(tracker_store, "contact-2")
    assert question(turns.say("hi")) == "consent"
    for _, text in ELIGIBLE_ANSWERS:
        messages = turns.say(text)
    assert question(messages) == "contact_name"
    turns.say("hang on, earlier I said 2 years but it's really 5 months, my number is " + PHONE)
    turns.say("yes")

    stored = json.dumps(tracker_rows(tracker_store, "contact-2"))
    assert "601 987 654" not in stored
    report = runtime.store().report("contact-2")
    assert report is not None
    # Not in the corrected answer either. (Only the number's own forms: three digits such as
    # "601" also turn up in a timestamp's microseconds.)
    dumped = json.dumps(report)
    assert not [form for form in ("601 987", "987 654", "601987654") if form in dumped]


def test_nothing_typed_before_declining_is_kept(stores, urls):
    screening_store, tracker_store = stores
    turns = RasaTurns(tracker_store, "declined-1")
    assert question(turns.say(f"hello, my back hurts since the {ANSWER_MARK} accident")) == (
        "consent"
    )
    assert question(turns.say(f"what is {ANSWER_MARK} surgery like?")) == "consent"
    before = tracker_rows(tracker_store, "declined-1")
    assert [e["text"] for e in before if e["event"] == "user"] == ["[not kept]"] * 2
    assert any(e["event"] == "bot" for e in before)  # the greeting and the intro are kept

    turns.say("no thanks")

    events = tracker_rows(tracker_store, "declined-1")
    # The state (declined), and the bot listening: without that closing action_listen
    # Rasa's rule does not apply to the next message and "start over" gets no reply.
    assert [e["event"] for e in events] == ["slot", "slot", "action"]
    assert events[-1]["name"] == "action_listen"
    assert {e["name"]: e.get("value") for e in events[:2]}["privacy"] == "declined"
    for url in set(urls):
        assert ANSWER_MARK not in dump(url)
    report = screening_store.report("declined-1")
    assert report is not None and report["outcome"] == "declined"  # the fact is kept

    # Still declined on a fresh store (nothing cached): chatting keeps nothing new ...
    fresh = RasaTurns(UrlSQLTrackerStore(domain=DOMAIN, url=urls[1], cache_size=0), "declined-1")
    fresh.say(f"{ANSWER_MARK} again")
    assert ANSWER_MARK not in json.dumps(tracker_rows(tracker_store, "declined-1"))
    assert not [e for e in tracker_rows(tracker_store, "declined-1") if e["event"] == "user"]
    # ... and agreeing afterwards starts the screening, kept from then on.
    assert question(fresh.say("ok, fine, I agree")) == ELIGIBLE_ANSWERS[1][0]
    fresh.say("52")
    texts = [e["text"] for e in tracker_rows(tracker_store, "declined-1") if e["event"] == "user"]
    assert texts == ["ok, fine, I agree", "52"]
    fresh.store.engine.dispose()


def test_the_consenting_message_is_kept_and_earlier_ones_are_not(stores):
    _, tracker_store = stores
    turns = RasaTurns(tracker_store, "consent-1")
    turns.say(f"hi, {ANSWER_MARK} here")
    turns.say("yes")
    turns.say("52")
    texts = [e["text"] for e in tracker_rows(tracker_store, "consent-1") if e["event"] == "user"]
    assert texts == ["[not kept]", "yes", "52"]


def test_erasing_in_the_chat_deletes_every_event_of_the_conversation(stores, urls):
    _, tracker_store = stores
    turns = RasaTurns(tracker_store, "erase-1")
    turns.say("hi")
    turns.say("yes")
    turns.say(f"52, says {ANSWER_MARK}")
    assert tracker_rows(tracker_store, "erase-1")
    assert question(turns.say("delete my data")) == "erase"
    turns.say("yes")

    assert tracker_rows(tracker_store, "erase-1") == []
    assert ANSWER_MARK not in dump(urls[1])
    # The next message starts a new conversation (nothing resurrected from the cache).
    assert question(turns.say("hi")) == "consent"
    assert ANSWER_MARK not in json.dumps(tracker_rows(tracker_store, "erase-1"))


def test_a_cached_conversation_erased_elsewhere_is_not_written_back(stores, urls):
    _, tracker_store = stores
    turns = RasaTurns(tracker_store, "erase-2")
    turns.say("hi")
    turns.say("yes")
    turns.say(f"52 ({ANSWER_MARK})")
    tracker = asyncio.run(tracker_store.retrieve("erase-2"))
    assert tracker is not None and tracker_store.cache.get("erase-2") is not None

    # Erased by another process (trialbot screening erase, the triage app) ...
    table = tracker_store.SQLEvent.__table__
    with tracker_store.engine.begin() as connection:
        connection.execute(sa.delete(table).where(table.c.sender_id == "erase-2"))
    # ... while Rasa still holds the tracker and saves this turn's events.
    tracker.update(UserUttered("and more", input_channel="rest"))
    asyncio.run(tracker_store.save(tracker))

    assert tracker_rows(tracker_store, "erase-2") == []
    assert ANSWER_MARK not in dump(urls[1])
    assert asyncio.run(tracker_store.retrieve("erase-2")) is None


def test_a_changed_byte_in_a_sealed_value_raises_a_clear_error(stores):
    screening_store, tracker_store = stores
    eligible_with_contact(RasaTurns(tracker_store, "tamper-1"))
    contacts = sa.table("contact_details", sa.column("id"), sa.column("phone"))
    with screening_store.engine.begin() as connection:
        row_id, sealed = connection.execute(sa.select(contacts.c.id, contacts.c.phone)).one()
        position = len(crypto.PREFIX) + 20
        changed = (
            sealed[:position] + ("A" if sealed[position] != "A" else "B") + sealed[position + 1 :]
        )
        connection.execute(contacts.update().where(contacts.c.id == row_id).values(phone=changed))
    with (
        pytest.raises(crypto.DecryptionError, match="contact_details.phone.*failed authentication"),
        unit_of_work(screening_store.engine, read_only=True) as session,
    ):
        load_contact(session, session.execute(sa.select(ContactDetails.screening_id)).scalar_one())

    events = tracker_store.SQLEvent.__table__
    with tracker_store.engine.begin() as connection:
        row_id, sealed = connection.execute(
            sa.select(events.c.id, events.c.data)
            .where(events.c.sender_id == "tamper-1", events.c.type_name == "bot")
            .limit(1)
        ).one()
        connection.execute(
            events.update().where(events.c.id == row_id).values(data=sealed[:-8] + "AAAAAAA=")
        )
    fresh = UrlSQLTrackerStore(
        domain=DOMAIN, url=str(tracker_store.engine.url.render_as_string(False))
    )
    with pytest.raises(crypto.DecryptionError, match="events.data"):
        asyncio.run(fresh.retrieve("tamper-1"))
    fresh.engine.dispose()
    reader = TranscriptReader(str(tracker_store.engine.url.render_as_string(False)))
    try:
        shown = reader.messages("tamper-1")
    finally:
        reader.dispose()
    assert shown is not None and [m.text for m in shown].count(UNREADABLE) == 1


def test_rotating_the_key_reseals_everything_and_retires_the_old_key(
    stores, urls, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    from trialbot.cli import main
    from trialbot.keys_cli import key_usage

    key_file = tmp_path / "keys" / "data.key"
    monkeypatch.delenv(crypto.KEY_VARIABLE, raising=False)
    monkeypatch.setenv(crypto.KEY_FILE_VARIABLE, str(key_file))
    crypto.reset()
    try:
        screening_store, tracker_store = stores
        eligible_with_contact(RasaTurns(tracker_store, "rotate-1"))
        old = crypto.keyring().primary.id
        before = key_usage(screening_store.engine, urls[1])
        assert set(before) == {old} and before[old] > 20

        assert main(["keys", "rotate", "--database-url", urls[0], "--tracker-url", urls[1]]) == 0

        crypto.reset()
        ring = crypto.keyring()
        assert [k.id for k in ring.keys] == [ring.primary.id] and ring.primary.id != old
        assert key_usage(screening_store.engine, urls[1]) == {ring.primary.id: before[old]}
        report = screening_store.report("rotate-1")
        assert report is not None and ANSWER_MARK in json.dumps(report)
        fresh = UrlSQLTrackerStore(domain=DOMAIN, url=urls[1], cache_size=0)
        tracker = asyncio.run(fresh.retrieve("rotate-1"))
        fresh.engine.dispose()
        assert tracker is not None and tracker.get_slot("privacy") == "normal"
        assert (key_file.stat().st_mode & 0o777) == 0o600
    finally:
        crypto.reset()


def test_rotating_with_the_variable_reseals_under_its_first_key(
    stores, urls, monkeypatch: pytest.MonkeyPatch
):
    from trialbot.cli import main
    from trialbot.keys_cli import key_usage

    old, new = crypto.new_key("old"), crypto.new_key("new")
    monkeypatch.setenv(crypto.KEY_VARIABLE, crypto.format_key(old))
    crypto.reset()
    try:
        screening_store, tracker_store = stores
        eligible_with_contact(RasaTurns(tracker_store, "rotate-2"))
        assert set(key_usage(screening_store.engine, urls[1])) == {"old"}

        monkeypatch.setenv(
            crypto.KEY_VARIABLE, f"{crypto.format_key(new)}, {crypto.format_key(old)}"
        )
        crypto.reset()
        assert main(["keys", "rotate", "--database-url", urls[0], "--tracker-url", urls[1]]) == 0
        assert set(key_usage(screening_store.engine, urls[1])) == {"new"}

        monkeypatch.setenv(crypto.KEY_VARIABLE, crypto.format_key(new))  # old one dropped
        crypto.reset()
        report = screening_store.report("rotate-2")
        assert report is not None and ANSWER_MARK in json.dumps(report)
    finally:
        crypto.reset()


def test_the_key_file_is_made_private_when_none_is_set(tmp_path: Path, monkeypatch):
    monkeypatch.delenv(crypto.KEY_VARIABLE, raising=False)
    monkeypatch.delenv(crypto.KEY_FILE_VARIABLE, raising=False)
    ring = crypto.load_keyring(environ={}, cwd=tmp_path)
    path = tmp_path / "var" / "data.key"
    assert ring.source == str(path)
    assert (path.stat().st_mode & 0o777) == 0o600
    assert (path.parent.stat().st_mode & 0o777) == 0o700
    again = crypto.load_keyring(environ={}, cwd=tmp_path)
    assert again.primary == ring.primary  # made once, then read
    assert os.listdir(path.parent) == ["data.key"]  # no temporary file left behind

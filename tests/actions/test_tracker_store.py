"""Rasa's conversations kept in the database named by one URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from trialbot.rasa_tracker_store import UrlSQLTrackerStore

SLOTS = {
    "pending_question": {"type": "any", "mappings": []},
    "privacy": {"type": "any", "mappings": []},
}


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'tracker.db'}"


def test_conversations_survive_a_new_store_on_the_same_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'tracker.db'}"
    domain = Domain.from_dict({"slots": SLOTS})
    config = EndpointConfig(type="trialbot.rasa_tracker_store.UrlSQLTrackerStore", url=url)

    store = TrackerStore.create(config, domain)
    assert isinstance(getattr(store, "_tracker_store", store), UrlSQLTrackerStore)
    tracker = DialogueStateTracker.from_events(
        "c1", [UserUttered("hi"), SlotSet("pending_question", "consent")], domain.slots
    )
    asyncio.run(store.save(tracker))

    again = TrackerStore.create(config, domain)
    restored = asyncio.run(again.retrieve("c1"))

    assert restored is not None
    assert restored.get_slot("pending_question") == "consent"
    assert (tmp_path / "nested" / "tracker.db").exists()
    tracker_store = getattr(again, "_tracker_store", again)
    with tracker_store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


# -- the in-process tracker cache ---------------------------------------------------------


def _store(url: str, **kwargs: object) -> UrlSQLTrackerStore:
    return UrlSQLTrackerStore(domain=Domain.from_dict({"slots": SLOTS}), url=url, **kwargs)


def _stored_events(url: str, sender_id: str) -> list[dict[str, object]]:
    """The conversation as a store without a cache reads it from the database."""
    tracker = asyncio.run(_store(url, cache_size=0).retrieve(sender_id))
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def _stored_user_texts(url: str, sender_id: str) -> list[object]:
    return [e["text"] for e in _stored_events(url, sender_id) if e["event"] == "user"]


def _user_texts(tracker: DialogueStateTracker) -> list[str | None]:
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def _turn(store: UrlSQLTrackerStore, sender_id: str, text: str) -> DialogueStateTracker:
    """What Rasa does with each message: retrieve, append events, save."""
    tracker = asyncio.run(store.get_or_create_tracker(sender_id))
    tracker.update(UserUttered(text))
    tracker.update(SlotSet("pending_question", text))
    tracker.update(SlotSet("privacy", "normal"))  # consented: kept as typed
    asyncio.run(store.save(tracker))
    return tracker


def _retrieved(store: UrlSQLTrackerStore, sender_id: str) -> DialogueStateTracker:
    tracker = asyncio.run(store.retrieve(sender_id))
    assert tracker is not None
    return tracker


def test_cached_conversation_is_saved_exactly_as_rasas_own_store_saves_it(
    database_url: str,
) -> None:
    cached = _store(database_url)
    for text in ("hi", "yes", "three years"):
        tracker = _turn(cached, "c1", text)

    assert len(cached.cache) == 1
    assert _retrieved(cached, "c1") is tracker  # served from the cache
    assert _stored_events(database_url, "c1") == [e.as_dict() for e in tracker.events]
    assert _stored_user_texts(database_url, "c1") == ["hi", "yes", "three years"]


def test_a_tracker_changed_but_not_saved_is_never_served(sqlite_url: str) -> None:
    store = _store(sqlite_url)
    _turn(store, "c1", "hi")
    tracker = _retrieved(store, "c1")
    tracker.update(UserUttered("this message's processing failed"))  # never saved

    again = _retrieved(store, "c1")

    assert again is not tracker
    assert _user_texts(again) == ["hi"]


def test_events_written_by_another_process_are_seen(database_url: str) -> None:
    first, second = _store(database_url), _store(database_url)
    _turn(first, "c1", "hi")
    _retrieved(first, "c1")  # cached in `first`

    _turn(second, "c1", "written by another Rasa process")
    seen = _retrieved(first, "c1")

    assert seen.get_slot("pending_question") == "written by another Rasa process"
    _turn(first, "c1", "and on")
    assert _stored_user_texts(database_url, "c1") == [
        "hi",
        "written by another Rasa process",
        "and on",
    ]


def test_a_save_racing_another_writer_falls_back_to_rasas_count(sqlite_url: str) -> None:
    first, second = _store(sqlite_url), _store(sqlite_url)
    _turn(first, "c1", "hi")
    tracker = _retrieved(first, "c1")
    _turn(second, "c1", "meanwhile")

    tracker.update(UserUttered("late"))
    asyncio.run(first.save(tracker))

    assert first.cache.get("c1") is None  # rebuilt from the database next time
    assert _stored_user_texts(sqlite_url, "c1")[:2] == ["hi", "meanwhile"]


def test_the_cache_keeps_the_most_recently_used_conversations(sqlite_url: str) -> None:
    store = _store(sqlite_url, cache_size="2")
    for sender_id in ("a", "b", "c"):
        _turn(store, sender_id, "hi")
        _retrieved(store, sender_id)
    _retrieved(store, "b")
    assert asyncio.run(store.retrieve("d")) is None  # unknown: nothing to cache

    assert len(store.cache) == 2
    assert store.cache.get("a") is None
    assert store.cache.get("b") is not None and store.cache.get("c") is not None


def test_cache_size_zero_turns_the_cache_off(sqlite_url: str) -> None:
    store = _store(sqlite_url, cache_size=0)
    _turn(store, "c1", "hi")
    first = _retrieved(store, "c1")

    assert _retrieved(store, "c1") is not first
    assert len(store.cache) == 0


def test_a_new_session_is_read_back_from_its_start(sqlite_url: str) -> None:
    store = _store(sqlite_url)
    _turn(store, "c1", "old session")
    tracker = _retrieved(store, "c1")
    tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("new session"))
    asyncio.run(store.save(tracker))

    again = _retrieved(store, "c1")

    assert again is not tracker
    assert _user_texts(again) == ["new session"]

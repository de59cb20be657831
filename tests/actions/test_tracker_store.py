"""Rasa's conversations kept in the database named by one URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.constants import ACTION_SESSION_START_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from trialbot.rasa_tracker_store import UrlSQLTrackerStore


def test_conversations_survive_a_new_store_on_the_same_url(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'nested' / 'tracker.db'}"
    domain = Domain.from_dict({"slots": {"pending_question": {"type": "any", "mappings": []}}})
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


# -- the in-process tracker cache ---------------------------------------------------------

SLOTS = {"pending_question": {"type": "any", "mappings": []}}


def _store(url: str, **kwargs: object) -> UrlSQLTrackerStore:
    return UrlSQLTrackerStore(domain=Domain.from_dict({"slots": SLOTS}), url=url, **kwargs)


def _stored_events(url: str, sender_id: str) -> list[dict[str, object]]:
    """The conversation as a store without a cache reads it from the database."""
    tracker = asyncio.run(_store(url, cache_size=0).retrieve(sender_id))
    assert tracker is not None
    return [event.as_dict() for event in tracker.events]


def _turn(store: UrlSQLTrackerStore, sender_id: str, text: str) -> DialogueStateTracker:
    """What Rasa does with each message: retrieve, append events, save."""
    tracker = asyncio.run(store.get_or_create_tracker(sender_id))
    tracker.update(UserUttered(text))
    tracker.update(SlotSet("pending_question", text))
    asyncio.run(store.save(tracker))
    return tracker


def test_cached_conversation_is_saved_exactly_as_rasas_own_store_saves_it(
    database_url: str,
) -> None:
    cached = _store(database_url)
    for text in ("hi", "yes", "three years"):
        tracker = _turn(cached, "c1", text)

    assert len(cached.cache) == 1
    assert asyncio.run(cached.retrieve("c1")) is tracker  # served from the cache
    assert _stored_events(database_url, "c1") == [e.as_dict() for e in tracker.events]
    assert [e["text"] for e in _stored_events(database_url, "c1") if e["event"] == "user"] == [
        "hi",
        "yes",
        "three years",
    ]


def test_a_tracker_changed_but_not_saved_is_never_served(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = _store(url)
    _turn(store, "c1", "hi")
    tracker = asyncio.run(store.retrieve("c1"))
    assert tracker is not None
    tracker.update(UserUttered("this message's processing failed"))  # never saved

    again = asyncio.run(store.retrieve("c1"))

    assert again is not tracker
    assert again is not None
    texts = [e.text for e in again.events if isinstance(e, UserUttered)]
    assert texts == ["hi"]


def test_events_written_by_another_process_are_seen(database_url: str) -> None:
    first, second = _store(database_url), _store(database_url)
    _turn(first, "c1", "hi")
    assert asyncio.run(first.retrieve("c1")) is not None  # cached in `first`

    _turn(second, "c1", "written by another Rasa process")
    seen = asyncio.run(first.retrieve("c1"))

    assert seen is not None
    assert seen.get_slot("pending_question") == "written by another Rasa process"
    _turn(first, "c1", "and on")
    texts = [e["text"] for e in _stored_events(database_url, "c1") if e["event"] == "user"]
    assert texts == ["hi", "written by another Rasa process", "and on"]


def test_a_save_racing_another_writer_falls_back_to_rasas_count(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    first, second = _store(url), _store(url)
    _turn(first, "c1", "hi")
    tracker = asyncio.run(first.retrieve("c1"))
    assert tracker is not None
    _turn(second, "c1", "meanwhile")

    tracker.update(UserUttered("late"))
    asyncio.run(first.save(tracker))

    assert first.cache.get("c1") is None  # rebuilt from the database next time
    texts = [e["text"] for e in _stored_events(url, "c1") if e["event"] == "user"]
    assert texts[:2] == ["hi", "meanwhile"]


def test_the_cache_keeps_the_most_recently_used_conversations(tmp_path: Path) -> None:
    store = _store(f"sqlite:///{tmp_path / 'tracker.db'}", cache_size="2")
    for sender_id in ("a", "b", "c"):
        _turn(store, sender_id, "hi")
        asyncio.run(store.retrieve(sender_id))
    asyncio.run(store.retrieve("b"))
    asyncio.run(store.retrieve("d"))  # unknown: nothing to cache

    assert len(store.cache) == 2
    assert store.cache.get("a") is None
    assert store.cache.get("b") is not None and store.cache.get("c") is not None


def test_cache_size_zero_turns_the_cache_off(tmp_path: Path) -> None:
    store = _store(f"sqlite:///{tmp_path / 'tracker.db'}", cache_size=0)
    _turn(store, "c1", "hi")
    first = asyncio.run(store.retrieve("c1"))

    assert asyncio.run(store.retrieve("c1")) is not first
    assert len(store.cache) == 0


def test_a_new_session_is_read_back_from_its_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    store = _store(url)
    _turn(store, "c1", "old session")
    tracker = asyncio.run(store.retrieve("c1"))
    assert tracker is not None
    tracker.update(ActionExecuted(ACTION_SESSION_START_NAME))
    tracker.update(SessionStarted())
    tracker.update(UserUttered("new session"))
    asyncio.run(store.save(tracker))

    again = asyncio.run(store.retrieve("c1"))

    assert again is not None and again is not tracker
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == ["new session"]


def test_rasa_sends_the_action_server_no_domain() -> None:
    """The actions run with an empty domain (tests/actions/conftest.py); Rasa must send
    none, or each request carries the whole domain for nothing."""
    from rasa.shared.core.domain import Domain as RasaDomain

    from trialbot.devtools.train import ROOT

    endpoints = (ROOT / "bot" / "endpoints.yml").read_text()
    assert "enable_selective_domain: true" in endpoints
    domain = RasaDomain.load(str(ROOT / "bot" / "domain"))
    assert not any(domain.does_custom_action_explicitly_need_domain(a) for a in domain.user_actions)

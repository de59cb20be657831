"""Rasa's conversations kept in the database named by one URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
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

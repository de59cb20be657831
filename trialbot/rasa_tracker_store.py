"""Rasa's SQL tracker store, configured by one SQLAlchemy URL.

Rasa's own ``SQL`` store takes dialect, host, port, db, user and password as separate
fields. Ours takes the same kind of URL as the screening store (``TRIALBOT_TRACKER_URL``),
so that development (SQLite) and production (PostgreSQL) differ in one variable::

    tracker_store:
      type: trialbot.rasa_tracker_store.UrlSQLTrackerStore
      url: ${TRIALBOT_TRACKER_URL}

Rasa creates a custom store as ``cls(host=<url>, domain=..., event_broker=..., **rest)``.

Rasa's own store rebuilds the whole tracker from the database on every message (reading,
JSON-decoding and replaying every event of the session) and counts the stored events
again before each save. Profiling ten concurrent screenings put 30 % of the server's CPU
there. This store keeps the trackers it handed out (:class:`TrackerCache`, least recently
used first out) and, per message, only

* checks that the database holds no newer event of that conversation than the cached
  tracker (one indexed ``max(id)`` query), so a second Rasa process or a restore never
  goes unnoticed — it then rebuilds from the database as Rasa does;
* appends the events added since the last save.

A cached tracker that was changed but not saved (a message whose processing failed) is
dropped and rebuilt from the database, so nothing unsaved is ever served. The database
stays the source of truth: the cache only saves work.
"""

from __future__ import annotations

import itertools
import json
import os
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY
from sqlalchemy import bindparam, create_engine, event, func, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from trialbot.config import default_tracker_url
from trialbot.store.db import set_sqlite_pragmas

TRACKER_URL_VARIABLE = "TRIALBOT_TRACKER_URL"
DEFAULT_CACHE_SIZE = 1000


def resolve_url(url: str | None) -> str:
    """The URL to use: the given one, else the environment's, else the SQLite default.

    A SQLite file's directory is created, so that a fresh checkout runs as is.
    """
    url = (url or "").strip() or os.environ.get(TRACKER_URL_VARIABLE) or default_tracker_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return url


@dataclass
class _Cached:
    tracker: DialogueStateTracker  # the object handed out (Rasa changes it, then saves it)
    saved: int  # how many of tracker.events are in the database
    last_id: int  # the conversation's newest event row in the database


class TrackerCache:
    """The most recently used trackers, at most ``size`` of them."""

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._entries: OrderedDict[str, _Cached] = OrderedDict()

    def get(self, sender_id: str) -> _Cached | None:
        entry = self._entries.get(sender_id)
        if entry is not None:
            self._entries.move_to_end(sender_id)
        return entry

    def put(self, sender_id: str, entry: _Cached) -> None:
        if self.size == 0:
            return
        self._entries[sender_id] = entry
        self._entries.move_to_end(sender_id)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def drop(self, sender_id: str) -> None:
        self._entries.pop(sender_id, None)

    def __len__(self) -> int:
        return len(self._entries)


class UrlSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose database is given as one SQLAlchemy URL, with trackers
    cached in process (``cache_size`` conversations; 0 turns the cache off)."""

    engine: Engine

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        url: str | None = None,
        cache_size: int | str = DEFAULT_CACHE_SIZE,
        **kwargs: Any,
    ) -> None:
        # SQLTrackerStore uses `host` as the whole URL when it contains "://".
        super().__init__(
            domain=domain,
            host=resolve_url(url or host),
            event_broker=event_broker,
            **kwargs,
        )
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 opens a new connection per session on a SQLite file (NullPool);
            # keep them open instead, each with the screening store's settings (WAL: the
            # triage app reads transcripts while Rasa writes).
            url_of_engine = self.engine.url
            self.engine.dispose()
            self.engine = create_engine(
                url_of_engine, poolclass=QueuePool, connect_args={"check_same_thread": False}
            )
            event.listen(self.engine, "connect", lambda dbapi, _record: set_sqlite_pragmas(dbapi))
            self.sessionmaker = sessionmaker(bind=self.engine)
        self.cache = TrackerCache(int(cache_size))
        table = self.SQLEvent.__table__
        self._insert = table.insert()
        self._newest = select(func.max(table.c.id)).where(
            table.c.sender_id == bindparam("sender_id")
        )

    def _newest_id(self, connection: Any, sender_id: str) -> int:
        return int(connection.execute(self._newest, {"sender_id": sender_id}).scalar() or 0)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """The conversation's tracker (its latest session), from the cache when the
        cached one is unchanged and no newer event is in the database."""
        if self.cache.size == 0:
            return await super().retrieve(sender_id)
        entry = self.cache.get(sender_id)
        with self.engine.connect() as connection:
            newest = self._newest_id(connection, sender_id)
        if (
            entry is not None
            and entry.last_id == newest
            and len(entry.tracker.events) == entry.saved
        ):
            return entry.tracker
        self.cache.drop(sender_id)
        tracker = await super().retrieve(sender_id)
        if tracker is not None:
            self.cache.put(sender_id, _Cached(tracker, len(tracker.events), newest))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the events added since the tracker was retrieved or last saved."""
        sender_id = tracker.sender_id
        entry = self.cache.get(sender_id)
        if entry is None or entry.tracker is not tracker or self.event_broker is not None:
            self.cache.drop(sender_id)
            await super().save(tracker)  # Rasa's way: count the stored events, add the rest
            return
        new_events = list(itertools.islice(tracker.events, entry.saved, None))
        with self.engine.begin() as connection:
            unchanged = self._newest_id(connection, sender_id) == entry.last_id
            if unchanged and new_events:
                connection.execute(self._insert, [_row(sender_id, e) for e in new_events])
                entry.last_id = self._newest_id(connection, sender_id)
        if not unchanged:
            # Another process wrote to this conversation meanwhile: Rasa's way.
            self.cache.drop(sender_id)
            await super().save(tracker)
            return
        entry.saved = len(tracker.events)
        if any(isinstance(e, SessionStarted) for e in new_events):
            # A new session: what `retrieve` returns starts there, rebuild it once.
            self.cache.drop(sender_id)


def _row(sender_id: str, event: Any) -> dict[str, Any]:
    """An ``events`` row, exactly as Rasa's ``SQLTrackerStore.save`` writes it."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }

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

**What is written** is decided per turn by :mod:`trialbot.tracker_privacy` from the
``privacy`` slot that the interview action sets: nothing the candidate typed before
consent, contact-phase messages as ``[contact detail]``, nothing but the fact of
declining, nothing at all after "delete my data". Every ``data`` value is sealed
(:mod:`trialbot.crypto`, AES-GCM bound to ``events.data``) and opened when read; rows
written before encryption (plain JSON) are still read, and ``trialbot keys rotate``
seals them.

Rows of a conversation that vanished from the database (its newest row id is lower
than the cached one: erased by ``trialbot screening erase`` or the triage app) are never
written again from the cache: that turn writes nothing and the conversation starts over.
Rasa's own save (count the stored events, append the rest) is never used: it would
re-write events that were deleted or not kept.
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
from sqlalchemy import and_, bindparam, create_engine, delete, event, func, or_, select
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.pool import QueuePool

from trialbot import crypto, tracker_privacy
from trialbot.config import default_tracker_url
from trialbot.store.db import private_sqlite_file, set_sqlite_pragmas
from trialbot.web import transcript

TRACKER_URL_VARIABLE = "TRIALBOT_TRACKER_URL"
DEFAULT_CACHE_SIZE = 1000
DATA_CONTEXT = transcript.DATA_CONTEXT  # "events.data": what each sealed value is bound to


def resolve_url(url: str | None) -> str:
    """The URL to use: the given one, else the environment's, else the SQLite default.

    A SQLite file is created with its directory, so that a fresh checkout runs as is, and
    kept private (file 0600, a new directory 0700: ``private_sqlite_file``).
    """
    url = (url or "").strip() or os.environ.get(TRACKER_URL_VARIABLE) or default_tracker_url()
    parsed = make_url(url)
    database = parsed.database or ""
    a_path = database not in ("", ":memory:") and not database.startswith("file:")
    if parsed.get_backend_name() == "sqlite" and a_path:
        private_sqlite_file(Path(database))
    return url


@dataclass
class _Cached:
    tracker: DialogueStateTracker  # the object handed out (Rasa changes it, then saves it)
    saved: int  # how many of tracker.events are in the database
    last_id: int  # the conversation's newest event row in the database
    privacy: str | None = None  # the privacy rule in force after the saved events


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
    cached in process (``cache_size`` conversations; 0 turns the cache off), events
    written as the privacy rules allow and sealed at rest."""

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
        crypto.keyring()  # a missing or malformed key fails at start, not mid-conversation
        self.cache = TrackerCache(int(cache_size))
        table = self.SQLEvent.__table__
        self._table = table
        self._insert = table.insert()
        self._newest = select(func.max(table.c.id)).where(
            table.c.sender_id == bindparam("sender_id")
        )
        self._delete = delete(table).where(table.c.sender_id == bindparam("sender_id"))
        self._privacy_row = (
            select(table.c.data)
            .where(
                table.c.sender_id == bindparam("sender_id"),
                table.c.type_name == "slot",
                table.c.action_name == tracker_privacy.PRIVACY_SLOT,
            )
            .order_by(table.c.id.desc())
            .limit(1)
        )
        session_start = (
            select(func.max(table.c.timestamp))
            .where(
                table.c.sender_id == bindparam("sender_id"),
                table.c.type_name == SessionStarted.type_name,
            )
            .scalar_subquery()
        )
        in_session = and_(
            table.c.sender_id == bindparam("sender_id"),
            or_(table.c.timestamp >= session_start, session_start.is_(None)),
        )
        self._session_count = select(func.count()).select_from(table).where(in_session)
        self._session_rows = select(table.c.data).where(in_session).order_by(table.c.id)
        self._all_rows = (
            select(table.c.data)
            .where(table.c.sender_id == bindparam("sender_id"))
            .order_by(table.c.id)
        )

    def _newest_id(self, connection: Any, sender_id: str) -> int:
        return int(connection.execute(self._newest, {"sender_id": sender_id}).scalar() or 0)

    async def _retrieve(
        self, sender_id: str, fetch_events_from_all_sessions: bool
    ) -> DialogueStateTracker | None:
        """Rasa's ``SQLTrackerStore._retrieve``, opening each sealed ``data`` value."""
        query = self._all_rows if fetch_events_from_all_sessions else self._session_rows
        with self.engine.connect() as connection:
            rows = connection.execute(query, {"sender_id": sender_id}).scalars().all()
        events = [open_data(data) for data in rows]
        if self.domain and events:
            return DialogueStateTracker.from_dict(sender_id, events, self.domain.slots)
        return None

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
            privacy = tracker_privacy.rule_in([e.as_dict() for e in tracker.events])
            self.cache.put(sender_id, _Cached(tracker, len(tracker.events), newest, privacy))
        return tracker

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Write the events added since the tracker was retrieved or last saved, as the
        conversation's privacy rule allows (see :mod:`trialbot.tracker_privacy`)."""
        sender_id = tracker.sender_id
        entry = self.cache.get(sender_id)
        if entry is not None and entry.tracker is not tracker:
            entry = None
        with self.engine.begin() as connection:
            newest = self._newest_id(connection, sender_id)
            if entry is not None and newest < entry.last_id:
                # Rows vanished: the conversation was erased meanwhile. Nothing of the
                # tracker in memory (the erased conversation) is written back.
                self.cache.drop(sender_id)
                return
            fast = entry is not None and newest == entry.last_id
            if fast:
                assert entry is not None
                start, prior = entry.saved, entry.privacy
            else:
                # Not the cached tracker, or another process wrote meanwhile: Rasa's count
                # of the stored events of the session, governed by the stored rule.
                start = int(
                    connection.execute(self._session_count, {"sender_id": sender_id}).scalar() or 0
                )
                prior = self._stored_rule(connection, sender_id)
            new_events = list(itertools.islice(tracker.events, start, None))
            decided = tracker_privacy.plan([e.as_dict() for e in new_events], prior)
            if decided.delete_stored:
                connection.execute(self._delete, {"sender_id": sender_id})
            if decided.rows:
                connection.execute(self._insert, [_row(sender_id, d) for d in decided.rows])
            last_id = self._newest_id(connection, sender_id)
        self._publish(sender_id, decided.rows)
        if not fast or decided.delete_stored or len(decided.rows) != len(new_events):
            # Rebuilt from the database next time: what is in memory is not what was kept.
            self.cache.drop(sender_id)
            return
        assert entry is not None
        entry.saved = len(tracker.events)
        entry.last_id = last_id
        entry.privacy = decided.rule_after
        if any(isinstance(e, SessionStarted) for e in new_events):
            # A new session: what `retrieve` returns starts there, rebuild it once.
            self.cache.drop(sender_id)

    def _stored_rule(self, connection: Any, sender_id: str) -> str | None:
        data = connection.execute(self._privacy_row, {"sender_id": sender_id}).scalar()
        if data is None:
            return None
        value = open_data(data).get("value")
        return value if isinstance(value, str) else None

    def _publish(self, sender_id: str, rows: list[dict[str, Any]]) -> None:
        """An event broker gets what was written, never more."""
        if self.event_broker is None:
            return
        for data in rows:
            self.event_broker.publish({"sender_id": sender_id, **data})


def seal_data(data: dict[str, Any]) -> str:
    return crypto.encrypt(json.dumps(data), DATA_CONTEXT)


def open_data(value: str | None) -> dict[str, Any]:
    """An event's dict from its ``data`` column: sealed, or plain JSON written before
    encryption. A sealed value that does not open raises ``crypto.DecryptionError``."""
    return transcript.open_event(value)


def _row(sender_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """An ``events`` row as Rasa's ``SQLTrackerStore.save`` writes it, ``data`` sealed."""
    parse_data = data.get("parse_data") or {}
    return {
        "sender_id": sender_id,
        "type_name": data.get("event"),
        "timestamp": data.get("timestamp"),
        "intent_name": (parse_data.get("intent") or {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": seal_data(data),
    }

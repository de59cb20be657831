"""Rasa's SQL tracker store, configured by one SQLAlchemy URL.

Rasa's own ``SQL`` store takes dialect, host, port, db, user and password as separate
fields. Ours takes the same kind of URL as the screening store (``TRIALBOT_TRACKER_URL``),
so that development (SQLite) and production (PostgreSQL) differ in one variable::

    tracker_store:
      type: trialbot.rasa_tracker_store.UrlSQLTrackerStore
      url: ${TRIALBOT_TRACKER_URL}

Rasa creates a custom store as ``cls(host=<url>, domain=..., event_broker=..., **rest)``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rasa.core.brokers.broker import EventBroker
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from sqlalchemy import event
from sqlalchemy.engine import make_url

from trialbot.config import default_tracker_url

TRACKER_URL_VARIABLE = "TRIALBOT_TRACKER_URL"


def resolve_url(url: str | None) -> str:
    """The URL to use: the given one, else the environment's, else the SQLite default.

    A SQLite file's directory is created, so that a fresh checkout runs as is.
    """
    url = (url or "").strip() or os.environ.get(TRACKER_URL_VARIABLE) or default_tracker_url()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return url


class UrlSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose database is given as one SQLAlchemy URL."""

    def __init__(
        self,
        domain: Domain | None = None,
        host: str | None = None,
        event_broker: EventBroker | None = None,
        url: str | None = None,
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
            _tune_sqlite(self.engine)


def _tune_sqlite(engine: Any) -> None:
    """WAL (the triage app reads transcripts while Rasa writes), a busy timeout, and
    NORMAL sync — safe under WAL, and it spares an fsync on every conversation turn."""

    def tune(dbapi_connection: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 10000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    event.listen(engine, "connect", lambda connection, _record: tune(connection))
    with engine.connect() as connection:  # the file may have been opened already
        tune(connection.connection)

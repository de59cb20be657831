"""The conversation transcript, read from Rasa's SQL tracker store.

Rasa's ``SQLTrackerStore`` keeps one ``events`` row per event: ``sender_id``,
``type_name`` (``user``, ``bot``, ``action``...), ``timestamp`` (seconds since the epoch)
and ``data`` (the event as JSON text; ``text`` for user and bot messages), sealed at
rest by trialbot's tracker store (``trialbot.rasa_tracker_store.open_data`` opens it;
rows written before encryption are plain JSON). The triage app only reads it. When the
database or table is missing or unreadable the transcript is *unavailable*: the page
says so instead of failing. A row that does not open (changed, or sealed with a key
this process does not hold) shows as :data:`UNREADABLE`, and is logged.

What the tracker store did not keep shows as it was written: ``[not kept]`` for messages
before consent, ``[contact detail]`` for contact details.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import column, create_engine, select, table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from trialbot import buttons
from trialbot.crypto import DecryptionError, decrypt, is_sealed

log = logging.getLogger(__name__)

# What trialbot's tracker store binds each sealed ``data`` value to (the web app does not
# import Rasa, so not taken from trialbot.rasa_tracker_store, which checks it is the same).
DATA_CONTEXT = "events.data"

EVENTS = table(
    "events",
    column("id"),
    column("sender_id"),
    column("type_name"),
    column("timestamp"),
    column("data"),
)
SPEAKERS = {"user": "candidate", "bot": "bot"}
UNREADABLE = "[this message could not be decrypted]"


@dataclass(frozen=True)
class Message:
    speaker: str  # "candidate" or "bot"
    text: str
    at: datetime | None


class TranscriptReader:
    def __init__(self, url: str) -> None:
        self.url = url
        self._engine: Engine | None = None

    def _connectable(self) -> Engine | None:
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            return None
        if parsed.get_backend_name() == "sqlite":
            # Never create an empty tracker file just by looking for one.
            database = parsed.database or ""
            if not database or not Path(database).is_file():
                return None
        if self._engine is None:
            self._engine = create_engine(self.url, future=True, pool_pre_ping=True)
        return self._engine

    def messages(self, sender_id: str) -> list[Message] | None:
        """The candidate's and the bot's messages in order; ``None`` when unavailable."""
        engine = self._connectable()
        if engine is None:
            return None
        query = (
            select(EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.data)
            .where(EVENTS.c.sender_id == sender_id, EVENTS.c.type_name.in_(tuple(SPEAKERS)))
            .order_by(EVENTS.c.timestamp, EVENTS.c.id)
        )
        try:
            with engine.connect() as connection:
                rows = connection.execute(query).all()
        except SQLAlchemyError as error:
            log.warning("transcript unavailable: %s", type(error).__name__)
            return None
        messages = []
        for type_name, timestamp, data in rows:
            try:
                event = open_event(data)
            except DecryptionError as error:
                log.error("transcript: an event does not open: %s", error)
                messages.append(Message(SPEAKERS[type_name], UNREADABLE, _moment(timestamp)))
                continue
            except (ValueError, TypeError):
                continue
            text = event.get("text") if isinstance(event, dict) else None
            if not text:
                continue
            # A button tap shows as its title, as the candidate saw it.
            messages.append(
                Message(SPEAKERS[type_name], buttons.shown(str(text)), _moment(timestamp))
            )
        return messages

    def dispose(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def open_event(data: object) -> dict[str, object]:
    """An ``events.data`` value as the event's dict: sealed (opened with the data key)
    or plain JSON written before encryption."""
    if is_sealed(data):
        return dict(json.loads(decrypt(str(data), DATA_CONTEXT)))
    if isinstance(data, str):
        event = json.loads(data)
        if not isinstance(event, dict):
            raise ValueError("not an event")
        return event
    return dict(data or {})  # type: ignore[call-overload]


def _moment(timestamp: object) -> datetime | None:
    try:
        return datetime.fromtimestamp(float(timestamp), tz=timezone.utc)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError, OSError):
        return None

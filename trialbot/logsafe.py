"""Logs that name no one: no candidate's words, contact details or sender ids in any line.

Both servers log what candidates send at some level: Rasa logs each message's text and
sender id at DEBUG (the parse result, the rule policy's states, the lock and tracker
stores), channels name the sender in warnings, and any traceback can quote a message.
Rather than chase those calls one by one (Rasa adds new ones in every release),
:func:`install` has every log record of the process scrubbed when it is created
(``logging.setLogRecordFactory``), before any filter, handler or formatter sees it, so it
holds whichever logger wrote the record and however the handlers are set up later:

* the sender id of the message being handled becomes ``sender:<tag>``, a keyed hash
  (HMAC-SHA256 under ``TRIALBOT_LOG_KEY``; the same in both processes, so one
  conversation can be followed through the logs), and the candidate's words become
  ``[text]``, also when they appear JSON- or repr-escaped. The message being handled is
  a context variable set by :func:`handling` (the action server, per request) or by
  :func:`watch_rasa_messages` (Rasa, whenever a channel builds a ``UserMessage``);
* e-mail addresses and phone numbers become ``[email]`` and ``[phone]`` anywhere;
* the process's own secrets (the action server's secret, the log key, the API token)
  become ``[secret]``;
* lines logged before a message is handled get filters on their loggers: Sanic's access
  lines (Rasa's HTTP API names the conversation in its paths) and Socket.IO's (Engine.IO
  logs every packet's data, Socket.IO the session id as a room).

The record's message is formatted, scrubbed and stored back (``args`` emptied); a
traceback is formatted and scrubbed into ``exc_text``, which formatters print instead of
formatting the exception again. Python warnings are routed through logging, so they are
scrubbed too. Without ``TRIALBOT_LOG_KEY`` the key is random per process: the tags then
tell conversations apart within one process only.
"""

from __future__ import annotations

import contextvars
import functools
import hashlib
import hmac
import json
import logging
import os
import re
import secrets
import threading
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

KEY_VARIABLE = "TRIALBOT_LOG_KEY"
# Variables whose values are never written to a log.
SECRET_VARIABLES = (
    "TRIALBOT_ACTION_SECRET",
    KEY_VARIABLE,
    "TRIALBOT_RASA_API_TOKEN",
    "TRIALBOT_DATA_KEY",
)
TAG_LENGTH = 12
MIN_SECRET_LENGTH = 8  # shorter values would match ordinary words

TEXT = "[text]"
EMAIL = "[email]"
PHONE = "[phone]"
SECRET = "[secret]"
WITHHELD = "[log message withheld: it could not be checked for personal data]"

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Nine to fifteen digits, optionally grouped by spaces, dots, dashes or brackets: phone
# numbers in any usual notation, but not parts of longer tokens (ids, float timestamps,
# ISO times such as 2026-12-01 23:30:52).
_PHONE = re.compile(r"(?<![\w+-])(?<!\d[.,])\+?\(?\d(?:[\s().-]{0,2}\d){8,14}(?![\w:])(?![.,]\d)")
# Rasa's HTTP API names the conversation in its paths (/conversations/<sender>/tracker).
_CONVERSATION_PATH = re.compile(r"(/conversations/)([^/?#\s]+)")
# Socket.IO's own lines: Engine.IO logs each packet with its data (the candidate's message
# and session id), Socket.IO names the room (the session id, i.e. the sender id) it emits to.
_PACKET = re.compile(r"(: (?:Received|Sending) packet \w+ data ).*", re.DOTALL)
_ROOM = re.compile(
    r'((?:entering room |leaving room |^room |emitting event "[^"]*" to ))(\S+)(?= )'
)
SOCKETIO_LOGGERS = ("engineio.server", "socketio.server", "socketio")
# Hash digits spelled as letters, so that a tag never reads as a phone number.
_LETTERS = str.maketrans("0123456789abcdef", "ghijklmnopabcdef")


@functools.cache
def _key() -> bytes:
    configured = os.environ.get(KEY_VARIABLE)
    return configured.encode() if configured else secrets.token_bytes(32)


def sender_tag(sender_id: str, key: bytes | None = None) -> str:
    """What logs say instead of a sender id: ``sender:`` and a short keyed hash (under
    ``key``, by default this process's ``TRIALBOT_LOG_KEY``)."""
    digest = hmac.new(key or _key(), sender_id.encode(), hashlib.sha256).hexdigest()
    return f"sender:{digest[:TAG_LENGTH].translate(_LETTERS)}"


def _forms(text: str) -> set[str]:
    """The ways a string appears in log lines: as is, JSON-escaped (structlog's JSON
    lines), repr-escaped (Rasa's event reprs), and a repr inside JSON."""
    escaped = repr(text)[1:-1]
    return {
        text,
        json.dumps(text)[1:-1],
        json.dumps(text, ensure_ascii=False)[1:-1],
        escaped,
        json.dumps(escaped)[1:-1],
    }


def _pattern(values: Iterable[str]) -> re.Pattern[str] | None:
    """Any of ``values`` (longest first) as a whole word, ignoring case."""
    forms = sorted({f for v in values if v.strip() for f in _forms(v)}, key=len, reverse=True)
    if not forms:
        return None
    alternatives = "|".join(re.escape(f) for f in forms)
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


@dataclass(frozen=True)
class _Handling:
    """The message being handled: its sender and the candidate's words it carries."""

    sender_id: str
    texts: tuple[str, ...]

    @functools.cached_property
    def sender(self) -> re.Pattern[str] | None:
        return _pattern([self.sender_id])

    @functools.cached_property
    def words(self) -> re.Pattern[str] | None:
        return _pattern(self.texts)

    @functools.cached_property
    def tag(self) -> str:
        return sender_tag(self.sender_id)


_HANDLING: contextvars.ContextVar[_Handling | None] = contextvars.ContextVar(
    "trialbot_logsafe_handling", default=None
)


def handling(sender_id: str | None, texts: Iterable[str | None] = ()) -> contextvars.Token[Any]:
    """Marks the rest of the current task (and the threads it starts with
    ``asyncio.to_thread``) as handling ``sender_id``'s message with these words. Returns
    the token for ``reset``."""
    words = tuple(t for t in texts if isinstance(t, str) and t.strip())
    return _HANDLING.set(_Handling(str(sender_id or ""), words) if sender_id or words else None)


def reset(token: contextvars.Token[Any]) -> None:
    _HANDLING.reset(token)


@functools.cache
def _secrets() -> re.Pattern[str] | None:
    values = [os.environ.get(name) or "" for name in SECRET_VARIABLES]
    values = [v for v in values if len(v) >= MIN_SECRET_LENGTH]
    if not values:
        return None
    return re.compile("|".join(re.escape(v) for v in sorted(values, key=len, reverse=True)))


def scrub(text: str) -> str:
    """``text`` with the current message's sender and words, e-mail addresses, phone
    numbers and the process's secrets replaced."""
    known = _secrets()
    if known is not None:
        text = known.sub(SECRET, text)
    current = _HANDLING.get()
    if current is not None:
        if current.sender is not None:
            text = current.sender.sub(current.tag, text)
        if current.words is not None:
            text = current.words.sub(TEXT, text)
    text = _EMAIL.sub(EMAIL, text)
    return _PHONE.sub(PHONE, text)


def scrub_record(record: logging.LogRecord) -> None:
    """Replaces the record's message and traceback with their scrubbed text."""
    try:
        record.msg = scrub(record.getMessage())
        record.args = ()
        if record.exc_info:
            formatted = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
            record.exc_text = scrub(formatted)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
    except Exception:  # a line that cannot be checked is not written as it was
        record.msg, record.args = WITHHELD, ()
        record.exc_info, record.exc_text, record.stack_info = None, None, None


class AccessLogFilter(logging.Filter):
    """Sanic's access lines carry the request line in ``extra`` fields, which are set
    after the record is created: scrubbed here (a filter on the ``sanic.access`` logger,
    which every access line passes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = record.__dict__.get("request")
        if isinstance(request, str):
            tagged = _CONVERSATION_PATH.sub(lambda m: m[1] + sender_tag(m[2]), request)
            record.__dict__["request"] = scrub(tagged)
        return True


class SocketIOLogFilter(logging.Filter):
    """Engine.IO's packet lines lose their data; Socket.IO's rooms (session ids, which are
    sender ids) become tags. They are logged outside the message's handling (a packet
    arrives before a ``UserMessage`` exists), so the context cannot know them. A filter on
    each of those loggers, which their lines are logged on."""

    def filter(self, record: logging.LogRecord) -> bool:
        text = _PACKET.sub(r"\1[packet]", record.getMessage())
        room = _ROOM.sub(lambda m: m[1] + (m[2] if m[2] == "all" else sender_tag(m[2])), text)
        record.msg, record.args = room, ()
        return True


_install_lock = threading.Lock()
_previous_factory: Callable[..., logging.LogRecord] | None = None


def install() -> None:
    """Scrubs every log record of this process from now on (once per process)."""
    global _previous_factory
    with _install_lock:
        if _previous_factory is not None:
            return
        previous = logging.getLogRecordFactory()

        def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            scrub_record(record)
            return record

        _previous_factory = previous
        logging.setLogRecordFactory(scrubbed_record)
        logging.captureWarnings(True)
        logging.getLogger("sanic.access").addFilter(AccessLogFilter())
        for name in SOCKETIO_LOGGERS:
            logging.getLogger(name).addFilter(SocketIOLogFilter())


def installed() -> bool:
    return _previous_factory is not None


def uninstall() -> None:
    """Undoes :func:`install` (for tests that must leave the process as they found it)."""
    global _previous_factory
    with _install_lock:
        if _previous_factory is None:
            return
        logging.setLogRecordFactory(_previous_factory)
        _previous_factory = None
        logging.captureWarnings(False)
        ours = (AccessLogFilter, SocketIOLogFilter)
        for name in ("sanic.access", *SOCKETIO_LOGGERS):
            logger = logging.getLogger(name)
            for installed in [f for f in logger.filters if isinstance(f, ours)]:
                logger.removeFilter(installed)


def watch_rasa_messages() -> None:
    """In the Rasa server: every message a channel hands to Rasa (a ``UserMessage``,
    built in the task that then processes it) marks that task as handling its sender and
    text, so everything logged while Rasa handles it is scrubbed of both."""
    from rasa.core.channels.channel import UserMessage

    if getattr(UserMessage.__init__, "_trialbot_logsafe", False):
        return
    rasa_init = UserMessage.__init__

    @functools.wraps(rasa_init)
    def __init__(self: UserMessage, *args: Any, **kwargs: Any) -> None:
        rasa_init(self, *args, **kwargs)
        handling(self.sender_id, [self.text])

    __init__._trialbot_logsafe = True  # type: ignore[attr-defined]
    UserMessage.__init__ = __init__  # type: ignore[method-assign]

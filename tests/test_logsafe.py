"""Log lines name no one (trialbot.logsafe): the sender and the words of the message being
handled, e-mail addresses, phone numbers and secrets are replaced in every record, whatever
logger wrote it and however its handlers format it. (A whole screening through both
servers at DEBUG: tests/conversations/test_private_logs.py.)"""

from __future__ import annotations

import asyncio
import json
import logging
import warnings
from collections.abc import Iterator

import pytest

from trialbot import logsafe

KEY = b"a-log-key-for-the-tests"
SENDER = "whatsapp:+420601987654"
TEXT = 'it\'s my "back" — ačkoli quokkafish'


class Lines(logging.Handler):
    """What a handler writes, formatted as Rasa's console handler formats it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s - %(message)s"))
        self.lines: list[str] = []
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def lines(monkeypatch: pytest.MonkeyPatch) -> Iterator[Lines]:
    monkeypatch.setenv("TRIALBOT_LOG_KEY", KEY.decode())
    monkeypatch.setenv("TRIALBOT_ACTION_SECRET", "the-action-servers-secret")
    logsafe._key.cache_clear()
    logsafe._secrets.cache_clear()
    # A socket.io server made earlier in this process sets these loggers to ERROR
    # (python-socketio does when given no logger); the tests need them as configured.
    socket_loggers = [logging.getLogger(n) for n in ("engineio.server", "socketio.server")]
    saved = [(logger, logger.level) for logger in socket_loggers]
    for logger in socket_loggers:
        logger.setLevel(logging.NOTSET)  # setLevel also clears the loggers' level caches
        monkeypatch.setattr(logger, "disabled", False)
        monkeypatch.setattr(logger, "propagate", True)
    handler = Lines()
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    logsafe.install()
    token = logsafe.handling(None)
    try:
        yield handler
    finally:
        logsafe.reset(token)
        logsafe.uninstall()
        root.removeHandler(handler)
        root.setLevel(previous_level)
        logsafe._key.cache_clear()
        logsafe._secrets.cache_clear()
        for logger, level in saved:
            logger.setLevel(level)


def test_the_sender_and_their_words_are_replaced_in_any_form(lines: Lines) -> None:
    log = logging.getLogger("rasa.core.processor")
    logsafe.handling(SENDER, [TEXT])
    log.debug("Received user message '%s' from %s", TEXT, SENDER)
    log.debug(json.dumps({"parse_data_text": TEXT, "sender": SENDER}))  # structlog's JSON
    log.debug("Logged %r", ("UserUttered", TEXT))  # an event's repr
    log.warning(f"No reply for a message from {SENDER.upper()}")  # another case
    tag = logsafe.sender_tag(SENDER, key=KEY)
    assert lines.lines == [
        f"DEBUG rasa.core.processor - Received user message '[text]' from {tag}",
        f'DEBUG rasa.core.processor - {{"parse_data_text": "[text]", "sender": "{tag}"}}',
        "DEBUG rasa.core.processor - Logged ('UserUttered', '[text]')",
        f"WARNING rasa.core.processor - No reply for a message from {tag}",
    ]


def test_a_traceback_is_scrubbed_too(lines: Lines) -> None:
    logsafe.handling(SENDER, [TEXT])
    try:
        raise ValueError(f"could not read {TEXT!r} from {SENDER}")
    except ValueError:
        logging.getLogger("actions.interview").exception("The interview failed")
    assert "Traceback" in lines.text and "ValueError: could not read '[text]'" in lines.text
    assert "quokkafish" not in lines.text and "601987654" not in lines.text


def test_contact_details_and_secrets_are_replaced_in_any_line(lines: Lines) -> None:
    log = logging.getLogger("somewhere")
    log.info("write to jana.testova@example.com or call +420 601 123 456 or (601) 123-4567.")
    log.info("Authorization: Bearer the-action-servers-secret")
    log.info("1796167851.6223614 2026-12-01 23:30:52 id 4f2a-1234-123456789012 52 years")
    assert lines.lines == [
        "INFO somewhere - write to [email] or call [phone] or [phone].",
        "INFO somewhere - Authorization: Bearer [secret]",
        "INFO somewhere - 1796167851.6223614 2026-12-01 23:30:52 id 4f2a-1234-123456789012 52 years",
    ]


async def test_the_words_are_known_in_the_threads_a_message_starts(lines: Lines) -> None:
    async def handle(sender: str, text: str) -> None:
        logsafe.handling(sender, [text])
        await asyncio.sleep(0)
        await asyncio.to_thread(logging.getLogger("store").info, "stored %s for %s", text, sender)

    await asyncio.gather(handle("ann-1", "pelican answer"), handle("bob-2", "walrus answer"))
    assert sorted(line for line in lines.lines if "store" in line) == sorted(
        f"INFO store - stored [text] for {logsafe.sender_tag(s, key=KEY)}"
        for s in ("ann-1", "bob-2")
    )


def test_each_conversation_has_its_own_tag(lines: Lines) -> None:
    tags = {logsafe.sender_tag(s, key=KEY) for s in ("a", "b", "c", "+420601987654")}
    assert len(tags) == 4
    assert all(logsafe.scrub(t) == t for t in tags)  # a tag never reads as a phone number
    assert logsafe.sender_tag("a", key=b"another key") not in tags


def test_rasa_messages_mark_their_task(lines: Lines, monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.core.channels.channel import UserMessage

    monkeypatch.setattr(UserMessage, "__init__", UserMessage.__init__)  # put back afterwards
    logsafe.watch_rasa_messages()
    logsafe.watch_rasa_messages()  # once is enough: no second wrapper

    async def channel(sender: str, text: str) -> None:
        message = UserMessage(text, sender_id=sender)
        logging.getLogger("rasa.core.lock_store").debug(
            "Issuing ticket for conversation '%s': %s", message.sender_id, message.text
        )

    asyncio.run(channel("telegram-123456", "my knee and my pelvis"))
    tag = logsafe.sender_tag("telegram-123456", key=KEY)
    assert lines.lines == [
        f"DEBUG rasa.core.lock_store - Issuing ticket for conversation '{tag}': [text]"
    ]


def test_warnings_and_access_lines_are_scrubbed(lines: Lines) -> None:
    logsafe.handling(SENDER, [TEXT])
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn(f"Slot value {TEXT!r} is odd", UserWarning, stacklevel=1)
    assert "[text]" in lines.text and "quokkafish" not in lines.text

    request = f"GET /conversations/{SENDER}/tracker?token=the-action-servers-secret"
    logging.getLogger("sanic.access").info("", extra={"request": request, "host": "x"})
    tag = logsafe.sender_tag(SENDER, key=KEY)
    assert (
        lines.records[-1].__dict__["request"] == f"GET /conversations/{tag}/tracker?token=[secret]"
    )


def test_a_line_that_cannot_be_formatted_is_withheld(lines: Lines) -> None:
    logging.getLogger("x").info("%s and %s", "only one")
    assert lines.lines == [f"INFO x - {logsafe.WITHHELD}"]


def test_socketio_packets_and_rooms_are_not_logged(lines: Lines) -> None:
    packet = '2["user_uttered",{"message":"quokkafish pie","session_id":"sess-4711"}]'
    logging.getLogger("engineio.server").info(
        "%s: Received packet %s data %s", "sid1", "MESSAGE", packet
    )
    socketio = logging.getLogger("socketio.server")
    socketio.info("%s is entering room %s [%s]", "sid1", "sess-4711", "/")
    socketio.info('emitting event "%s" to %s [%s]', "bot_uttered", "sess-4711", "/")
    socketio.info('emitting event "%s" to %s [%s]', "bot_uttered", "all", "/")
    tag = logsafe.sender_tag("sess-4711", key=KEY)
    assert lines.lines == [
        "INFO engineio.server - sid1: Received packet MESSAGE data [packet]",
        f"INFO socketio.server - sid1 is entering room {tag} [/]",
        f'INFO socketio.server - emitting event "bot_uttered" to {tag} [/]',
        'INFO socketio.server - emitting event "bot_uttered" to all [/]',
    ]

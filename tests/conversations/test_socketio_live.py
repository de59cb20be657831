"""The website widget's channel, live: a real socket.io client against the real stack.

A ``socketio.AsyncClient`` connects to the Rasa server that ``bot`` starts (trained
model, real action server), over a WebSocket and over long-polling, asks for a session
the way the widget does (``session_request {session_id, token}`` → ``session_confirm
{session_id, token, resumed}``: the server picks the id and signs a token for it), and
plays the start of a screening: greeting, consent, the first questions, a question about
the study in between. Each ``bot_uttered`` event must be one whole utterance: a
question's text, its buttons (as ``quick_replies``) and its payload ``{"question_id",
"expects", "options"}`` arrive together, and what asks nothing carries no
``question_id``. The answers and the consent must land in the screening store, recorded
as given on the ``socketio`` channel.

Only the candidate can speak in their conversation (issue 11): a socket that names
another conversation's id without its token gets a new, empty conversation, hears
nothing of the other and changes nothing in it; the token resumes the conversation with
its history; a page from a foreign origin cannot open a socket at all."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import aiohttp
import pytest
import socketio
import yaml
from candidates import SCREENING, question_of
from harness import QUESTIONS, TRIAL_ID, Bot, contract_problems

from trialbot.devtools.train import ROOT

pytestmark = pytest.mark.rasa

USER_EVENT = "user_uttered"  # bot/credentials.yml: user_message_evt
BOT_EVENT = "bot_uttered"  # bot/credentials.yml: bot_message_evt

SHORT_TITLE = yaml.safe_load((ROOT / "criteria" / f"{TRIAL_ID}.yml").read_text())["short_title"]
APOLOGY = ("went wrong", "try again")  # what the bot says when an action failed

CONNECT_TIMEOUT = 30.0
# Disconnecting over long-polling waits for the pending GET, which the engine.io server
# only answers at its ping interval (25 s): about 30 s, against 0.1 s over a WebSocket.
DISCONNECT_TIMEOUT = 60.0
# A turn runs the model and one or more actions; the first turn of a fresh server is slow.
TURN_TIMEOUT = 90.0
# Within a turn, a gap this long without a message (and no question yet) ends the turn.
TURN_GAP = 10.0
# After a turn's question, how long any stray part of it (a split payload) may trail.
STRAGGLERS = 1.5


def _ws_close_timeout(ws_close: float = 10.0, **_: Any) -> float:
    """aiohttp < 3.11's form of ``aiohttp.ClientWSTimeout(ws_close=...)``: a float."""
    return ws_close


@pytest.fixture(params=["websocket", "polling"])
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both engine.io transports a browser may use. The locked python-engineio's client
    builds ``aiohttp.ClientWSTimeout`` (aiohttp >= 3.11) while Rasa 3.6 pins aiohttp 3.9,
    whose ``ws_connect`` takes the close timeout as a float: that is all the shim does.
    The server side, which is what this tests, is untouched."""
    if request.param == "websocket" and not hasattr(aiohttp, "ClientWSTimeout"):
        monkeypatch.setattr(aiohttp, "ClientWSTimeout", _ws_close_timeout, raising=False)
    return str(request.param)


class Widget:
    """A socket.io client that talks to the bot the way the website widget does."""

    def __init__(self, url: str, transport: str, origin: str | None = None) -> None:
        self.url = url
        self.transport = transport
        self.origin = origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.session_id: str | None = None
        self.token: str | None = None
        self.transcript: list[str] = []
        self._confirmed: asyncio.Queue[Any] = asyncio.Queue()
        self._messages: asyncio.Queue[Any] = asyncio.Queue()
        self.histories: asyncio.Queue[Any] = asyncio.Queue()
        self.client.on("session_confirm", self._confirmed.put_nowait)
        self.client.on("session_history", self.histories.put_nowait)
        self.client.on(BOT_EVENT, self._messages.put_nowait)

    async def connect(
        self, session_id: str | None = None, token: str | None = None
    ) -> dict[str, Any]:
        """Opens the socket and asks for a session (a stored one, or a new one); returns
        the server's ``session_confirm``."""
        await asyncio.wait_for(
            self.client.connect(
                self.url,
                socketio_path="/socket.io",
                transports=[self.transport],
                headers={"Origin": self.origin} if self.origin else {},
                wait_timeout=10,
            ),
            CONNECT_TIMEOUT,
        )
        assert self.client.transport() == self.transport
        await self.client.emit("session_request", {"session_id": session_id, "token": token})
        confirmed = await asyncio.wait_for(self._confirmed.get(), CONNECT_TIMEOUT)
        assert isinstance(confirmed, dict), f"session_confirm {confirmed!r}"
        assert isinstance(confirmed.get("session_id"), str) and confirmed.get("token"), confirmed
        self.session_id, self.token = confirmed["session_id"], confirmed["token"]
        return confirmed

    async def say(self, text: str) -> list[Any]:
        """Sends ``text`` and returns the turn's ``bot_uttered`` payloads: everything up
        to the first message that asks a question, plus anything trailing it."""
        assert self.session_id is not None, "connect first"
        assert self._messages.empty(), f"unexpected messages: {self._drain()}"
        self.transcript.append(f"  you> {text!r}")
        await self.client.emit(USER_EVENT, {"message": text})
        loop = asyncio.get_running_loop()
        deadline = loop.time() + TURN_TIMEOUT
        received: list[Any] = []
        while not any(isinstance(m, dict) and question_of(m) for m in received):
            left = deadline - loop.time()
            wait = min(left, TURN_GAP) if received else left
            if wait <= 0:
                break
            try:
                received.append(await asyncio.wait_for(self._messages.get(), wait))
            except asyncio.TimeoutError:
                break
            self.transcript.append(f"  bot> {received[-1]!r}")
        else:
            await asyncio.sleep(STRAGGLERS)
            for message in self._drain():
                received.append(message)
                self.transcript.append(f"  bot> {message!r}")
        assert received, f"no {BOT_EVENT} within {TURN_TIMEOUT:.0f} s of {text!r}\n{self}"
        return received

    def received_nothing(self) -> bool:
        return self._messages.empty()

    def _drain(self) -> list[Any]:
        drained = []
        while not self._messages.empty():
            drained.append(self._messages.get_nowait())
        return drained

    async def close(self) -> None:
        if self.client.connected:
            await asyncio.wait_for(self.client.disconnect(), DISCONNECT_TIMEOUT)

    def __str__(self) -> str:
        return "\n".join(self.transcript)


def asked_in(turn: list[Any], widget: Widget) -> dict[str, Any]:
    """The turn's one question: its last event, the only one with a ``question_id``,
    whole (text, quick replies, payload) and true to the criteria file."""
    assert all(isinstance(m, dict) for m in turn), f"a bot_uttered that is not an object\n{widget}"
    asking = [m for m in turn if question_of(m)]
    assert len(asking) == 1, f"{len(asking)} messages with a question_id in one turn\n{widget}"
    question = asking[0]
    assert question is turn[-1], f"something followed the question\n{widget}"
    for message in turn:
        # A text-less event is a part that was split off its utterance.
        text = str(message.get("text") or "")
        assert text.strip(), f"an event without text\n{widget}"
        assert not any(a in text.lower() for a in APOLOGY), f"an apology\n{widget}"
        assert "buttons" not in message, f"socket.io sends buttons as quick_replies\n{widget}"
    # The REST contract, with this channel's name for buttons.
    problems = contract_problems({**question, "buttons": question.get("quick_replies")})
    assert not problems, "\n".join(problems) + f"\n{widget}"
    question_id = question_of(question)
    assert question_id is not None
    options = QUESTIONS[question_id].get("options") or []
    replies = question.get("quick_replies") or []
    assert [r.get("title") for r in replies] == options, f"quick replies\n{widget}"
    assert all(r.get("content_type") == "text" and r.get("payload") for r in replies), widget
    return question


def asks_nothing(messages: list[Any], widget: Widget) -> None:
    assert messages, f"no message before the question\n{widget}"
    for message in messages:
        assert str(message.get("text") or "").strip(), f"an event without text\n{widget}"
        assert question_of(message) is None, f"a question_id on {message!r}\n{widget}"
        custom = message.get("custom")
        assert not (isinstance(custom, dict) and "question_id" in custom), widget


def consent_record(database_url: str, sender: str) -> list[tuple[bool, str]]:
    """(agreed, channel) of each consent the store recorded for ``sender``."""
    import sqlalchemy

    from trialbot.store.models import ConsentRecord

    engine = sqlalchemy.create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sqlalchemy.select(ConsentRecord.agreed, ConsentRecord.channel)
                .where(ConsentRecord.sender_id == sender)
                .order_by(ConsentRecord.id)
            )
            return [(bool(agreed), str(channel)) for agreed, channel in rows]
    finally:
        engine.dispose()


async def test_a_screening_through_the_website_widget_channel(bot: Bot, transport: str) -> None:
    widget = Widget(bot.stack.rasa_url, transport)
    try:
        confirmed = await widget.connect(f"widget-{transport}-{uuid.uuid4().hex[:8]}")
        assert confirmed["resumed"] is False  # a client never chooses its session id
        sender = confirmed["session_id"]
        assert not sender.startswith("widget-") and len(sender) >= 32, sender
        # A greeting: the bot greets, describes the study, asks for consent.
        turn = await widget.say("hi")
        consent = asked_in(turn, widget)
        assert question_of(consent) == "consent", widget
        assert consent["custom"]["expects"] == QUESTIONS["consent"]["expects"] == "yes_no"
        asks_nothing(turn[:-1], widget)  # the greeting and the study's description
        assert any(SHORT_TITLE in str(m["text"]) for m in turn[:-1]), f"no intro\n{widget}"

        # Consent given: the first health question, whole, in one event.
        turn = await widget.say("yes")
        first = asked_in(turn, widget)
        assert question_of(first) == SCREENING[0], widget
        assert first["custom"]["expects"] == QUESTIONS[SCREENING[0]]["expects"], widget

        # A question about the study is answered without a question_id, and the
        # pending question is asked again.
        turn = await widget.say("what is a SPECT/CT scan?")
        again = asked_in(turn, widget)
        assert question_of(again) == SCREENING[0], widget
        asks_nothing(turn[:-1], widget)
        assert "spect" in " ".join(str(m["text"]) for m in turn[:-1]).lower(), widget

        # The age answered: the next question, a closed one, with its quick replies.
        turn = await widget.say("52")
        second = asked_in(turn, widget)
        assert question_of(second) == SCREENING[1], widget
        assert second.get("quick_replies"), widget
    finally:
        await widget.close()

    report = await asyncio.to_thread(bot.report, sender)
    assert report is not None, f"nothing stored for {sender}\n{widget}"
    assert report["sender_id"] == sender and report["trial"] == TRIAL_ID, report
    assert report["answers"]["consent"]["value"] == "yes", report
    assert report["answers"][SCREENING[0]]["value"] == 52, report
    assert report["questions_asked"] == ["consent", *SCREENING[:2]], report
    records = await asyncio.to_thread(consent_record, bot.database_url, sender)
    assert records == [(True, "socketio")], records


async def test_another_sessions_id_without_its_token_gets_a_new_empty_session(
    bot: Bot, transport: str
) -> None:
    """The attack of issue 11: a socket that names a candidate's session id hears nothing
    of that conversation and cannot answer for the candidate; the candidate's own token
    resumes it, with the conversation so far."""
    url = bot.stack.rasa_url
    victim, attacker = Widget(url, transport), Widget(url, transport)
    try:
        await victim.connect()
        victim_id, victim_token = victim.session_id, victim.token
        assert victim_id is not None and victim_token is not None
        assert question_of(asked_in(await victim.say("hi"), victim)) == "consent"
        assert question_of(asked_in(await victim.say("yes"), victim)) == SCREENING[0]
        assert question_of(asked_in(await victim.say("52"), victim)) == SCREENING[1]

        # Without the token: a new session, nothing of the victim's shown.
        confirmed = await attacker.connect(victim_id, None)
        assert confirmed["session_id"] != victim_id and confirmed["resumed"] is False
        # With a token of its own session: still not the victim's.
        await attacker.client.emit(
            "session_request", {"session_id": victim_id, "token": attacker.token}
        )
        confirmed = await asyncio.wait_for(attacker._confirmed.get(), CONNECT_TIMEOUT)
        assert confirmed["session_id"] not in (victim_id, None) and not confirmed["resumed"]
        attacker.session_id = confirmed["session_id"]
        assert attacker.histories.empty()
        # "actually I'm 85", addressed to the victim's session: a new conversation greets.
        await attacker.client.emit(USER_EVENT, {"message": "85", "session_id": victim_id})
        turn: list[Any] = []
        while not any(isinstance(m, dict) and question_of(m) for m in turn):
            turn.append(await asyncio.wait_for(attacker._messages.get(), TURN_TIMEOUT))
        assert question_of(turn[-1]) == "consent", turn  # its own, new conversation

        # The victim's conversation goes on, unchanged, heard by the victim alone.
        again = asked_in(await victim.say("what is a SPECT/CT scan?"), victim)
        assert question_of(again) == SCREENING[1], victim
        await asyncio.sleep(STRAGGLERS)
        assert attacker.received_nothing(), attacker._drain()
    finally:
        await attacker.close()
        await victim.close()

    report = await asyncio.to_thread(bot.report, victim_id)
    assert report is not None and report["answers"][SCREENING[0]]["value"] == 52, report
    assert report["questions_asked"] == ["consent", *SCREENING[:2]], report

    # The candidate comes back (a reload): the token resumes the conversation and shows it.
    back = Widget(url, transport)
    try:
        confirmed = await back.connect(victim_id, victim_token)
        assert confirmed["session_id"] == victim_id and confirmed["resumed"] is True
        history = (await asyncio.wait_for(back.histories.get(), CONNECT_TIMEOUT))["messages"]
        said = [m["text"] for m in history if m["sender"] == "user"]
        # (What is kept before consent is the privacy work's business: the end is checked.)
        assert said[-2:] == ["52", "what is a SPECT/CT scan?"], history
        assert "85" not in said
        last = history[-1]
        assert last["sender"] == "bot" and last["custom"]["question_id"] == SCREENING[1], last
        assert [b["title"] for b in last["buttons"]] == QUESTIONS[SCREENING[1]]["options"]
        # And it continues where it was.
        turn = await back.say(QUESTIONS[SCREENING[1]]["options"][0])
        assert question_of(asked_in(turn, back)) not in (None, "consent", SCREENING[1]), back
    finally:
        await back.close()


async def test_a_page_from_a_foreign_origin_cannot_open_a_socket(bot: Bot, transport: str) -> None:
    url = bot.stack.rasa_url
    foreign = Widget(url, transport, origin="http://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        await foreign.connect()
    await foreign.close()
    # The demo page's own origin (the Rasa server's) may.
    own = Widget(url, transport, origin=url)
    try:
        confirmed = await own.connect()
        assert confirmed["resumed"] is False
    finally:
        await own.close()

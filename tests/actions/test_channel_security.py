"""Only the candidate can speak in their conversation; oversized input is refused.

Each test runs trialbot's real channel blueprints on a real Sanic server on 127.0.0.1
(the way Rasa registers them), with a small bot in place of Rasa's agent that records
what reached it and answers through the channel's own output. The widget tests use a
real ``socketio.AsyncClient`` (polling and WebSocket) and, for the conversation history,
Rasa's own in-memory tracker and lock stores.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import aiohttp
import pytest
import socketio
from aiohttp import web
from big_body import REFUSED_BY_RESET, send_big_body
from rasa.core.channels.channel import UserMessage
from rasa.core.lock_store import InMemoryLockStore
from rasa.core.tracker_store import InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, UserUttered
from sanic import Sanic

from trialbot import channels, messages
from trialbot.channels import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    QuestionnaireRestInput,
    QuestionnaireSocketIOInput,
    QueuedMessengerClient,
    SessionTokens,
    VerifiedFacebookInput,
    VerifiedTelegramInput,
    VerifiedTwilioInput,
    hub_signature,
    twilio_signature,
)
from trialbot.devtools.services import free_port

QUESTION: dict[str, Any] = {
    "text": "Do you have pain in your lower back?",
    "buttons": [{"title": "Yes", "payload": "Yes"}, {"title": "No", "payload": "No"}],
    "custom": {"question_id": "low_back_pain", "expects": "yes_no", "options": ["Yes", "No"]},
}


class EchoBot:
    """Stands in for Rasa's agent: records each message, answers with the question, and
    keeps the conversation in Rasa's in-memory tracker store (for the widget's history)."""

    def __init__(self) -> None:
        self.heard: list[UserMessage] = []
        self.tracker_store = InMemoryTrackerStore(Domain.empty())
        self.lock_store = InMemoryLockStore()

    async def __call__(self, message: UserMessage) -> None:
        self.heard.append(message)
        tracker = await self.tracker_store.get_or_create_tracker(message.sender_id)
        tracker.update(UserUttered(message.text))
        reply = {**QUESTION, "text": f"{QUESTION['text']} (you said {message.text[:20]})"}
        tracker.update(
            BotUttered(reply["text"], {"buttons": reply["buttons"], "custom": reply["custom"]})
        )
        await self.tracker_store.save(tracker)
        await message.output_channel.send_response(message.sender_id, dict(reply))

    def texts(self, sender: str | None = None) -> list[str]:
        return [m.text or "" for m in self.heard if sender is None or m.sender_id == sender]


@pytest.fixture(autouse=True)
def _sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Several Sanic apps start in one process: Sanic's test mode keeps each startup's
    rewriting of its HTTP methods (``TouchUp``) working from the original code, which is
    put back afterwards (for the next test's app, in test mode or not)."""
    from sanic.touchup import TouchUp

    monkeypatch.setattr(Sanic, "test_mode", True)
    yield
    for target, name in TouchUp._registry:
        original = getattr(target, f"_{name}", None)
        if original is not None:
            setattr(target, name, original)


@asynccontextmanager
async def serving(
    bot: EchoBot, *channel_list: Any, prefix: str = "/webhooks/"
) -> AsyncIterator[str]:
    """Registers the channels as Rasa does (``rasa.core.channels.channel.register``) on a
    real server and yields its base URL."""
    app = Sanic(f"channel_test_{uuid.uuid4().hex[:8]}")
    app.ctx.agent = bot
    for channel in channel_list:
        app.blueprint(channel.blueprint(bot), url_prefix=f"{prefix}{channel.url_prefix()}")
        if isinstance(channel, QuestionnaireSocketIOInput) and channel.sio is not None:
            # A long-polling client's disconnect waits for the server's next ping (25 s).
            channel.sio.eio.ping_interval = 1
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


# -- REST --------------------------------------------------------------------------------


async def test_rest_without_a_token_is_open_and_with_one_requires_the_bearer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRIALBOT_REST_TOKEN", raising=False)
    bot = EchoBot()
    body = {"sender": "c1", "message": "hi"}
    async with (
        serving(bot, QuestionnaireRestInput()) as url,
        aiohttp.ClientSession() as http,
        http.post(f"{url}/webhooks/rest/webhook", json=body) as answer,
    ):
        assert answer.status == 200
    assert bot.texts() == ["hi"]

    monkeypatch.setenv("TRIALBOT_REST_TOKEN", "s3cret-token-for-tests")
    bot = EchoBot()
    webhook = "/webhooks/rest/webhook"
    async with serving(bot, QuestionnaireRestInput()) as url, aiohttp.ClientSession() as http:
        statuses = {}
        for name, headers in {
            "none": {},
            "wrong": {"Authorization": "Bearer not-the-token"},
            "basic": {"Authorization": "Basic czNjcmV0LXRva2VuLWZvci10ZXN0cw=="},
            "right": {"Authorization": "Bearer s3cret-token-for-tests"},
        }.items():
            async with http.post(f"{url}{webhook}", json=body, headers=headers) as answer:
                statuses[name] = answer.status
        async with http.get(f"{url}/webhooks/rest/") as answer:
            statuses["health"] = answer.status
    assert statuses == {"none": 401, "wrong": 401, "basic": 401, "right": 200, "health": 401}
    assert bot.texts() == ["hi"]  # only the authorised request reached the bot


async def test_rest_refuses_sender_ids_that_are_too_long_or_unsafe(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRIALBOT_REST_TOKEN", raising=False)
    bot = EchoBot()
    senders: dict[Any, int] = {
        "x" * 10_000: 400,
        "x" * 129: 400,
        "x" * 128: 200,
        "a b": 400,
        "<script>": 400,
        "a/../b": 400,
        "ü": 400,
        12345: 400,
        "whatsapp:+420777123456": 200,
        "eval-p01-0a1b2c3d": 200,
        "me@example.org": 200,
    }
    results = {}
    async with serving(bot, QuestionnaireRestInput()) as url, aiohttp.ClientSession() as http:
        for sender, _ in senders.items():
            body = {"sender": sender, "message": "hi"}
            async with http.post(f"{url}/webhooks/rest/webhook", json=body) as answer:
                results[sender] = answer.status
    assert results == senders
    assert sorted(m.sender_id for m in bot.heard) == sorted(
        s for s, status in senders.items() if status == 200
    )


async def test_a_long_message_is_cut_before_nlu_the_candidate_told_and_metadata_dropped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRIALBOT_REST_TOKEN", raising=False)
    bot = EchoBot()
    long_text = "I have had pain in my back for years. " * 200  # 7,800 characters
    body = {
        "sender": "long-1",
        "message": long_text,
        "metadata": {"blob": "x" * 10_000},
        "input_channel": "telegram",
    }
    async with (
        serving(bot, QuestionnaireRestInput()) as url,
        aiohttp.ClientSession() as http,
        http.post(f"{url}/webhooks/rest/webhook", json=body) as answer,
    ):
        assert answer.status == 200
        replies = await answer.json()
    (heard,) = bot.heard
    assert heard.text == long_text[:MAX_MESSAGE_CHARS].strip()
    assert set(heard.metadata) == {"received_at"}  # the channel's own, nothing of the client's
    assert abs(heard.metadata["received_at"] - time.time()) < 60
    assert heard.input_channel == "rest"
    note = messages.render("message_too_long", limit=MAX_MESSAGE_CHARS)
    assert replies[0]["text"] == note  # told first, then the bot's answer
    assert replies[1]["custom"] == QUESTION["custom"]
    assert MAX_MESSAGE_CHARS == 2000


async def test_a_10_mb_body_is_refused_at_once_without_slowing_other_conversations(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("TRIALBOT_REST_TOKEN", raising=False)
    bot = EchoBot()
    path = "/webhooks/rest/webhook"
    async with serving(bot, QuestionnaireRestInput()) as url, aiohttp.ClientSession() as http:

        async def chat(n: int) -> float:
            started = time.monotonic()
            async with http.post(f"{url}{path}", json={"sender": "victim", "message": f"{n}"}) as r:
                assert r.status == 200
            return time.monotonic() - started

        alone = await chat(0)
        attacks = [asyncio.create_task(send_big_body(url, path)) for _ in range(4)]
        latencies = [await chat(n) for n in range(1, 6)]
        refused = await asyncio.gather(*attacks)
        # 64 kB and one byte: refused too; exactly the limit: read (a 400: not JSON).
        at_limit = b" " * MAX_BODY_BYTES
        async with http.post(f"{url}{path}", data=at_limit) as answer:
            assert answer.status == 400
        assert (await send_big_body(url, path, MAX_BODY_BYTES + 1))[0] == 413
    assert all(status in (413, REFUSED_BY_RESET) and took < 1.0 for status, took in refused), (
        refused
    )
    assert max(latencies) < 1.0 + alone, (alone, latencies)
    assert "attacker" not in [m.sender_id for m in bot.heard]
    assert bot.texts("victim") == [str(n) for n in range(6)]


# -- the website widget ------------------------------------------------------------------


class Widget:
    def __init__(self, url: str, transport: str, origin: str | None = None) -> None:
        self.url = url
        self.transport = transport
        self.origin = origin
        self.client = socketio.AsyncClient(reconnection=False)
        self.events: dict[str, asyncio.Queue[Any]] = {}
        for name in ("session_confirm", "session_history", "bot_uttered", "error"):
            queue: asyncio.Queue[Any] = asyncio.Queue()
            self.events[name] = queue
            self.client.on(name, queue.put_nowait)

    async def connect(self) -> None:
        headers = {"Origin": self.origin} if self.origin else {}
        await self.client.connect(
            self.url,
            socketio_path="/socket.io",
            transports=[self.transport],
            headers=headers,
            wait_timeout=10,
        )

    async def next(self, event: str, timeout: float = 10) -> Any:
        return await asyncio.wait_for(self.events[event].get(), timeout)

    def pending(self, event: str) -> list[Any]:
        queue, drained = self.events[event], []
        while not queue.empty():
            drained.append(queue.get_nowait())
        return drained

    async def session(self, session_id: str | None = None, token: str | None = None) -> dict:
        await self.client.emit("session_request", {"session_id": session_id, "token": token})
        confirm = await self.next("session_confirm")
        assert isinstance(confirm, dict), confirm
        return confirm

    async def say(self, text: str, **extra: Any) -> list[dict]:
        await self.client.emit("user_uttered", {"message": text, **extra})
        return [await self.next("bot_uttered")]

    async def close(self) -> None:
        if self.client.connected:
            # Over long-polling the client waits for its pending GET, which the server
            # answers at its next ping: the test does not wait for that.
            with suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.client.disconnect(), 2)


def _ws_close_timeout(ws_close: float = 10.0, **_: Any) -> float:
    return ws_close


@pytest.fixture(params=["websocket", "polling"])
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Both engine.io transports (the aiohttp shim: see tests/conversations)."""
    if request.param == "websocket" and not hasattr(aiohttp, "ClientWSTimeout"):
        monkeypatch.setattr(aiohttp, "ClientWSTimeout", _ws_close_timeout, raising=False)
    return str(request.param)


@pytest.fixture
def widget_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALBOT_WIDGET_SECRET", "widget-secret-for-the-tests-0123456789")
    monkeypatch.delenv("TRIALBOT_WIDGET_ORIGINS", raising=False)


def widget_channel() -> QuestionnaireSocketIOInput:
    channel = QuestionnaireSocketIOInput.from_credentials(
        {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered"}
    )
    assert isinstance(channel, QuestionnaireSocketIOInput)
    return channel


async def test_the_server_picks_the_session_and_a_token_resumes_it_with_its_history(
    widget_env: None, transport: str
) -> None:
    bot = EchoBot()
    async with serving(bot, widget_channel()) as url:
        first = Widget(url, transport)
        try:
            await first.connect()
            confirm = await first.session("my-own-chosen-id", None)
            session_id, token = confirm["session_id"], confirm["token"]
            assert confirm["resumed"] is False
            assert session_id != "my-own-chosen-id"  # a client never chooses
            assert len(session_id) >= 32 and len(base64.urlsafe_b64decode(session_id + "==")) >= 16
            (reply,) = await first.say("hello there", session_id="somebody-else")
            assert reply["custom"] == QUESTION["custom"]
            assert [q["title"] for q in reply["quick_replies"]] == ["Yes", "No"]
            assert "buttons" not in reply
        finally:
            await first.close()
        assert [m.sender_id for m in bot.heard] == [session_id]  # not "somebody-else"

        again = Widget(url, transport)
        try:
            await again.connect()
            confirm = await again.session(session_id, token)
            assert confirm["session_id"] == session_id and confirm["resumed"] is True
            assert SessionTokens.from_environment().verify(session_id, confirm["token"])
            history = (await again.next("session_history"))["messages"]
            assert [(m["sender"], m["text"][:11]) for m in history] == [
                ("user", "hello there"),
                ("bot", QUESTION["text"][:11]),
            ]
            assert history[1]["buttons"] == QUESTION["buttons"]
            assert history[1]["custom"] == QUESTION["custom"]
            await again.say("52")
        finally:
            await again.close()
    assert bot.texts(session_id) == ["hello there", "52"]


async def test_a_socket_naming_another_session_without_its_token_learns_nothing(
    widget_env: None, transport: str
) -> None:
    bot = EchoBot()
    async with serving(bot, widget_channel()) as url:
        victim, attacker = Widget(url, transport), Widget(url, transport)
        try:
            await victim.connect()
            victim_confirm = await victim.session()
            victim_id, victim_token = victim_confirm["session_id"], victim_confirm["token"]
            await victim.say("my secret answer")

            await attacker.connect()
            # Before any session: refused.
            await attacker.client.emit("user_uttered", {"message": "hi", "session_id": victim_id})
            assert (await attacker.next("error"))["error"] == "no_session"
            forged = [
                (victim_id, None),
                (victim_id, "v1.9999999999.AAAA"),
                (victim_id, victim_token[:-2] + ("AA" if victim_token[-2:] != "AA" else "BB")),
                (victim_id, SessionTokens(b"another-secret-0123456789").issue(victim_id)),
            ]
            # And a genuine token, but for another session.
            other = await attacker.session()
            forged.append((victim_id, other["token"]))
            for asked, token in forged:
                confirm = await attacker.session(asked, token)
                assert confirm["resumed"] is False
                assert confirm["session_id"] != victim_id
            assert attacker.pending("session_history") == []
            await attacker.say("actually I'm 85", session_id=victim_id)
            (reply,) = await victim.say("still me")
            assert "still me" in reply["text"]
            await asyncio.sleep(0.5)
            assert attacker.pending("bot_uttered") == []  # none of the victim's messages
            assert victim.pending("bot_uttered") == []  # nor the attacker's in the victim's
        finally:
            await victim.close()
            await attacker.close()
    assert bot.texts(victim_id) == ["my secret answer", "still me"]


async def test_foreign_origins_are_refused_at_the_handshake(
    widget_env: None, transport: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = EchoBot()
    async with serving(bot, widget_channel()) as url:
        port = url.rsplit(":", 1)[1]
        for origin in (f"http://127.0.0.1:{port}", f"http://localhost:{port}"):
            own = Widget(url, transport, origin=origin)
            await own.connect()
            assert (await own.session())["resumed"] is False
            await own.close()
        for origin in ("http://evil.example", f"http://127.0.0.1:{int(port) + 1}", "null"):
            foreign = Widget(url, transport, origin=origin)
            with pytest.raises(socketio.exceptions.ConnectionError):
                await foreign.connect()
            await foreign.close()
        # The polling handshake itself, as a browser's XHR would send it: 400, no CORS.
        async with aiohttp.ClientSession() as http:
            handshake = f"{url}/socket.io/?EIO=4&transport=polling"
            async with http.get(handshake, headers={"Origin": "http://evil.example"}) as r:
                assert r.status == 400
                assert "Access-Control-Allow-Origin" not in r.headers

    monkeypatch.setenv(
        "TRIALBOT_WIDGET_ORIGINS", "https://hospital.example, https://Trial.example/"
    )
    async with serving(bot, widget_channel()) as url:
        for origin, allowed in (
            ("https://hospital.example", True),
            ("https://trial.example", True),
            (f"http://127.0.0.1:{url.rsplit(':', 1)[1]}", False),
            ("https://hospital.example.evil.example", False),
        ):
            widget = Widget(url, transport, origin=origin)
            if allowed:
                await widget.connect()
                assert (await widget.session())["session_id"]
            else:
                with pytest.raises(socketio.exceptions.ConnectionError):
                    await widget.connect()
            await widget.close()


async def test_socketio_refuses_oversized_packets(
    widget_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not hasattr(aiohttp, "ClientWSTimeout"):
        monkeypatch.setattr(aiohttp, "ClientWSTimeout", _ws_close_timeout, raising=False)
    bot = EchoBot()
    async with serving(bot, widget_channel()) as url, aiohttp.ClientSession() as http:
        handshake = f"{url}/socket.io/?EIO=4&transport=polling"
        async with http.get(handshake) as r:
            sid = json.loads((await r.text())[1:])["sid"]
        status, took = await send_big_body(url, f"/socket.io/?EIO=4&transport=polling&sid={sid}")
        assert status in (413, REFUSED_BY_RESET) and took < 1.0

        # Over a WebSocket: a packet over the limit closes the socket, and never arrives.
        widget = Widget(url, "websocket")
        await widget.connect()
        await widget.session()
        await widget.client.emit("user_uttered", {"message": "x" * (MAX_BODY_BYTES + 10)})
        await asyncio.sleep(1.0)
        assert not widget.client.connected or bot.heard == []
        await widget.close()
    assert bot.heard == []


def test_session_tokens_are_bound_to_their_session_and_last_30_days() -> None:
    now = [1_700_000_000.0]
    tokens = SessionTokens(b"0123456789abcdef0123", clock=lambda: now[0])
    session_id = channels.new_session_id()
    token = tokens.issue(session_id)
    assert tokens.verify(session_id, token)
    assert not tokens.verify(channels.new_session_id(), token)
    assert not tokens.verify(session_id, token + "x")
    assert not tokens.verify(session_id, None)
    assert not tokens.verify(["a"], token)
    now[0] += 29 * 24 * 3600
    assert tokens.verify(session_id, token)  # the next day, and the next month
    now[0] += 2 * 24 * 3600
    assert not tokens.verify(session_id, token)
    assert tokens.verify(session_id, tokens.issue(session_id))  # renewed on each visit
    with pytest.raises(ValueError):
        SessionTokens(b"short")


# -- Telegram ------------------------------------------------------------------------------

TELEGRAM_TOKEN = "123456789:AAtest-token_for_the_channel_tests00"
TELEGRAM_SECRET = "telegram-secret_0123456789"


@asynccontextmanager
async def fake_bot_api() -> AsyncIterator[tuple[str, list[tuple[str, dict]]]]:
    """A Bot API server on 127.0.0.1 (Telegram lets a bot use its own), recording calls."""
    calls: list[tuple[str, dict]] = []

    async def method(request: web.Request) -> web.Response:
        name = request.match_info["method"]
        data = dict(await request.post()) if request.can_read_body else {}
        calls.append((name, {k: str(v) for k, v in data.items()}))
        if name == "getMe":
            result: Any = {"id": 1, "is_bot": True, "first_name": "T", "username": "trial_bot"}
        elif name == "sendMessage":
            result = {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", method)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}", calls
    finally:
        await runner.cleanup()


def telegram_update(text: str, chat_id: int = 4242) -> dict[str, Any]:
    chat = {"id": chat_id, "type": "private", "first_name": "C"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 7,
            "date": 0,
            "chat": chat,
            "from": {**chat, "is_bot": False},
            "text": text,
        },
    }


async def test_telegram_takes_only_updates_with_the_secret_token() -> None:
    bot = EchoBot()
    async with fake_bot_api() as (api, calls):
        channel = VerifiedTelegramInput.from_credentials(
            {
                "access_token": TELEGRAM_TOKEN,
                "verify": "trial_bot",
                "webhook_url": "https://bot.example.org/webhooks/telegram/webhook",
                "secret_token": TELEGRAM_SECRET,
                "api_url": api,
            }
        )
        async with serving(bot, channel) as url, aiohttp.ClientSession() as http:
            # The webhook was registered with the secret once the server started.
            assert (
                "setWebhook",
                {
                    "url": "https://bot.example.org/webhooks/telegram/webhook",
                    "secret_token": TELEGRAM_SECRET,
                },
            ) in calls
            webhook = f"{url}/webhooks/telegram/webhook"
            header = VerifiedTelegramInput.SECRET_HEADER
            statuses = []
            for headers in ({}, {header: "wrong"}, {header: TELEGRAM_SECRET[:-1]}):
                async with http.post(webhook, json=telegram_update("forged"), headers=headers) as r:
                    statuses.append(r.status)
            assert statuses == [403, 403, 403]
            assert bot.heard == []
            async with http.post(
                webhook, json=telegram_update("hello"), headers={header: TELEGRAM_SECRET}
            ) as r:
                assert r.status == 200
            async with http.get(f"{url}/webhooks/telegram/") as r:
                assert r.status == 200  # the health check needs no secret
    assert bot.texts() == ["hello"] and bot.heard[0].sender_id == "4242"
    assert any(name == "sendMessage" and data.get("chat_id") == "4242" for name, data in calls)


def test_telegram_refuses_to_run_without_a_secret_token() -> None:
    with pytest.raises(ValueError):
        VerifiedTelegramInput(TELEGRAM_TOKEN, "trial_bot", "https://bot.example.org/x")
    with pytest.raises(ValueError):
        VerifiedTelegramInput(TELEGRAM_TOKEN, "b", "https://x", secret_token="short")


# -- Twilio --------------------------------------------------------------------------------


def test_the_twilio_signature_is_twilios_documented_one() -> None:
    # The example of Twilio's documentation ("Validating requests are coming from Twilio")
    # and of the twilio package's own tests.
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    assert twilio_signature("12345", url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert (
        twilio_signature("12345", url, {**params, "Digits": "1235"})
        != "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    )
    # Repeated fields as the twilio package's RequestValidator reads them.
    from multidict import MultiDict
    from twilio.request_validator import RequestValidator

    repeated = MultiDict([("Body", "b"), ("Body", "a"), ("Body", "b"), ("From", "+1")])
    as_lists = {name: repeated.getall(name) for name in repeated}
    assert twilio_signature("tok", url, as_lists) == RequestValidator("tok").compute_signature(
        url, repeated
    )


TWILIO_URL = "https://bot.example.org/webhooks/twilio/webhook"
TWILIO_AUTH = "twilio-auth-token-for-tests"


async def test_twilio_takes_only_requests_signed_with_the_auth_token() -> None:
    bot = EchoBot()
    channel = VerifiedTwilioInput.from_credentials(
        {
            "account_sid": "AC" + "0" * 32,
            "auth_token": TWILIO_AUTH,
            "twilio_number": "+15005550006",
            "webhook_url": TWILIO_URL,
        }
    )
    form = {"From": "whatsapp:+420777123456", "Body": "hello", "To": "whatsapp:+15005550006"}
    genuine = twilio_signature(TWILIO_AUTH, TWILIO_URL, form)
    bot_without_replies = EchoBot()

    async def record_only(message: UserMessage) -> None:  # no reply: Twilio is not called
        bot_without_replies.heard.append(message)

    async with serving(bot, channel) as url, aiohttp.ClientSession() as http:
        webhook = f"{url}/webhooks/twilio/webhook"
        app_channel = channel
        statuses = []
        for headers, data in (
            ({}, form),
            ({"X-Twilio-Signature": "bm90IGEgc2lnbmF0dXJl"}, form),
            ({"X-Twilio-Signature": genuine}, {**form, "From": "whatsapp:+420777000000"}),
            ({"X-Twilio-Signature": twilio_signature("other", TWILIO_URL, form)}, form),
        ):
            async with http.post(webhook, data=data, headers=headers) as r:
                statuses.append(r.status)
        assert statuses == [403, 403, 403, 403]
        assert bot.heard == []
        assert app_channel.verified is not None
    # Genuine: handled (a bot that does not answer, so nothing is sent to Twilio).
    async with serving(bot_without_replies, channel) as url, aiohttp.ClientSession() as http:
        webhook = f"{url}/webhooks/twilio/webhook"
        async with http.post(webhook, data=form, headers={"X-Twilio-Signature": genuine}) as r:
            assert r.status == 204
    (heard,) = bot_without_replies.heard
    assert (heard.sender_id, heard.text, heard.input_channel) == (form["From"], "hello", "twilio")


def test_twilio_refuses_to_run_without_its_public_url() -> None:
    with pytest.raises(ValueError):
        VerifiedTwilioInput("AC1", TWILIO_AUTH, "+1")
    with pytest.raises(ValueError):
        VerifiedTwilioInput("AC1", None, "+1", webhook_url=TWILIO_URL)


# -- Messenger -----------------------------------------------------------------------------

FACEBOOK_SECRET = "facebook-app-secret-for-tests"
FACEBOOK_VERIFY = "facebook-verify-token-for-tests"


@contextmanager
def fake_graph_api(delay: float = 0.0) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """A Graph API server on 127.0.0.1 recording what is sent to ``/me/messages``, each
    call taking ``delay`` seconds. It runs in a thread of its own."""
    calls: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            time.sleep(delay)
            calls.append({"path": self.path.split("?")[0], **body})
            answer = json.dumps({"recipient_id": "1", "message_id": "m"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v12.0", calls
    finally:
        server.shutdown()
        server.server_close()


def messenger_update(text: str, sender: str = "2468013579") -> bytes:
    event = {
        "sender": {"id": sender},
        "recipient": {"id": "1357"},
        "timestamp": 0,
        "message": {"mid": "m.1", "text": text},
    }
    entry = {"id": "1357", "time": 0, "messaging": [event]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


def messenger_channel(api_url: str) -> VerifiedFacebookInput:
    channel = VerifiedFacebookInput.from_credentials(
        {
            "verify": FACEBOOK_VERIFY,
            "secret": FACEBOOK_SECRET,
            "page-access-token": "page-token",
            "api_url": api_url,
        }
    )
    assert isinstance(channel, VerifiedFacebookInput)
    return channel


async def test_messenger_takes_only_requests_signed_with_the_app_secret() -> None:
    bot = EchoBot()
    forged_body = messenger_update("forged")
    genuine_body = messenger_update("hello")
    sha256 = VerifiedFacebookInput.SIGNATURE_HEADER
    sha1 = VerifiedFacebookInput.LEGACY_SIGNATURE_HEADER
    md5 = "md5=" + hmac.new(FACEBOOK_SECRET.encode(), forged_body, hashlib.md5).hexdigest()
    forgeries = [
        {},
        {sha256: ""},
        {sha256: "sha256=" + "0" * 64},
        {sha256: hub_signature(FACEBOOK_SECRET, genuine_body)},  # another body's
        {sha256: hub_signature("not-the-secret", forged_body)},
        {sha256: hub_signature(FACEBOOK_SECRET, forged_body, "sha1")},  # sha1 in -256
        {sha1: hub_signature("not-the-secret", forged_body, "sha1")},
        {sha1: md5},  # a hash Rasa's own check would take
        {sha1: hub_signature(FACEBOOK_SECRET, forged_body)},  # sha256 in the legacy one
    ]
    with fake_graph_api() as (api, calls):
        channel = messenger_channel(api)
        async with serving(bot, channel) as url, aiohttp.ClientSession() as http:
            webhook = f"{url}/webhooks/facebook/webhook"
            statuses = []
            for headers in forgeries:
                headers = {"Content-Type": "application/json", **headers}
                async with http.post(webhook, data=forged_body, headers=headers) as r:
                    statuses.append(r.status)
            assert statuses == [403] * len(forgeries)
            assert bot.heard == [] and calls == []

            # Genuine: the SHA-256 signature, and the legacy SHA-1 one Meta also sends.
            for text, headers in (
                ("hello", {sha256: hub_signature(FACEBOOK_SECRET, genuine_body)}),
                (
                    "again",
                    {sha1: hub_signature(FACEBOOK_SECRET, messenger_update("again"), "sha1")},
                ),
            ):
                headers = {"Content-Type": "application/json", **headers}
                async with http.post(webhook, data=messenger_update(text), headers=headers) as r:
                    assert (r.status, await r.text()) == (200, "success")

            # The webhook handshake answers only the verify token; the health check is open.
            handshake = {"hub.mode": "subscribe", "hub.challenge": "1158201444"}
            async with http.get(
                webhook, params={**handshake, "hub.verify_token": FACEBOOK_VERIFY}
            ) as r:
                assert (r.status, await r.text()) == (200, "1158201444")
            async with http.get(webhook, params={**handshake, "hub.verify_token": "guess"}) as r:
                assert r.status == 403 and "1158201444" not in await r.text()
            async with http.get(f"{url}/webhooks/facebook/") as r:
                assert r.status == 200

            # Oversized: refused before it is read (and before its signature is checked).
            status, took = await send_big_body(url, "/webhooks/facebook/webhook")
            assert status in (413, REFUSED_BY_RESET) and took < 1.0
            assert (await send_big_body(url, "/webhooks/facebook/webhook", MAX_BODY_BYTES + 1))[
                0
            ] == 413

        QueuedMessengerClient.drain()  # the replies are sent off the event loop
    assert bot.texts() == ["hello", "again"]
    assert {m.sender_id for m in bot.heard} == {"2468013579"}
    assert {m.input_channel for m in bot.heard} == {"facebook"}
    assert all(set(m.metadata) == {"received_at"} for m in bot.heard)
    # The bot's replies went to the sender through the (fake) Graph API.
    replies = [c for c in calls if c["path"] == "/v12.0/me/messages" and "message" in c]
    assert replies and all(c["recipient"] == {"id": "2468013579"} for c in replies)
    sent = json.dumps([c["message"] for c in replies])
    assert "you said hello" in sent and "you said again" in sent


async def test_a_slow_graph_api_holds_no_other_conversation() -> None:
    """Rasa's Messenger output sent with ``requests`` on the event loop: a Graph API
    taking a second per call held every other request of the server. The replies now go
    out from one worker thread, in order."""
    bot = EchoBot()
    with fake_graph_api(delay=0.5) as (api, calls):
        channel = messenger_channel(api)
        async with serving(bot, channel) as url, aiohttp.ClientSession() as http:
            webhook = f"{url}/webhooks/facebook/webhook"
            headers = {"Content-Type": "application/json"}
            for text in ("one", "two"):
                body = messenger_update(text)
                signed = {
                    **headers,
                    VerifiedFacebookInput.SIGNATURE_HEADER: hub_signature(FACEBOOK_SECRET, body),
                }
                started = time.monotonic()
                async with http.post(webhook, data=body, headers=signed) as r:
                    assert r.status == 200
                # mark_seen, typing_on, the reply, typing_off: 2 s of Graph API calls
                assert time.monotonic() - started < 1.0
                started = time.monotonic()
                async with http.get(f"{url}/webhooks/facebook/") as r:  # anyone else
                    assert r.status == 200
                assert time.monotonic() - started < 0.5
            await asyncio.to_thread(QueuedMessengerClient.drain, 30)
    sent = json.dumps([c["message"] for c in calls if "message" in c])
    assert 0 <= sent.find("you said one") < sent.find("you said two")  # in their order
    actions = [c.get("sender_action") for c in calls]
    assert actions[:2] == ["mark_seen", "typing_on"]


def test_messenger_refuses_to_run_without_its_secret_and_verify_token() -> None:
    with pytest.raises(ValueError):
        VerifiedFacebookInput(FACEBOOK_VERIFY, None, "page-token")
    with pytest.raises(ValueError):
        VerifiedFacebookInput(None, FACEBOOK_SECRET, "page-token")
    # HMAC-SHA256 as RFC 4231 defines it (its test case 2), hex, after "sha256=".
    assert hub_signature("Jefe", b"what do ya want for nothing?") == (
        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )


def test_hmac_helpers_are_the_standard_ones() -> None:
    # The token's MAC is HMAC-SHA256 over the session id and expiry, as documented.
    tokens = SessionTokens(b"0123456789abcdef0123", clock=lambda: 0)
    token = tokens.issue("A" * 32)
    version, expires, mac = token.split(".")
    signed = f"trialbot-widget-session\n{'A' * 32}\n{expires}".encode()
    expected = hmac.new(b"0123456789abcdef0123", signed, hashlib.sha256).digest()
    assert (version, base64.urlsafe_b64decode(mac + "=")) == ("v1", expected)


def test_the_history_is_the_latest_sessions_messages() -> None:
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        UserUttered("an old session"),
        BotUttered("old"),
        ActionExecuted("action_session_start"),
        SessionStarted(),
        UserUttered("hi"),
        ActionExecuted("action_interview"),
        BotUttered("Hello."),
        BotUttered(
            QUESTION["text"], {"buttons": QUESTION["buttons"], "custom": QUESTION["custom"]}
        ),
        BotUttered(None, {}),
    ]
    assert channels.history_messages(events) == [
        {"sender": "user", "text": "hi", "buttons": [], "custom": {}},
        {"sender": "bot", "text": "Hello.", "buttons": [], "custom": {}},
        {"sender": "bot", **QUESTION},
    ]

"""Input channels on which only the candidate can speak, each question in one message.

Every question the bot asks carries its text, its answer options as buttons, and a
machine-readable payload (``custom``: question id, answer type, options) for rich
clients. Rasa's REST and socket.io outputs split such an utterance into a text message
and a separate custom message, so a client cannot tell which payload belongs to which
text. These channels send each utterance as one message instead. They keep Rasa's
channel names, so the URLs stay ``/webhooks/rest/webhook`` and ``/socket.io``.

What each channel lets in (issue 11, and issue 10 point 6):

* **Website widget** (socket.io, :class:`QuestionnaireSocketIOInput`). The server, never
  the client, picks a conversation's id: ``secrets.token_urlsafe(24)`` (192 random bits),
  issued with a token (HMAC-SHA256 under ``TRIALBOT_WIDGET_SECRET``, bound to that id,
  valid 30 days from the last visit, compared in constant time). ``session_request``
  with a valid ``{session_id, token}`` resumes that conversation (``session_confirm``
  with ``resumed: true``, then ``session_history``: the latest session's messages from
  the tracker); anything else gets a new conversation. ``user_uttered`` goes to the
  conversation bound to the socket; a ``session_id`` in it is ignored. Only the origins
  in ``TRIALBOT_WIDGET_ORIGINS`` (default: the Rasa server's own
  ``http://127.0.0.1:<port>`` and ``http://localhost:<port>``) may connect, over polling
  and WebSocket alike.
* **REST** (:class:`QuestionnaireRestInput`): for local use and trusted integrations.
  With ``TRIALBOT_REST_TOKEN`` set, every request needs ``Authorization: Bearer <token>``.
* **Telegram**, **Twilio** and **Messenger** (:class:`VerifiedTelegramInput`,
  :class:`VerifiedTwilioInput`, :class:`VerifiedFacebookInput`): every update's
  ``X-Telegram-Bot-Api-Secret-Token`` / ``X-Twilio-Signature`` / ``X-Hub-Signature-256``
  is checked before anything else; a forged one gets 403 and never reaches Rasa.
* **Limits**, on every channel here: request bodies (and socket.io packets) over
  :data:`MAX_BODY_BYTES` get 413 before they are read; sender ids are at most 128
  characters of ``A-Z a-z 0-9 - _ . : + @`` (else 400); a message is cut to
  :data:`MAX_MESSAGE_CHARS` before NLU, the candidate told so by the channel (the
  catalog's ``message_too_long``); client-supplied metadata and ``input_channel`` are
  dropped (the tracker would store them): the metadata is the channel's own
  ``{"received_at": <unix seconds>}``.

credentials.yml::

    trialbot.channels.QuestionnaireRestInput:
    trialbot.channels.QuestionnaireSocketIOInput:
      bot_message_evt: bot_uttered
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import inspect
import logging
import os
import re
import secrets
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit

from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
    decode_bearer_token,
)
from rasa.core.channels.facebook import FacebookInput, Messenger
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.core.channels.twilio import TwilioInput
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from trialbot import messages, rasa_speedups
from trialbot.buttons import shown as shown_text

logger = logging.getLogger(__name__)

# Said when a message got no reply at all: Rasa drops an action's messages when the
# action server is down, and the candidate must not be met with silence. The text is the
# message catalog's (bot/messages.yml, the actions' own apology); this literal is only
# the last resort if the catalog cannot be read.
APOLOGY_MESSAGE = "something_went_wrong"
LAST_RESORT_APOLOGY = "Sorry, something went wrong on my side. Please try again."
TOO_LONG_MESSAGE = "message_too_long"

# The parts of a bot utterance that travel together; anything else Rasa adds is dropped.
MESSAGE_PARTS = ("text", "buttons", "quick_replies", "image", "attachment", "elements", "custom")

# Input limits (issue 10, point 6).
MAX_BODY_BYTES = 64 * 1024  # a request body, a socket.io packet
# The interview's own limit (trialbot.interview.MAX_MESSAGE_CHARS; not imported: that
# module pulls in the parsers, which the channels do not need).
MAX_MESSAGE_CHARS = 2000
SENDER_ID = re.compile(r"[A-Za-z0-9_.:+@-]{1,128}")

# The widget's conversations.
WIDGET_SECRET_VARIABLE = "TRIALBOT_WIDGET_SECRET"
WIDGET_ORIGINS_VARIABLE = "TRIALBOT_WIDGET_ORIGINS"
REST_TOKEN_VARIABLE = "TRIALBOT_REST_TOKEN"
TOKEN_LIFETIME = 30 * 24 * 3600  # seconds; renewed on every visit
MIN_SECRET_CHARS = 16
_TOKEN_VERSION = "v1"
_SESSION_ID = re.compile(r"[A-Za-z0-9_-]{32,128}")  # what new_session_id() makes


def apology() -> str:
    """The catalog's apology (the same words the actions use when they fail)."""
    try:
        return messages.render(APOLOGY_MESSAGE)
    except Exception:  # a broken catalog must not turn an apology into silence
        logger.exception("Could not read the apology from the message catalog")
        return LAST_RESORT_APOLOGY


def apologies() -> set[str]:
    """Every apology the bot may send instead of an answer (channel, action, timeout)."""
    said = {apology()}
    for key in ("something_went_wrong", "action_timeout"):
        if messages.has(key):
            said.add(messages.render(key))
    return said


def only_apologies(sent: list[dict[str, Any]]) -> bool:
    """Whether a reply holds apologies and nothing else (no question, no other text)."""
    texts = [m.get("text") for m in sent if not (m.get("custom") or {}).get("question_id")]
    return len(texts) == len(sent) > 0 and set(texts) <= apologies()


def last_question(events: Iterable[Any]) -> dict[str, Any] | None:
    """The conversation's last bot message that asked a question, as a channel sends it."""
    for event in reversed(list(events)):
        if not isinstance(event, BotUttered):
            continue
        data = event.data or {}
        custom = data.get("custom") or {}
        if isinstance(custom, dict) and custom.get("question_id"):
            message: dict[str, Any] = {"text": event.text or "", "custom": custom}
            if data.get("buttons"):
                message["buttons"] = data["buttons"]
            return message
    return None


def too_long_note() -> str:
    """The catalog's note for a message that was cut."""
    try:
        return messages.render(TOO_LONG_MESSAGE, limit=MAX_MESSAGE_CHARS)
    except Exception:
        logger.exception("Could not read the too-long note from the message catalog")
        return f"I have only read the first {MAX_MESSAGE_CHARS} characters."


def cut(text: Any) -> tuple[str, bool]:
    """The message as NLU may see it (at most :data:`MAX_MESSAGE_CHARS`), and whether it
    was cut. Anything that is not a string is an empty message."""
    if not isinstance(text, str):
        return "", False
    if len(text) > MAX_MESSAGE_CHARS:
        return text[:MAX_MESSAGE_CHARS], True
    return text, False


def valid_sender_id(sender_id: Any) -> bool:
    return isinstance(sender_id, str) and SENDER_ID.fullmatch(sender_id) is not None


def _speed_up(blueprint: Blueprint) -> None:
    """Rasa builds a channel's routes in the server process only, before serving: the
    moment to install trialbot's speed-ups (once per process, whichever channel is first)
    and to register their listeners with the server."""
    if rasa_speedups.install():
        rasa_speedups.listen(blueprint)


def limit_bodies(blueprint: Blueprint, *paths: str) -> None:
    """Refuses (413) request bodies over :data:`MAX_BODY_BYTES` on the blueprint's routes
    and on ``paths`` (the socket.io endpoint, which is the app's own route), before a byte
    of the body is read (Sanic checks ``Content-Length``, and counts chunked bodies).

    Sanic's ``REQUEST_MAX_SIZE`` is one limit for the whole Rasa app, whose HTTP API
    (``--enable-api``) takes training data; the limit is set per request instead, once the
    route is known and before Sanic reads the body (the ``http.routing.after`` signal)."""

    @blueprint.signal("http.routing.after")
    async def limit(request: Request, route: Any, **_: Any) -> None:
        stream = request.stream
        if stream is None:
            return
        ours = any(route is r for r in blueprint.routes)
        if ours or (paths and request.path.startswith(paths)):
            stream.request_max_size = min(stream.request_max_size, MAX_BODY_BYTES)


async def _deliver(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
    message: UserMessage,
    received_at: float | None = None,
) -> None:
    """Hands a message to Rasa, cut to the limit (the candidate told first), with the
    channel's own metadata only: ``received_at``, when the channel received it (unix
    seconds; the interview tells a double tap from an answer by it). Whatever metadata a
    client sent is dropped."""
    text, was_cut = cut(message.text)
    if was_cut:
        await message.output_channel.send_text_message(message.sender_id, too_long_note())
    message.text = text
    message.metadata = {"received_at": received_at if received_at is not None else time.time()}
    await on_new_message(message)


def whole_message(message: dict[str, Any]) -> dict[str, Any]:
    """The utterance's parts that are set, in one dict (Rasa's ``send_response`` input)."""
    return {part: message[part] for part in MESSAGE_PARTS if message.get(part)}


class WholeMessageCollector(CollectingOutputChannel):
    """Collects each utterance as one message: ``{recipient_id, text, buttons, custom}``."""

    @classmethod
    def name(cls) -> str:
        return "collector"

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        parts = whole_message(message)
        if parts:
            await self._persist_message({"recipient_id": recipient_id, **parts})


def _bearer_matches(request: Request, token: str) -> bool:
    scheme, _, given = (request.headers.get("Authorization") or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode()
    )


class QuestionnaireRestInput(RestInput):
    """Rasa's REST channel (``/webhooks/rest/webhook``) answering with whole messages.

    ``TRIALBOT_REST_TOKEN``, when set, is required as ``Authorization: Bearer`` on every
    request (the REST channel is for local use and trusted integrations)."""

    def __init__(self, token: str | None = None) -> None:
        self.token = token if token is not None else os.environ.get(REST_TOKEN_VARIABLE) or None

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        return cls()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        _speed_up(webhook)
        limit_bodies(webhook)

        @webhook.middleware("request")
        async def authenticate(request: Request) -> HTTPResponse | None:
            if self.token and not _bearer_matches(request, self.token):
                return response.json(
                    {"error": "unauthorized"},
                    status=401,
                    headers={"WWW-Authenticate": 'Bearer realm="trialbot"'},
                )
            return None

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            received_at = time.time()
            try:
                body = request.json
            except Exception:  # sanic raises on a body that is not JSON
                body = None
            if not isinstance(body, dict) or not body.get("sender"):
                return response.json(
                    {"error": 'expected JSON {"sender": "...", "message": "..."}'}, status=400
                )
            sender = body["sender"]
            if not valid_sender_id(sender):
                return response.json(
                    {"error": "sender: 1 to 128 characters of A-Z a-z 0-9 - _ . : + @"},
                    status=400,
                )
            collector = WholeMessageCollector()
            text = body.get("message") if isinstance(body.get("message"), str) else ""
            message = UserMessage(text, collector, sender, input_channel=self.name())
            noted = 1 if cut(text)[1] else 0
            try:
                await _deliver(on_new_message, message, received_at)
            except Exception:
                # The candidate gets whatever was said so far, never a traceback.
                logger.exception("Handling a REST message failed")
            if len(collector.messages) <= noted:
                logger.warning("No reply to a REST message: sending an apology")
                await collector.send_text_message(sender, apology())
            if only_apologies(collector.messages):
                # Nothing was asked: the question on screen once more, so that a client
                # that answers by question_id (and a person) can simply go on.
                again = await self.question_on_screen(request, sender)
                if again is not None:
                    collector.messages.append({"recipient_id": sender, **again})
            return response.json(collector.messages)

        return webhook

    async def question_on_screen(self, request: Request, sender: str) -> dict[str, Any] | None:
        """The last question the bot asked in this conversation (text, buttons, payload)."""
        agent = getattr(request.app.ctx, "agent", None)
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return None
        try:
            tracker = await store.retrieve(sender)
        except Exception:
            logger.exception("Could not read the conversation to repeat its question")
            return None
        return last_question(tracker.events) if tracker is not None else None


class WholeMessageSocketIOOutput(OutputChannel):
    """Emits each utterance as one socket.io message, buttons as ``quick_replies``."""

    @classmethod
    def name(cls) -> str:
        return "socketio"

    def __init__(self, sio: AsyncServer, bot_message_evt: str) -> None:
        self.sio = sio
        self.bot_message_evt = bot_message_evt
        self.sent = 0

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        parts = whole_message(message)
        buttons = parts.pop("buttons", None)
        if buttons:
            parts["quick_replies"] = [
                {"content_type": "text", "title": b["title"], "payload": b["payload"]}
                for b in buttons
            ]
        if parts:
            self.sent += 1
            await self.sio.emit(self.bot_message_evt, parts, room=recipient_id)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.send_response(recipient_id, {"text": text})


# -- the widget's conversations ---------------------------------------------------------


def new_session_id() -> str:
    """An unguessable conversation id: 192 random bits, URL-safe (32 characters)."""
    return secrets.token_urlsafe(24)


class SessionTokens:
    """Signed tokens that bind a widget conversation's id to its browser.

    ``v1.<expires>.<mac>``: ``mac`` is HMAC-SHA256 under the server's secret over the
    session id and the expiry (unix seconds), base64url. Compared in constant time."""

    def __init__(
        self,
        secret: bytes,
        lifetime: int = TOKEN_LIFETIME,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if len(secret) < MIN_SECRET_CHARS:
            raise ValueError(f"the widget secret needs at least {MIN_SECRET_CHARS} characters")
        self._secret = secret
        self.lifetime = lifetime
        self.clock = clock

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> SessionTokens:
        secret = (environ.get(WIDGET_SECRET_VARIABLE) or "").strip()
        if not secret:
            logger.warning(
                "%s is not set: widget conversations cannot be resumed after a restart",
                WIDGET_SECRET_VARIABLE,
            )
            return cls(secrets.token_bytes(32))
        return cls(secret.encode())

    def _mac(self, session_id: str, expires: int) -> str:
        signed = f"trialbot-widget-session\n{session_id}\n{expires}".encode()
        digest = hmac.new(self._secret, signed, hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def issue(self, session_id: str) -> str:
        expires = int(self.clock()) + self.lifetime
        return f"{_TOKEN_VERSION}.{expires}.{self._mac(session_id, expires)}"

    def verify(self, session_id: Any, token: Any) -> bool:
        if not isinstance(session_id, str) or not isinstance(token, str) or len(token) > 200:
            return False
        if not _SESSION_ID.fullmatch(session_id):
            return False
        version, _, rest = token.partition(".")
        expires_text, _, mac = rest.partition(".")
        if version != _TOKEN_VERSION or not expires_text.isdigit():
            return False
        expires = int(expires_text)
        genuine = hmac.compare_digest(self._mac(session_id, expires).encode(), mac.encode())
        return genuine and expires > self.clock()


def configured_origins(environ: Mapping[str, str] = os.environ) -> frozenset[str] | None:
    """``TRIALBOT_WIDGET_ORIGINS`` (comma-separated), or None when it is not set."""
    configured = environ.get(WIDGET_ORIGINS_VARIABLE) or ""
    origins = frozenset(_origin(o) for o in configured.split(",") if o.strip())
    return origins or None


def _origin(value: str) -> str:
    return value.strip().rstrip("/").lower()


class OriginPolicy:
    """Which page origins may open a socket (python-socketio's ``cors_allowed_origins``
    callable, checked at the handshake of polling and WebSocket alike).

    Without a configured list: the Rasa server's own origin, as the demo page is served
    from it, by IP or by name: ``http://127.0.0.1:<port>``, ``http://localhost:<port>``
    (the port the request came in on; the ``Host`` header is not trusted, against DNS
    rebinding)."""

    def __init__(self, origins: Iterable[str] | None) -> None:
        self.origins = frozenset(_origin(o) for o in origins) if origins is not None else None

    def allowed(self, origin: str, port: int | None) -> bool:
        origin = _origin(origin)
        if self.origins is not None:
            return origin in self.origins
        return port is not None and origin in (
            f"http://127.0.0.1:{port}",
            f"http://localhost:{port}",
        )

    def __call__(self, origin: str, environ: Mapping[str, Any] | None = None) -> bool:
        request = (environ or {}).get("sanic.request")
        port = getattr(getattr(request, "conn_info", None), "server_port", None) or None
        allowed = self.allowed(origin or "", port)
        if not allowed:
            logger.info("A socket.io handshake from an origin not allowed was refused")
        return allowed


def history_messages(events: Iterable[Any]) -> list[dict[str, Any]]:
    """The conversation's latest session as the widget shows it again: the candidate's
    and the bot's messages, in order (``{"sender", "text", "buttons", "custom"}``)."""
    events = list(events)
    starts = [i for i, e in enumerate(events) if isinstance(e, SessionStarted)]
    shown = []
    for event in events[starts[-1] + 1 :] if starts else events:
        if isinstance(event, UserUttered) and event.text:
            text = shown_text(event.text)  # a button tap as its title
            shown.append({"sender": "user", "text": text, "buttons": [], "custom": {}})
        elif isinstance(event, BotUttered):
            data = event.data or {}
            buttons = data.get("buttons") or []
            custom = data.get("custom") or {}
            if event.text or buttons or custom:
                shown.append(
                    {
                        "sender": "bot",
                        "text": event.text or "",
                        "buttons": buttons,
                        "custom": custom,
                    }
                )
    return shown


class _WidgetBlueprint(SocketBlueprint):
    """Rasa's socket.io blueprint that also tells its channel which app it serves and caps
    the app's WebSocket frames (socket.io is the Rasa app's only WebSocket) at the limit."""

    def __init__(self, channel: QuestionnaireSocketIOInput, sio: AsyncServer, path: str) -> None:
        super().__init__(sio, path, "socketio_webhook", __name__)
        self.ctx.channel = channel

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.channel.app = app
        app.config.WEBSOCKET_MAX_SIZE = min(app.config.WEBSOCKET_MAX_SIZE, MAX_BODY_BYTES)
        super().register(app, options)


async def _maybe_await(value: Any) -> None:
    # python-socketio 5.x's enter_room/leave_room are coroutines (Rasa 3.6 does not await
    # them: its client never joined its session's room).
    if inspect.isawaitable(value):
        await value


class QuestionnaireSocketIOInput(SocketIOInput):
    """The website widget's socket.io channel: server-issued conversations, whole messages.

    See the module's docstring for the protocol. ``session_persistence`` is implied (the
    replies go to the conversation's room, which every socket of it joins)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens = SessionTokens.from_environment()
        self.origins = OriginPolicy(configured_origins())
        self.sessions: dict[str, str] = {}  # socket id -> conversation id
        self.app: Sanic | None = None

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return None
        return WholeMessageSocketIOOutput(self.sio, self.bot_message_evt)

    async def history(self, session_id: str) -> list[dict[str, Any]]:
        """The conversation's latest session from the tracker store, read under the
        conversation's lock (never while a message of it is being handled)."""
        agent = getattr(self.app.ctx, "agent", None) if self.app is not None else None
        store = getattr(agent, "tracker_store", None)
        if store is None:
            return []
        lock_store = getattr(agent, "lock_store", None)
        try:
            if lock_store is not None:
                async with lock_store.lock(session_id):
                    tracker = await store.retrieve(session_id)
            else:
                tracker = await store.retrieve(session_id)
        except Exception:
            logger.exception("Could not read a widget conversation's history")
            return []
        return history_messages(tracker.events) if tracker is not None else []

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=self.origins,
            max_http_buffer_size=MAX_BODY_BYTES,
        )
        self.sio = sio
        path = self.socketio_path or "/socket.io"
        socketio_webhook = _WidgetBlueprint(self, sio, path)
        _speed_up(socketio_webhook)
        limit_bodies(socketio_webhook, path)
        namespace = self.namespace

        @socketio_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            payload = (
                decode_bearer_token(token, self.jwt_key, self.jwt_algorithm) if token else None
            )
            return bool(payload)

        @sio.on("disconnect", namespace=namespace)
        async def disconnect(sid: str, *_: Any) -> None:
            self.sessions.pop(sid, None)

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            if not isinstance(data, dict):
                data = {}
            asked, token = data.get("session_id"), data.get("token")
            resumed = self.tokens.verify(asked, token)
            session_id = asked if resumed else new_session_id()
            previous = self.sessions.get(sid)
            if previous is not None and previous != session_id:
                await _maybe_await(sio.leave_room(sid, previous, namespace=namespace))
            self.sessions[sid] = session_id
            await _maybe_await(sio.enter_room(sid, session_id, namespace=namespace))
            confirm = {
                "session_id": session_id,
                "token": self.tokens.issue(session_id),
                "resumed": resumed,
            }
            await sio.emit("session_confirm", confirm, room=sid, namespace=namespace)
            if resumed:
                shown = await self.history(session_id)
                await sio.emit(
                    "session_history", {"messages": shown}, room=sid, namespace=namespace
                )

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            received_at = time.time()
            session_id = self.sessions.get(sid)
            if session_id is None:
                await sio.emit("error", {"error": "no_session"}, room=sid, namespace=namespace)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str):
                await sio.emit("error", {"error": "bad_message"}, room=sid, namespace=namespace)
                return
            output = WholeMessageSocketIOOutput(sio, self.bot_message_evt)
            message = UserMessage(text, output, session_id, input_channel=self.name())
            noted = 1 if cut(text)[1] else 0
            try:
                await _deliver(on_new_message, message, received_at)
            except Exception:
                logger.exception("Handling a socket.io message failed")
            if output.sent <= noted:
                await output.send_text_message(session_id, apology())

        return socketio_webhook


# -- messaging services: every update verified before anything else ---------------------


def _refuse(reason: str) -> HTTPResponse:
    logger.warning("A %s webhook request failed verification: refused", reason)
    return response.text("forbidden", status=403)


def require_verified(
    blueprint: Blueprint,
    service: str,
    verified: Callable[[Request], bool],
    open_get: Callable[[Request], bool] = lambda _: True,
) -> None:
    """Refuses (403, logged without the request) every request of ``blueprint`` that
    ``verified`` does not accept, except the GETs ``open_get`` lets through (health
    checks, a verify-token handshake): the webhook only ever takes POSTs."""

    @blueprint.middleware("request")
    async def verify(request: Request) -> HTTPResponse | None:
        if request.method == "GET" and open_get(request):
            return None
        return None if verified(request) else _refuse(service)


def _guarded(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[Any]]:
    """``on_new_message`` with the input limits (sender id, length, no metadata)."""

    async def handle(message: UserMessage) -> None:
        if not valid_sender_id(str(message.sender_id)):
            logger.warning("A message from a sender id that is not allowed was dropped")
            return
        message.sender_id = str(message.sender_id)
        await _deliver(on_new_message, message)

    return handle


class VerifiedTelegramOutput(TelegramOutput):
    """Rasa's Telegram output whose ``setWebhook`` registers the secret token (aiogram
    2.15, which Rasa 3.6 pins, predates the parameter: the Bot API method is called
    directly), optionally through another Bot API server (``api_url``)."""

    def __init__(self, access_token: str | None, secret_token: str, api_url: str | None = None):
        from aiogram.bot.api import TELEGRAM_PRODUCTION, TelegramAPIServer

        server = TelegramAPIServer.from_base(api_url) if api_url else TELEGRAM_PRODUCTION
        super(TelegramOutput, self).__init__(access_token, server=server)
        self.secret_token = secret_token

    async def set_webhook(self, url: str, *args: Any, **kwargs: Any) -> bool:  # type: ignore[override]
        result = await self.request("setWebhook", {"url": url, "secret_token": self.secret_token})
        return bool(result)


class VerifiedTelegramInput(TelegramInput):
    """Rasa's Telegram channel, taking only updates that carry the secret token given to
    ``setWebhook`` (``X-Telegram-Bot-Api-Secret-Token``; ``TELEGRAM_SECRET_TOKEN``).

    The webhook is registered (with the secret) once the server has started, in its own
    event loop, rather than while Rasa builds the routes."""

    SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        return cls(
            credentials.get("access_token"),
            credentials.get("verify"),
            credentials.get("webhook_url"),
            secret_token=credentials.get("secret_token"),
            api_url=credentials.get("api_url"),
        )

    def __init__(
        self,
        access_token: str | None,
        verify: str | None,
        webhook_url: str | None,
        debug_mode: bool = False,
        *,
        secret_token: str | None = None,
        api_url: str | None = None,
    ) -> None:
        if not secret_token or not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", secret_token):
            raise ValueError(
                "Telegram needs secret_token (TELEGRAM_SECRET_TOKEN): 16 to 256 characters "
                "of A-Z a-z 0-9 _ -"
            )
        super().__init__(access_token, verify, webhook_url, debug_mode=debug_mode)
        self.secret_token = secret_token
        self.api_url = api_url
        self._output: VerifiedTelegramOutput | None = None

    def get_output_channel(self) -> VerifiedTelegramOutput:
        if self._output is None:
            self._output = VerifiedTelegramOutput(
                self.access_token, self.secret_token, self.api_url
            )
        return self._output

    def verified(self, request: Request) -> bool:
        given = request.headers.get(self.SECRET_HEADER) or ""
        return hmac.compare_digest(given.encode(), self.secret_token.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        telegram_webhook = super().blueprint(_guarded(on_new_message))
        limit_bodies(telegram_webhook)

        require_verified(
            telegram_webhook,
            "Telegram",
            self.verified,
            open_get=lambda request: request.path.rstrip("/").endswith("/telegram"),  # health
        )

        @telegram_webhook.listener("after_server_start")
        async def set_webhook(*_: Any) -> None:
            if not self.webhook_url:
                return
            try:
                await self.get_output_channel().set_webhook(self.webhook_url)
            except Exception as exc:  # the server keeps running; Telegram just won't call
                logger.error("Could not set the Telegram webhook: %s", type(exc).__name__)

        return telegram_webhook


def twilio_signature(auth_token: str, url: str, params: Mapping[str, Any]) -> str:
    """Twilio's ``X-Twilio-Signature``: base64(HMAC-SHA1(auth token, the full URL followed
    by every POST parameter's name and value, sorted by name)). A repeated parameter's
    distinct values are appended in sorted order, as the ``twilio`` package's
    ``RequestValidator`` does."""
    signed = url
    for name in sorted(params):
        values = params[name]
        for value in sorted(set(values)) if isinstance(values, list | tuple) else [values]:
            signed += f"{name}{value}"
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class VerifiedTwilioInput(TwilioInput):
    """Rasa's Twilio channel (WhatsApp, SMS), taking only requests whose
    ``X-Twilio-Signature`` matches the configured public URL (``webhook_url``: the URL
    set in Twilio's console, e.g. ``https://bot.example.org/webhooks/twilio/webhook``)."""

    SIGNATURE_HEADER = "X-Twilio-Signature"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        return cls(
            credentials.get("account_sid"),
            credentials.get("auth_token"),
            credentials.get("twilio_number"),
            webhook_url=credentials.get("webhook_url"),
        )

    def __init__(
        self,
        account_sid: str | None,
        auth_token: str | None,
        twilio_number: str | None,
        debug_mode: bool = False,
        *,
        webhook_url: str | None = None,
    ) -> None:
        if not auth_token or not webhook_url or not urlsplit(webhook_url).netloc:
            raise ValueError(
                "Twilio needs auth_token and webhook_url (TWILIO_WEBHOOK_URL, the public URL "
                "Twilio calls) to verify its requests"
            )
        super().__init__(account_sid, auth_token, twilio_number, debug_mode=debug_mode)
        self.webhook_url = webhook_url

    def verified(self, request: Request) -> bool:
        given = request.headers.get(self.SIGNATURE_HEADER) or ""
        url = self.webhook_url
        if request.query_string and "?" not in url:
            url = f"{url}?{request.query_string}"
        try:
            params = {name: list(values) for name, values in request.form.items()}
        except Exception:
            return False
        assert self.auth_token is not None
        expected = twilio_signature(self.auth_token, url, params)
        return hmac.compare_digest(given.encode(), expected.encode())

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        twilio_webhook = super().blueprint(_guarded(on_new_message))
        limit_bodies(twilio_webhook)

        require_verified(twilio_webhook, "Twilio", self.verified)  # GET: the health check

        return twilio_webhook


def hub_signature(app_secret: str, body: bytes, algorithm: str = "sha256") -> str:
    """Meta's webhook signature of a request body: ``sha256=`` (``X-Hub-Signature-256``)
    or, legacy, ``sha1=`` (``X-Hub-Signature``) and the hex HMAC under the app secret."""
    digest = hmac.new(app_secret.encode(), body, getattr(hashlib, algorithm)).hexdigest()
    return f"{algorithm}={digest}"


class QueuedMessengerClient:
    """fbmessenger's client with its Graph API calls taken off the event loop.

    Rasa's Messenger output sends with ``requests`` from the Rasa server's event loop: a
    slow Graph API held every other conversation of the server for as long as each call
    took. Here each ``send``/``send_action`` is handed to one worker thread and runs there
    in the order it was made (a reply's parts, then the next question), and the event
    loop goes on at once. A failed call is logged without the message."""

    _worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="messenger-send")

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def send(self, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._submit(self._client.send, *args, **kwargs)

    def send_action(self, *args: Any, **kwargs: Any) -> Future[Any]:
        return self._submit(self._client.send_action, *args, **kwargs)

    def _submit(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Future[Any]:
        future = self._worker.submit(call, *args, **kwargs)
        future.add_done_callback(_log_send_failure)
        return future

    @classmethod
    def drain(cls, timeout: float = 10) -> None:
        """Waits until every call handed over so far has run (tests, shutdown)."""
        cls._worker.submit(lambda: None).result(timeout)


def _log_send_failure(future: Future[Any]) -> None:
    error = future.exception()
    if error is not None:
        logger.error("A Messenger reply could not be sent: %s", type(error).__name__)


class _GraphMessenger(Messenger):
    """Rasa's Messenger handler, sending through ``graph_url`` when one is given, off
    the event loop (:class:`QueuedMessengerClient`)."""

    def __init__(
        self,
        page_access_token: str,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        graph_url: str | None = None,
    ) -> None:
        super().__init__(page_access_token, on_new_message)
        client: Any = getattr(self, "client")  # noqa: B009 (Rasa's attribute has no type)
        if graph_url:
            client.graph_url = graph_url.rstrip("/")
        self.client = QueuedMessengerClient(client)  # type: ignore[assignment]


class VerifiedFacebookInput(FacebookInput):
    """Rasa's Messenger channel, taking only requests signed with the app secret
    (``FACEBOOK_SECRET``): ``X-Hub-Signature-256`` = ``sha256=`` HMAC-SHA256 of the raw
    body, or the legacy ``X-Hub-Signature`` = ``sha1=`` HMAC-SHA1 (which Rasa's own check
    takes). Anything else gets 403 and never reaches Rasa (Rasa 3.6 answers a forged
    signature with 200 and checks no other hash name). The webhook's ``GET`` handshake
    answers the challenge only for the verify token (``FACEBOOK_VERIFY``), else 403.

    ``api_url`` (optional) sends the replies through another Graph API server."""

    SIGNATURE_HEADER = "X-Hub-Signature-256"
    LEGACY_SIGNATURE_HEADER = "X-Hub-Signature"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        assert credentials is not None
        return cls(
            credentials.get("verify"),
            credentials.get("secret"),
            credentials.get("page-access-token"),
            api_url=credentials.get("api_url"),
        )

    def __init__(
        self,
        fb_verify: str | None,
        fb_secret: str | None,
        fb_access_token: str | None,
        *,
        api_url: str | None = None,
    ) -> None:
        if not fb_secret or not fb_verify:
            raise ValueError(
                "Messenger needs secret (FACEBOOK_SECRET, the app secret) and verify "
                "(FACEBOOK_VERIFY) to verify its requests"
            )
        super().__init__(fb_verify, fb_secret, fb_access_token or "")
        self.api_url = api_url

    def verified(self, request: Request) -> bool:
        body = request.body or b""
        given = request.headers.get(self.SIGNATURE_HEADER)
        algorithm = "sha256"
        if given is None:
            given, algorithm = request.headers.get(self.LEGACY_SIGNATURE_HEADER), "sha1"
        if not given:
            return False
        expected = hub_signature(self.fb_secret, body, algorithm)
        return hmac.compare_digest(given.strip().encode(), expected.encode())

    def get_output_channel(self) -> OutputChannel:
        output = super().get_output_channel()
        client = output.messenger_client  # type: ignore[attr-defined]
        if self.api_url:
            client.graph_url = self.api_url.rstrip("/")
        output.messenger_client = QueuedMessengerClient(client)  # type: ignore[attr-defined]
        return output

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        fb_webhook = Blueprint(f"fb_webhook_{type(self).__name__}", __name__)
        limit_bodies(fb_webhook)
        handle = _guarded(on_new_message)

        # GET: the health check and the verify-token handshake (checked below).
        require_verified(fb_webhook, "Messenger", self.verified)

        @fb_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @fb_webhook.route("/webhook", methods=["GET"])
        async def token_verification(request: Request) -> HTTPResponse:
            given = request.args.get("hub.verify_token") or ""
            if hmac.compare_digest(given.encode(), self.fb_verify.encode()):
                return response.text(request.args.get("hub.challenge") or "")
            logger.warning("A Messenger webhook handshake with a wrong verify token: refused")
            return response.text("forbidden", status=403)

        @fb_webhook.route("/webhook", methods=["POST"])
        async def webhook(request: Request) -> HTTPResponse:
            try:
                payload = request.json
            except Exception:  # sanic raises on a body that is not JSON
                payload = None
            if not isinstance(payload, dict):
                return response.text("expected a JSON object", status=400)
            messenger = _GraphMessenger(self.fb_access_token, handle, self.api_url)
            await messenger.handle(payload, None)
            return response.text("success")

        return fb_webhook


__all__ = [
    "MAX_BODY_BYTES",
    "MAX_MESSAGE_CHARS",
    "QuestionnaireRestInput",
    "QuestionnaireSocketIOInput",
    "SessionTokens",
    "VerifiedFacebookInput",
    "VerifiedTelegramInput",
    "VerifiedTwilioInput",
    "WholeMessageCollector",
    "hub_signature",
    "twilio_signature",
]

"""Input channels that keep a question in one message: text, buttons and payload.

Every question the bot asks carries its text, its answer options as buttons, and a
machine-readable payload (``custom``: question id, answer type, options) for rich
clients. Rasa's REST and socket.io outputs split such an utterance into a text message
and a separate custom message, so a client cannot tell which payload belongs to which
text. These channels send each utterance as one message instead. They keep Rasa's
channel names, so the URLs stay ``/webhooks/rest/webhook`` and ``/socket.io``.

credentials.yml::

    trialbot.channels.QuestionnaireRestInput:
    trialbot.channels.QuestionnaireSocketIOInput:
      bot_message_evt: bot_uttered
      session_persistence: true
"""

from __future__ import annotations

import inspect
import json
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from rasa.core.channels.socketio import SocketIOInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from trialbot import messages, rasa_speedups

logger = logging.getLogger(__name__)

# Said when a message got no reply at all: Rasa drops an action's messages when the
# action server is down, and the candidate must not be met with silence. The text is the
# message catalog's (bot/messages.yml, the actions' own apology); this literal is only
# the last resort if the catalog cannot be read.
APOLOGY_MESSAGE = "something_went_wrong"
LAST_RESORT_APOLOGY = "Sorry, something went wrong on my side. Please try again."

# The parts of a bot utterance that travel together; anything else Rasa adds is dropped.
MESSAGE_PARTS = ("text", "buttons", "quick_replies", "image", "attachment", "elements", "custom")


def apology() -> str:
    """The catalog's apology (the same words the actions use when they fail)."""
    try:
        return messages.render(APOLOGY_MESSAGE)
    except Exception:  # a broken catalog must not turn an apology into silence
        logger.exception("Could not read the apology from the message catalog")
        return LAST_RESORT_APOLOGY


def _speed_up(blueprint: Blueprint) -> None:
    """Rasa builds a channel's routes in the server process only, before serving: the
    moment to install trialbot's speed-ups (once per process, whichever channel is first)
    and to register their listeners with the server."""
    if rasa_speedups.install():
        rasa_speedups.listen(blueprint)


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


class QuestionnaireRestInput(RestInput):
    """Rasa's REST channel (``/webhooks/rest/webhook``) answering with whole messages."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)
        _speed_up(webhook)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                body = request.json
            except Exception:  # sanic raises on a body that is not JSON
                body = None
            if not isinstance(body, dict) or not body.get("sender"):
                return response.json(
                    {"error": 'expected JSON {"sender": "...", "message": "..."}'}, status=400
                )
            text = body.get("message")
            collector = WholeMessageCollector()
            try:
                await on_new_message(
                    UserMessage(
                        text if isinstance(text, str) else "",
                        collector,
                        str(body["sender"]),
                        input_channel=body.get("input_channel") or self.name(),
                        metadata=body.get("metadata"),
                    )
                )
            except Exception:
                # The candidate gets whatever was said so far, never a traceback.
                logger.exception("Handling a REST message failed")
            if not collector.messages:
                logger.warning("No reply for a message from %s: sending an apology", body["sender"])
                await collector.send_text_message(str(body["sender"]), apology())
            return response.json(collector.messages)

        return webhook


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


class QuestionnaireSocketIOInput(SocketIOInput):
    """Rasa's socket.io channel (the website widget) sending whole messages."""

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return None
        return WholeMessageSocketIOOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        socketio_webhook = super().blueprint(on_new_message)
        _speed_up(socketio_webhook)
        sio = self.sio
        assert sio is not None  # set by SocketIOInput.blueprint

        # Replaces Rasa's session handler (python-socketio keeps one per event). Rasa 3.6
        # calls ``sio.enter_room`` without awaiting it, but in the python-socketio we lock
        # (5.18) it is a coroutine: the client never joined its session's room, and every
        # reply (sent to that room when ``session_persistence`` is on) reached nobody.
        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: Any) -> None:
            if not isinstance(data, dict):
                data = {}
            session_id = data.get("session_id") or uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid)

        # Replaces Rasa's handler for user messages.
        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: dict[str, Any]) -> None:
            if not isinstance(data, dict):
                return
            if self.session_persistence:
                if not data.get("session_id"):
                    logger.warning("socket.io message without a session_id ignored")
                    return
                sender_id = data["session_id"]
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str):
                try:
                    metadata = json.loads(metadata)
                except ValueError:
                    metadata = {}
            text = data.get("message")
            output = WholeMessageSocketIOOutput(sio, self.bot_message_evt)
            try:
                await on_new_message(
                    UserMessage(
                        text if isinstance(text, str) else "",
                        output,
                        sender_id,
                        input_channel=self.name(),
                        metadata=metadata,
                    )
                )
            except Exception:
                logger.exception("Handling a socket.io message failed")
            if not output.sent:
                await output.send_text_message(sender_id, apology())

        return socketio_webhook

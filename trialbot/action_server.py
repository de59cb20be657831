"""The action server: rasa-sdk's action executor, open to Rasa only.

``python -m trialbot.action_server --actions actions -p 5055`` takes ``python -m
rasa_sdk``'s arguments and runs the same executor, with these differences:

* **No TensorFlow.** It is marked as absent before anything is imported. spaCy's thinc
  probes for it at import and would load all of it (about 400 MB and several seconds)
  although no action uses it; the parsers are rule-based. Rasa's own server, which does
  use TensorFlow, is another process and is not affected.
* **Only Rasa gets in.** Every request but ``GET /health`` must carry ``Authorization:
  Bearer <TRIALBOT_ACTION_SECRET>`` (``bot/endpoints.yml`` makes Rasa send it), compared
  in constant time before the body is even read; anything else gets 401 and a generic
  body. Without the variable (at least 16 characters) the server does not start.
* **Bounded bodies.** A body over ``TRIALBOT_ACTION_MAX_BYTES`` gets 413 before it is
  read when its length is declared, else as soon as it passes the limit. The default, 4
  MiB, leaves room for long conversations (measured 2026-12-01: a whole screening's last
  call 51 kB; 100 messages, half of them at the channels' 2,000-character maximum,
  0.93 MB; Rasa sends the whole session's events each time). ``deflate`` and ``gzip``
  bodies (Rasa's ``COMPRESS_ACTION_SERVER_REQUEST``) are inflated up to the same limit
  and no further; other encodings get 415.
* **Errors say nothing about the request.** A failing action gets ``500 {"error":
  "internal error"}``; rasa-sdk's own handler answers with the whole request body
  (tracker, the candidate's words, their contact details).
* **Logs name no one** (:mod:`trialbot.logsafe`): while a call runs, its sender and the
  candidate's words in its tracker are scrubbed from every log line.
* No CORS (no browser has business here); ``SANIC_HOST`` defaults to 127.0.0.1.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys
import types
import zlib
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any

SECRET_VARIABLE = "TRIALBOT_ACTION_SECRET"
MAX_BYTES_VARIABLE = "TRIALBOT_ACTION_MAX_BYTES"
MIN_SECRET_LENGTH = 16
DEFAULT_MAX_BYTES = 4 * 1024 * 1024
ENCODINGS = {"identity": None, "deflate": zlib.MAX_WBITS, "gzip": 16 + zlib.MAX_WBITS}
OPEN_PATHS = ("/health",)  # what a health check may see without the secret

logger = logging.getLogger("trialbot.action_server")  # also when run as __main__


def block_tensorflow() -> None:
    """Make ``import tensorflow`` fail fast (thinc then treats it as not installed)."""
    if "tensorflow" not in sys.modules:
        sys.modules["tensorflow"] = None  # type: ignore[assignment]


class TooLarge(Exception):
    pass


def max_bytes(environ: Mapping[str, str] | None = None) -> int:
    value = (os.environ if environ is None else environ).get(MAX_BYTES_VARIABLE, "").strip()
    if not value:
        return DEFAULT_MAX_BYTES
    if not value.isdigit() or int(value) <= 0:
        raise SystemExit(f"{MAX_BYTES_VARIABLE} must be a positive number of bytes, not {value!r}")
    return int(value)


def inflate(body: bytes, encoding: str, limit: int) -> bytes:
    """A compressed body, inflated to at most ``limit`` bytes (:class:`TooLarge` beyond:
    a small body that inflates without end is stopped there, never held in memory)."""
    inflater = zlib.decompressobj(ENCODINGS[encoding] or zlib.MAX_WBITS)
    data = inflater.decompress(body, limit + 1)
    if len(data) > limit or inflater.unconsumed_tail:
        raise TooLarge
    if not inflater.eof:
        raise zlib.error("truncated compressed body")
    return data


def candidate_texts(action_call: dict[str, Any]) -> Iterator[str]:
    """What the candidate typed, as far as this call's tracker shows it (for the logs)."""
    tracker = action_call.get("tracker")
    if not isinstance(tracker, dict):
        return
    latest = tracker.get("latest_message")
    if isinstance(latest, dict) and isinstance(latest.get("text"), str):
        yield latest["text"]
    events = tracker.get("events")
    for event in events if isinstance(events, list) else ():
        if isinstance(event, dict) and event.get("event") == "user":
            text = event.get("text")
            if isinstance(text, str):
                yield text


def create_app(
    actions: str | types.ModuleType,
    *,
    secret: str,
    limit: int = DEFAULT_MAX_BYTES,
    auto_reload: bool = False,
) -> Any:
    """The Sanic app: ``/health``, and ``/webhook`` and ``/actions`` behind the secret."""
    from rasa_sdk import utils
    from rasa_sdk.executor import ActionExecutor
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
    from sanic import Sanic, response
    from sanic.exceptions import SanicException
    from sanic.request import Request
    from sanic.request import json_loads as parse_json
    from sanic.response import HTTPResponse

    from trialbot import logsafe

    if len(secret) < MIN_SECRET_LENGTH:
        raise ValueError(f"the action server's secret needs {MIN_SECRET_LENGTH}+ characters")
    expected = f"Bearer {secret}".encode()
    app = Sanic("trialbot_actions", configure_logging=False)
    app.config.REQUEST_MAX_SIZE = limit  # every route; /webhook streams and checks itself
    executor = ActionExecutor()
    executor.register_package(actions)

    def error(status: int, text: str) -> HTTPResponse:
        return response.json({"error": text}, status=status)

    @app.on_request
    async def only_rasa(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS and request.method in ("GET", "HEAD"):
            return None
        given = request.headers.get("authorization", "").encode("utf-8", "surrogateescape")
        if not hmac.compare_digest(given, expected):
            logger.warning("Refused an action server request without the secret")
            return error(401, "unauthorized")
        return None

    @app.get("/health")
    async def health(_: Request) -> HTTPResponse:
        return response.json({"status": "ok"})

    @app.get("/actions")
    async def list_actions(_: Request) -> HTTPResponse:
        if auto_reload:
            executor.reload()
        return response.json([{"name": name} for name in executor.actions])

    async def read_body(request: Request) -> bytes:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise TooLarge
        chunks, size, stream = [], 0, request.stream
        while stream is not None and (chunk := await stream.read()) is not None:
            size += len(chunk)
            if size > limit:
                raise TooLarge
            chunks.append(chunk)
        return b"".join(chunks)

    @app.post("/webhook", stream=True)
    async def webhook(request: Request) -> HTTPResponse:
        encoding = (request.headers.get("content-encoding") or "identity").strip().lower()
        if encoding not in ENCODINGS:
            return error(415, "unsupported content encoding")
        try:
            body = await read_body(request)
            if ENCODINGS[encoding]:
                body = inflate(body, encoding, limit)
            action_call = parse_json(body)
        except TooLarge:
            logger.warning("Refused an action call over %d bytes", limit)
            return error(413, "request body too large")
        except (ValueError, zlib.error):
            return error(400, "invalid body")
        if not isinstance(action_call, dict):
            return error(400, "invalid body")
        logger.debug("Action call of %d bytes", len(body))

        token = logsafe.handling(action_call.get("sender_id"), candidate_texts(action_call))
        try:
            utils.check_version_compatibility(action_call.get("version"))
            if auto_reload:
                executor.reload()
            result = await executor.run(action_call)
        except ActionExecutionRejection as rejection:
            logger.debug("Action %s rejected", rejection.action_name)
            rejected = {"error": rejection.message, "action_name": rejection.action_name}
            return response.json(rejected, status=400)
        except ActionNotFoundException as missing:
            logger.error("No action named %r", missing.action_name)
            return response.json({"error": "no such action"}, status=404)
        except Exception:
            logger.exception("Action %r failed", action_call.get("next_action"))
            return error(500, "internal error")
        finally:
            logsafe.reset(token)
        return response.json(result)

    @app.exception(Exception)
    async def failed(request: Request, exception: Exception) -> HTTPResponse:
        """Whatever went wrong, the answer names no part of the request."""
        if isinstance(exception, SanicException) and exception.status_code < 500:
            status = exception.status_code
            return error(status, HTTPStatus(status).phrase.lower())
        logger.error("The action server failed on a request", exc_info=exception)
        return error(500, "internal error")

    return app


def _level_from_environment() -> int:
    """``LOG_LEVEL`` (as Rasa reads it) unless a flag says otherwise; INFO by default."""
    level = logging.getLevelName(os.environ.get("LOG_LEVEL", "INFO").upper())
    return level if isinstance(level, int) else logging.INFO


def main(argv: list[str] | None = None) -> None:
    block_tensorflow()
    from trialbot import logsafe

    logsafe.install()

    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_argument_parser, create_ssl_context
    from rasa_sdk.plugin import plugin_manager

    parser = create_argument_parser()
    parser.set_defaults(loglevel=_level_from_environment())
    args = parser.parse_args(argv)
    secret = os.environ.get(SECRET_VARIABLE, "")
    if len(secret) < MIN_SECRET_LENGTH:
        raise SystemExit(
            f"{SECRET_VARIABLE} must be set to a secret of at least {MIN_SECRET_LENGTH} "
            "characters, the same that Rasa sends (bot/endpoints.yml); `make run` makes one."
        )
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()

    app = create_app(args.actions, secret=secret, limit=max_bytes(), auto_reload=args.auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    host = os.environ.get("SANIC_HOST", "127.0.0.1")
    logger.info("Action server on %s://%s:%s", "https" if ssl_context else "http", host, args.port)
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


if __name__ == "__main__":
    main()

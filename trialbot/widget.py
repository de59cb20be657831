"""The website chat widget's files, served by the candidate-facing Rasa server.

A tiny Rasa input channel that carries no messages (the widget talks over the socket.io
channel, :mod:`trialbot.channels`): its blueprint serves

* ``/widget/trialbot-widget.js`` and ``.css`` — the built ``<trialbot-chat>`` element
  (``widget/src``, built with ``make widget`` into ``trialbot/widget_static/``);
* ``/widget/demo`` — a study page for the trial that embeds it with the README's snippet,
  under a strict Content-Security-Policy (no inline script or style, nothing but this
  origin and its WebSocket).

It lives on the Rasa server, never on the triage app, so that a candidate-facing page
shares no origin (and no cookie) with the staff's. credentials.yml::

    trialbot.widget.WidgetInput:
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import re
import string
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "widget_static"
PREFIX = "/widget"
TRIAL_VARIABLE = "TRIALBOT_TRIAL"

# The files the blueprint serves, with their content types.
ASSETS = {
    "trialbot-widget.js": "text/javascript; charset=utf-8",
    "trialbot-widget.css": "text/css; charset=utf-8",
    "demo.css": "text/css; charset=utf-8",
}

_HOST = re.compile(r"[A-Za-z0-9.\-]+(?::\d{1,5})?|\[[0-9A-Fa-f:.]+\](?::\d{1,5})?")

# Headers on every response of this blueprint.
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def content_security_policy(host: str) -> str:
    """The demo page's policy: everything from this origin only, no inline code, and the
    socket.io connection to this host (``'self'`` covers ws/wss only in CSP Level 3
    browsers, so they are named)."""
    safe = host if _HOST.fullmatch(host or "") else ""
    sockets = f" ws://{safe} wss://{safe}" if safe else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self'",
            "font-src 'self'",
            f"connect-src 'self'{sockets}",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def embed_config(config: Mapping[str, Any]) -> str:
    """JSON safe inside ``<script type="application/json">``: no ``<``, ``>`` or ``&``
    that could end the element or open a comment."""
    text = json.dumps(config, ensure_ascii=False, sort_keys=True, indent=2)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass(frozen=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def _asset(name: str, content_type: str) -> Asset | None:
    try:
        body = (STATIC / name).read_bytes()
    except OSError:
        logger.error("The widget file %s is missing: run `make widget`", STATIC / name)
        return None
    return Asset(body, content_type, f'"{hashlib.sha256(body).hexdigest()[:32]}"')


def demo_page(trial_id: str) -> str:
    """The demo study page for ``trial_id``, its text from the trial's criteria file."""
    from trialbot.criteria import load_trial, trial_path

    trial = load_trial(trial_path(trial_id))
    config = {
        "trial": trial.id,
        "language": trial.language,
        "title": f"{trial.short_title} study assistant",
        "colors": {"accent": "#0b5cad"},
        "privacyUrl": f"{PREFIX}/demo#privacy",
    }
    fields = {
        "language": trial.language,
        "short_title": trial.short_title,
        "title": trial.title,
        "summary": trial.summary,
        "involvement": trial.involvement,
        "site": trial.site,
        "sponsor": trial.sponsor,
        "status": trial.status.capitalize(),
        "enrollment": str(trial.enrollment),
        "nct_id": trial.nct_id,
        "min_age": str(trial.ages.min),
        "max_age": str(trial.ages.max),
    }
    template = string.Template((STATIC / "demo.html").read_text(encoding="utf-8"))
    escaped = {name: html.escape(value) for name, value in fields.items()}
    return template.substitute(escaped, config=embed_config(config))


class WidgetInput(InputChannel):
    """Serves the widget and its demo page under ``/widget`` (no messages come in here)."""

    @classmethod
    def name(cls) -> str:
        return "widget"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WidgetInput:
        return cls(str((credentials or {}).get("trial") or ""))

    def __init__(self, trial: str = "") -> None:
        self.trial = trial

    def url_prefix(self) -> str:
        # Rasa mounts a channel at urljoin("/webhooks/", url_prefix()): an absolute path
        # puts it at the server's root.
        return PREFIX

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        widget = Blueprint("trialbot_widget", url_prefix=PREFIX)
        assets = {name: _asset(name, kind) for name, kind in ASSETS.items()}
        trial_id = self.trial or os.environ.get(TRIAL_VARIABLE) or "spinus2"
        page: dict[str, str] = {}

        def headers(extra: Mapping[str, str] | None = None) -> dict[str, str]:
            return {**COMMON_HEADERS, **(extra or {})}

        @widget.route("/<name>", methods=["GET", "HEAD"])
        async def asset(request: Request, name: str) -> HTTPResponse:
            found = assets.get(name)
            if found is None:
                return response.text("Not found", status=404, headers=headers())
            cache = {
                "ETag": found.etag,
                "Cache-Control": "public, max-age=300",
                # Other sites embed the script; nothing else about this origin goes with it.
                "Cross-Origin-Resource-Policy": "cross-origin",
            }
            if request.headers.get("if-none-match") == found.etag:
                return response.empty(status=304, headers=headers(cache))
            return response.raw(found.body, content_type=found.content_type, headers=headers(cache))

        @widget.route("/demo", methods=["GET", "HEAD"])
        async def demo(request: Request) -> HTTPResponse:
            if "html" not in page:
                try:
                    page["html"] = demo_page(trial_id)
                except Exception:
                    logger.exception("Could not build the widget's demo page")
                    return response.text(
                        "The demo page is not available.", status=500, headers=headers()
                    )
            return response.html(
                page["html"],
                headers=headers(
                    {
                        "Content-Security-Policy": content_security_policy(request.host),
                        "X-Frame-Options": "DENY",
                        "Cache-Control": "no-cache",
                    }
                ),
            )

        return widget

"""Server-side HTML with jinja2, autoescaped everywhere.

Everything a candidate typed reaches the page through ``{{ }}`` and is escaped, so it
is shown as text and never run. No template marks anything ``|safe``.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from trialbot.web import keys

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def label(value: object) -> str:
    """``not_enrolled`` -> ``not enrolled``."""
    text = getattr(value, "value", value)
    return str(text or "").replace("_", " ")


def make_environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = when
    environment.filters["label"] = label
    return environment


def render_page(
    request: web.Request, template: str, *, http_status: int = 200, **context: Any
) -> web.Response:
    staff = request.get(keys.STAFF)
    session = request.get(keys.WEB_SESSION)
    text = (
        request.app[keys.TEMPLATES]
        .get_template(template)
        .render(
            staff=staff,
            csrf_token=session.csrf_token if session is not None else "",
            path=request.path,
            **context,
        )
    )
    return web.Response(text=text, status=http_status, content_type="text/html", charset="utf-8")

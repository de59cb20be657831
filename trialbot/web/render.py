"""Server-side HTML with jinja2, autoescaped everywhere.

Everything a candidate typed reaches the page through ``{{ }}`` and is escaped, so it
is shown as text and never run. No template marks anything ``|safe``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from trialbot.web import keys

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
STATIC_DIR = Path(__file__).resolve().parent / "static"


def when(moment: datetime | None, zone: ZoneInfo | None = None) -> str:
    """A time as staff read it: in the site's time zone, with its abbreviation."""
    if moment is None:
        return ""
    if zone is None:
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z")


def day(value: date | None) -> str:
    """A date with its weekday: ``Mon 30 Mar 2026``."""
    return value.strftime("%a %d %b %Y") if value else ""


def label(value: object) -> str:
    """``not_enrolled`` -> ``not enrolled``."""
    text = getattr(value, "value", value)
    return str(text or "").replace("_", " ")


def make_environment(time_zone: str | None = None) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    zone = ZoneInfo(time_zone) if time_zone else None
    environment.filters["when"] = lambda moment: when(moment, zone)
    environment.filters["day"] = day
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

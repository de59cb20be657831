"""The triage web app: staff review handoffs, move them along, export and audit.

Server-rendered HTML that works without JavaScript, plus a JSON API under ``/api``
for bearer tokens. ``create_app(settings)`` builds it; ``python -m trialbot.web`` serves it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_app"]


def __getattr__(name: str) -> Any:
    # Lazy, so that ``trialbot.web.cli`` loads without aiohttp, jinja2 and the store.
    if name == "create_app":
        from trialbot.web.app import create_app

        return create_app
    raise AttributeError(name)

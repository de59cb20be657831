"""The triage web app: staff review handoffs, move them along, export and audit.

Server-rendered HTML that works without JavaScript, plus a JSON API under ``/api``
for bearer tokens. ``create_app(settings)`` builds it; ``python -m trialbot.web`` serves it.
"""

from __future__ import annotations

from trialbot.web.app import create_app

__all__ = ["create_app"]

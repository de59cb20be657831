"""What the page handlers share: query filters and notification wording."""

from __future__ import annotations

import re

from aiohttp import web

from trialbot.store import HandoffStatus
from trialbot.web.queries import NotificationState

TRIAL_ID = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
NOTE_MAX_CHARS = 2000


def filters(request: web.Request) -> tuple[str | None, str | None]:
    """``?status=`` and ``?trial=`` of the queue (empty means all); 400 when malformed."""
    status = request.query.get("status") or None
    trial = request.query.get("trial") or None
    if status is not None and status not in {s.value for s in HandoffStatus}:
        raise web.HTTPBadRequest(text=f"There is no status called {status!r}.")
    if trial is not None and not TRIAL_ID.match(trial):
        raise web.HTTPBadRequest(text="That is not a trial id.")
    return status, trial


def handoff_id(request: web.Request) -> int:
    try:
        value = int(request.match_info["handoff_id"])
    except ValueError:
        raise web.HTTPNotFound() from None
    if not 0 < value < 2**31:
        raise web.HTTPNotFound()
    return value


def notification_summary(states: list[NotificationState]) -> str:
    """One line per handoff for the queue and the CSV: ``email sent; webhook retrying``."""
    if not states:
        return "none configured"
    parts = []
    for state in states:
        if state.status == "pending" and state.attempts:
            parts.append(f"{state.channel} retrying ({state.attempts} failed)")
        else:
            parts.append(f"{state.channel} {state.status}")
    return "; ".join(parts)


def notification_problem(states: list[NotificationState]) -> bool:
    return any(s.status == "failed" or (s.status == "pending" and s.attempts) for s in states)

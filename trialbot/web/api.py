"""The JSON API for bearer tokens (``trialbot token create NAME``).

``GET /api/handoffs``, ``GET|PATCH /api/handoffs/{id}``, ``GET|DELETE
/api/screenings/{sender_id}`` (``DELETE`` erases the candidate: admin tokens only);
described by ``/api/openapi.json`` (``trialbot.web.openapi``). Reads and changes are
audited under the token's name (``token:NAME``), like the pages.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.roles import Role
from trialbot.store import (
    HandoffDetail,
    HandoffNotFound,
    HandoffStatus,
    HandoffSummary,
    InvalidTransition,
)
from trialbot.store.erasure import erase_candidate
from trialbot.store.handoffs import next_steps
from trialbot.web import keys
from trialbot.web.auth import actor
from trialbot.web.queries import NotificationState, notification_states
from trialbot.web.security import has_control_characters
from trialbot.web.views.common import NOTE_MAX_CHARS, TRIAL_ID, handoff_id

# Any sender id a channel accepts; control characters never (PostgreSQL refuses NUL).
SENDER_ID = re.compile(r"^[^\x00-\x1f\x7f]{1,255}$")


# A note must show something: at least one character outside JSON Schema's (ECMA-262)
# whitespace — the `pattern: \S` the OpenAPI document gives, read the way clients read it.
_VISIBLE = re.compile("[^\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]")


def problem(status: int, error: str, message: str) -> web.Response:
    return web.json_response({"error": error, "message": message}, status=status)


def unexpected_query(request: web.Request, *allowed: str) -> web.Response | None:
    """A 422 for query parameters the endpoint does not take (a typo must not widen a filter).

    Compare the result with ``is not None``: an aiohttp response is an empty mapping, falsy.
    """
    unknown = sorted(set(request.query) - set(allowed))
    if unknown:
        return problem(422, "invalid_query", f"unknown query parameter(s): {', '.join(unknown)}")
    return None


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def summary_json(summary: HandoffSummary, states: list[NotificationState]) -> dict[str, Any]:
    return {
        "id": summary.id,
        "trial": summary.trial_id,
        "sender_id": summary.sender_id,
        "priority": summary.priority.value,
        "status": summary.status.value,
        "outcome": summary.outcome,
        "name": summary.name,
        "created_at": _iso(summary.created_at),
        "updated_at": _iso(summary.updated_at),
        "notifications": [s.as_json() for s in states],
    }


def detail_json(detail: HandoffDetail, states: list[NotificationState]) -> dict[str, Any]:
    contact = detail.contact
    return {
        **summary_json(detail.summary, states),
        # The next sensible steps first, as the handoff page offers them.
        "allowed_statuses": [
            s.value for s in next_steps(detail.summary.status, detail.summary.attempts)
        ],
        "contact": None
        if contact is None
        else {
            "name": contact.name,
            "phone": contact.phone,
            "email": contact.email,
            "future_contact": contact.future_contact,
        },
        "criteria": [
            {
                "criterion_id": c.criterion_id,
                "verdict": c.verdict,
                "reason": c.reason,
                "evidence": list(c.evidence),
            }
            for c in detail.criteria
        ],
        "answers": [
            {
                "question_id": a.question_id,
                "text": a.text,
                "value": a.value,
                "understood": a.understood,
                "hedged": a.hedged,
                "answered_at": _iso(a.answered_at),
            }
            for a in detail.answers
        ],
        "history": [
            {
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "actor": e.actor,
                "at": _iso(e.at),
            }
            for e in detail.history
        ],
    }


async def list_handoffs(request: web.Request) -> web.StreamResponse:
    if (refused := unexpected_query(request, "status", "trial")) is not None:
        return refused
    # Stricter than the pages: a parameter given is a parameter checked, even when empty.
    status = request.query.get("status")
    trial = request.query.get("trial")
    if status is not None and status not in {s.value for s in HandoffStatus}:
        return problem(422, "invalid_status", f"unknown status {status!r}")
    if trial is not None and not TRIAL_ID.match(trial):
        return problem(422, "invalid_trial", "trial must be a trial id")
    store = request.app[keys.STORE]
    who = actor(request)

    def read() -> list[dict[str, Any]]:
        handoffs = store.list_handoffs(status, trial)
        states = notification_states(store.engine, [h.id for h in handoffs])
        store.audit(who, "handoffs.listed", "handoff", "*", {"status": status, "trial": trial})
        return [summary_json(h, states.get(h.id, [])) for h in handoffs]

    return web.json_response({"handoffs": await in_thread(read)})


def _reader(request: web.Request, number: int) -> Any:
    store = request.app[keys.STORE]
    who = actor(request)

    def read() -> dict[str, Any] | None:
        detail = store.get_handoff(number, viewer=who)
        if detail is None:
            return None
        states = notification_states(store.engine, [number]).get(number, [])
        return detail_json(detail, states)

    return read


async def get_handoff(request: web.Request) -> web.StreamResponse:
    number = handoff_id(request)
    if (refused := unexpected_query(request)) is not None:
        return refused
    body = await in_thread(_reader(request, number))
    if body is None:
        return problem(404, "not_found", f"no handoff {number}")
    return web.json_response(body)


async def patch_handoff(request: web.Request) -> web.StreamResponse:
    number = handoff_id(request)
    if (refused := unexpected_query(request)) is not None:
        return refused
    try:
        payload = json.loads(await request.text())
    except (ValueError, UnicodeDecodeError):
        return problem(400, "invalid_json", "the body must be a JSON object")
    if not isinstance(payload, dict):
        return problem(422, "invalid_body", "the body must be a JSON object")
    unknown = sorted(set(payload) - {"status", "note"})
    if unknown:
        return problem(422, "invalid_body", f"unknown field(s): {', '.join(unknown)}")
    status = payload.get("status")
    note = payload.get("note")
    if "status" in payload and (
        not isinstance(status, str) or status not in {s.value for s in HandoffStatus}
    ):
        return problem(422, "invalid_status", "status must be one of the workflow's statuses")
    if not isinstance(note, str) or not _VISIBLE.search(note):
        return problem(422, "note_required", "a note is required with every change")
    if len(note) > NOTE_MAX_CHARS:
        return problem(422, "note_too_long", f"a note has at most {NOTE_MAX_CHARS} characters")
    if has_control_characters(note):
        return problem(
            422,
            "note_control_characters",
            "a note cannot contain control characters (such as NUL); "
            "tab, line feed and carriage return are allowed",
        )
    store = request.app[keys.STORE]
    who = actor(request)
    try:
        if status is None:
            await in_thread(store.add_note, number, note.strip(), who)
        else:
            await in_thread(store.change_status, number, status, note.strip(), who)
    except HandoffNotFound:
        return problem(404, "not_found", f"no handoff {number}")
    except InvalidTransition as error:
        return problem(409, "invalid_transition", str(error))
    body = await in_thread(_reader(request, number))
    if body is None:  # erased in between
        return problem(404, "not_found", f"no handoff {number}")
    return web.json_response(body)


async def get_screening(request: web.Request) -> web.StreamResponse:
    if (refused := unexpected_query(request, "trial")) is not None:
        return refused
    sender_id = request.match_info["sender_id"]
    trial = request.query.get("trial")
    if not SENDER_ID.match(sender_id):
        return problem(404, "not_found", "no such sender")
    if trial is not None and not TRIAL_ID.match(trial):
        return problem(422, "invalid_trial", "trial must be a trial id")
    store = request.app[keys.STORE]
    who = actor(request)

    def read() -> dict[str, Any] | None:
        report = store.report(sender_id, trial)
        if report is not None:
            store.audit(who, "screening.viewed", "sender", sender_id[:64], {"trial": trial})
        return report

    report = await in_thread(read)
    if report is None:
        return problem(404, "not_found", "no screening for this sender")
    return web.json_response(report)


def _is_admin_token(request: web.Request) -> bool:
    """Whether the bearer token acts for an administrator (its account is active: a
    disabled account's tokens are refused before any handler runs)."""
    token = request.get(keys.API_TOKEN)
    return getattr(token, "owner_role", None) == Role.ADMIN.value


async def delete_screening(request: web.Request) -> web.StreamResponse:
    """Erase the candidate everywhere (``erase_candidate``): 204, or 404 if nothing is stored."""
    if (refused := unexpected_query(request)) is not None:
        return refused
    sender_id = request.match_info["sender_id"]
    if not _is_admin_token(request):
        return problem(403, "forbidden", "only an administrator's token can erase a candidate")
    if not SENDER_ID.match(sender_id):
        return problem(404, "not_found", "no such sender")
    store = request.app[keys.STORE]
    report = await in_thread(
        lambda: erase_candidate(
            store,
            sender_id,
            actor=actor(request),
            tracker_url=request.app[keys.SETTINGS].tracker_url,
        )
    )
    if not report.found:
        return problem(404, "not_found", "nothing stored for this sender")
    return web.Response(status=204)


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/api/handoffs", list_handoffs)
    router.add_get(r"/api/handoffs/{handoff_id:\d+}", get_handoff)
    router.add_patch(r"/api/handoffs/{handoff_id:\d+}", patch_handoff)
    router.add_get("/api/screenings/{sender_id}", get_screening)
    router.add_delete("/api/screenings/{sender_id}", delete_screening)

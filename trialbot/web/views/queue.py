"""The queue of handoffs and its CSV export."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.store import HandoffStatus
from trialbot.web import keys
from trialbot.web.auth import actor
from trialbot.web.queries import handoff_trial_ids, notification_states
from trialbot.web.render import render_page, when
from trialbot.web.views.common import filters, notification_problem, notification_summary

# Spreadsheets run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: formulas get a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _queue_reader(request: web.Request, audit_action: str) -> Callable[[], dict[str, Any]]:
    """Validates the filters now; the returned function reads (and audits) in a thread."""
    status, trial = filters(request)
    store = request.app[keys.STORE]
    who = actor(request)

    def read() -> dict[str, Any]:
        handoffs = store.list_handoffs(status, trial)
        states = notification_states(store.engine, [h.id for h in handoffs])
        result = {
            "handoffs": handoffs,
            "states": states,
            "counts": store.status_counts(trial),
            "trial_ids": handoff_trial_ids(store.engine),
            "status": status,
            "trial": trial,
        }
        store.audit(who, audit_action, "handoff", "*", {"status": status, "trial": trial})
        return result

    return read


async def queue(request: web.Request) -> web.StreamResponse:
    data = await in_thread(_queue_reader(request, "handoffs.listed"))
    trials = request.app[keys.TRIALS]
    return render_page(
        request,
        "queue.html",
        statuses=[s.value for s in HandoffStatus],
        trials=trials,
        summary=notification_summary,
        problem=notification_problem,
        **data,
    )


async def export_csv(request: web.Request) -> web.StreamResponse:
    data = await in_thread(_queue_reader(request, "handoffs.exported"))
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "id",
            "trial",
            "priority",
            "status",
            "outcome",
            "name",
            "created",
            "updated",
            "notification",
        ]
    )
    for h in data["handoffs"]:
        writer.writerow(
            [
                neutralise(cell)
                for cell in (
                    h.id,
                    h.trial_id,
                    h.priority.value,
                    h.status.value,
                    h.outcome,
                    h.name,
                    when(h.created_at),
                    when(h.updated_at),
                    notification_summary(data["states"].get(h.id, [])),
                )
            ]
        )
    return web.Response(
        text=buffer.getvalue(),
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="handoffs.csv"'},
    )

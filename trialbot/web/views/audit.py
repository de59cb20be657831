"""The audit log, for administrators only."""

from __future__ import annotations

import json

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.roles import Role
from trialbot.web import keys
from trialbot.web.auth import require_role
from trialbot.web.queries import audit_page
from trialbot.web.render import render_page

PAGE_SIZE = 100


async def audit_log(request: web.Request) -> web.StreamResponse:
    staff = require_role(request, Role.ADMIN)
    try:
        before = int(request.query["before"]) if request.query.get("before") else None
    except ValueError:
        raise web.HTTPBadRequest(text="'before' must be a number.") from None
    object_type = request.query.get("object_type") or None
    object_id = request.query.get("object_id") or None
    store = request.app[keys.STORE]

    def read():  # type: ignore[no-untyped-def]
        store.audit(staff.email, "audit.viewed", "audit", "*")
        return audit_page(
            store.engine,
            limit=PAGE_SIZE,
            before_id=before,
            object_type=object_type,
            object_id=object_id,
        )

    entries, total = await in_thread(read)
    return render_page(
        request,
        "audit.html",
        entries=entries,
        total=total,
        details=lambda d: json.dumps(d, ensure_ascii=False, sort_keys=True) if d else "",
        older=entries[-1].id if len(entries) == PAGE_SIZE else None,
        object_type=object_type or "",
        object_id=object_id or "",
    )

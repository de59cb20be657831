"""The worklist (whom to call next, and why), "Assign to me", and the CSV call list.

The order is ``trialbot.worklist.priority_key``; filters by status, trial, assignee and
date range run in SQL, the search by name, phone or e-mail in Python (contact details
are sealed at rest), and paging after both.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.criteria import Trial
from trialbot.store import HandoffNotFound, HandoffStatus
from trialbot.store.handoffs import OPEN_STATUSES, WorkItem
from trialbot.store.models import utcnow
from trialbot.web import keys
from trialbot.web.auth import actor, current_staff, safe_next
from trialbot.web.queries import handoff_trial_ids, notification_states
from trialbot.web.render import render_page, when
from trialbot.web.views.common import (
    TRIAL_ID,
    handoff_id,
    notification_problem,
    notification_summary,
)
from trialbot.worklist import (
    Standing,
    describe_value,
    is_due,
    matches,
    priority_key,
    priority_reason,
)

PAGE_SIZE = 25
SEARCH_MAX_CHARS = 100
# What the age and duration columns show: the answer of the trial's question of this type.
COLUMN_TYPES = {"age": "age", "duration": "duration"}
# Spreadsheets run a cell starting with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# The clock of the worklist (tests set a fixed one): "today", waiting times, follow-ups.
CLOCK: web.AppKey[Callable[[], datetime]] = web.AppKey("trialbot.clock")
# Confirmations shown after a redirect (?saved=...): fixed texts, never echoed input.
SAVED = {
    "status": "Saved: the status was changed.",
    "attempt": "Saved: the call attempt was recorded.",
    "note": "Saved: the note was added.",
    "assigned": "Saved: the handoff is assigned to you.",
    "unassigned": "Saved: the handoff is no longer assigned.",
    "plan": "Saved: the follow-up plan was updated.",
}


def neutralise(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text: formulas get a leading ``'``."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def now(request: web.Request) -> datetime:
    clock = request.app.get(CLOCK)
    return clock() if clock is not None else utcnow()


def zone(request: web.Request) -> ZoneInfo:
    return ZoneInfo(request.app[keys.SETTINGS].time_zone)


def today(request: web.Request) -> date:
    return now(request).astimezone(zone(request)).date()


def may_see_contacts(request: web.Request) -> bool:
    staff = current_staff(request)
    return staff.role.value in request.app[keys.SETTINGS].contact_roles


def saved_message(request: web.Request) -> str:
    return SAVED.get(request.query.get("saved", ""), "")


def tel_href(phone: str | None) -> str:
    """``tel:+420601123456`` from however the number was written."""
    if not phone:
        return ""
    kept = "".join(c for c in phone if c.isdigit() or c == "+")
    return f"tel:{kept}" if any(c.isdigit() for c in kept) else ""


def mailto_href(email: str | None) -> str:
    if not email or "@" not in email or any(c in email for c in " <>\"'\n\r"):
        return ""
    return f"mailto:{email}"


# -- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    search: str = ""
    status: str = ""  # "" = open handoffs, "all", or one status
    trial: str = ""
    assignee: str = ""  # "" = anyone, "me", "none", or a staff e-mail
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1

    def query(self, **changes: Any) -> str:
        """This filter as a query string (empty values left out), with ``changes``."""
        values = {
            "q": self.search,
            "status": self.status,
            "trial": self.trial,
            "assignee": self.assignee,
            "from": self.date_from.isoformat() if self.date_from else "",
            "to": self.date_to.isoformat() if self.date_to else "",
            "page": str(self.page) if self.page > 1 else "",
        }
        values.update({k: str(v) for k, v in changes.items()})
        return urlencode({k: v for k, v in values.items() if v})


def _date(request: web.Request, name: str) -> date | None:
    value = request.query.get(name) or ""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"'{name}' must be a date like 2026-03-30.") from None


def parse_filters(request: web.Request) -> Filters:
    """The worklist's query string; 400 when malformed."""
    status = request.query.get("status") or ""
    if status and status != "all" and status not in {s.value for s in HandoffStatus}:
        raise web.HTTPBadRequest(text=f"There is no status called {status!r}.")
    trial = request.query.get("trial") or ""
    if trial and not TRIAL_ID.match(trial):
        raise web.HTTPBadRequest(text="That is not a trial id.")
    search = (request.query.get("q") or "").strip()
    if len(search) > SEARCH_MAX_CHARS:
        raise web.HTTPBadRequest(text=f"Search for at most {SEARCH_MAX_CHARS} characters.")
    assignee = (request.query.get("assignee") or "").strip()
    if len(assignee) > 255:
        raise web.HTTPBadRequest(text="That is not a member of staff.")
    try:
        page = int(request.query.get("page") or 1)
    except ValueError:
        raise web.HTTPBadRequest(text="'page' must be a number.") from None
    if not 1 <= page <= 100_000:
        raise web.HTTPBadRequest(text="'page' must be a number from 1.")
    date_from, date_to = _date(request, "from"), _date(request, "to")
    if date_from and date_to and date_from > date_to:
        raise web.HTTPBadRequest(text="The date range ends before it starts.")
    return Filters(search, status, trial, assignee, date_from, date_to, page)


def local_day_start(day: date, site: ZoneInfo) -> datetime:
    """The UTC moment a site-local day begins (DST-aware)."""
    return datetime.combine(day, time.min, tzinfo=site)


# -- rows -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One handoff as a caller reads it."""

    item: WorkItem
    rank: int
    standing: Standing
    reason: str
    due: bool
    unknowns: tuple[str, ...]
    age: str
    duration: str
    relation: str

    @property
    def id(self) -> int:
        return self.item.summary.id

    @property
    def summary(self) -> Any:
        return self.item.summary

    @property
    def phone(self) -> str:
        return (self.item.contact.phone if self.item.contact else None) or ""

    @property
    def email(self) -> str:
        return (self.item.contact.email if self.item.contact else None) or ""

    @property
    def name(self) -> str:
        return self.item.summary.name or ""

    @property
    def tel(self) -> str:
        return tel_href(self.phone)

    @property
    def mailto(self) -> str:
        return mailto_href(self.email)


def criterion_names(trial: Trial | None) -> dict[str, str]:
    if trial is None:
        return {}
    return {c.id: c.plain_name for c in trial.criteria}


def question_of_type(trial: Trial | None, expects: str) -> str | None:
    if trial is None:
        return None
    return next((q.id for q in trial.screening_questions if q.expects == expects), None)


def relation_text(answered_by: str | None, relationship: str | None, call_whom: str | None) -> str:
    """Who answered and whom to call, when someone answered for the candidate."""
    if answered_by != "relative":
        return ""
    # ``relationship`` is what the candidate is to the one who answered ("mother").
    who = (
        f"someone else (the candidate is their {relationship})"
        if relationship
        else "a relative or friend"
    )
    call = {
        "candidate": "call the candidate",
        "answerer": "call the person who answered",
        "either": "call either",
    }.get(call_whom or "", "whom to call not said")
    return f"answered by {who}; {call}"


def make_rows(items: list[WorkItem], trials: dict[str, Trial], day: date) -> list[Row]:
    """The items in worklist order, each with its priority reason and columns."""
    prepared = []
    for item in items:
        trial = trials.get(item.summary.trial_id)
        names = criterion_names(trial)
        order = list(names)
        unknown_ids = sorted(
            (c for c, v in item.verdicts.items() if v == "unknown"),
            key=lambda c: (order.index(c) if c in order else len(order), c),
        )
        unknowns = tuple(names.get(c, c.replace("_", " ")) for c in unknown_ids)
        standing = Standing(
            handoff_id=item.summary.id,
            outcome=item.summary.outcome,
            unknowns=unknowns,
            red_flags=item.red_flags,
            created_at=item.summary.created_at,
            follow_up_on=item.summary.follow_up_on,
            attempts=item.summary.attempts,
        )
        columns = {}
        for column, expects in COLUMN_TYPES.items():
            question = question_of_type(trial, expects)
            value = item.values.get(question) if question else None
            columns[column] = describe_value(value, question in item.hedged)
        prepared.append((item, standing, unknowns, columns))
    prepared.sort(key=lambda p: priority_key(p[1], day))
    rows = []
    for rank, (item, standing, unknowns, columns) in enumerate(prepared, start=1):
        relation = relation_text(item.answered_by, item.relationship, item.call_whom)
        reason = priority_reason(standing, day)
        if relation:
            reason = f"{reason} · {relation}"
        rows.append(
            Row(
                item=item,
                rank=rank,
                standing=standing,
                reason=reason,
                due=is_due(standing, day),
                unknowns=unknowns,
                age=columns["age"],
                duration=columns["duration"],
                relation=relation,
            )
        )
    return rows


def _worklist_reader(
    request: web.Request, filters: Filters, *, audit_action: str, last_notes: bool = False
) -> Callable[[], dict[str, Any]]:
    """Validated now; the returned function reads (and audits) in a thread."""
    store = request.app[keys.STORE]
    trials = request.app[keys.TRIALS]
    who = actor(request)
    site = zone(request)
    day = today(request)
    contacts_allowed = may_see_contacts(request)
    if filters.status == "all":
        statuses: Any = None
    elif filters.status:
        statuses = [filters.status]
    else:
        statuses = list(OPEN_STATUSES)
    assignee: str | None = None
    if filters.assignee == "me":
        assignee = who
    elif filters.assignee == "none":
        assignee = ""
    elif filters.assignee:
        assignee = filters.assignee
    questions = sorted(
        {
            q
            for trial in trials.values()
            for q in (question_of_type(trial, e) for e in COLUMN_TYPES.values())
            if q
        }
    )

    def read() -> dict[str, Any]:
        items = store.work_items(
            statuses=statuses,
            trial_id=filters.trial or None,
            assignee=assignee,
            created_from=local_day_start(filters.date_from, site) if filters.date_from else None,
            created_before=(
                local_day_start(filters.date_to + timedelta(days=1), site)
                if filters.date_to
                else None
            ),
            questions=questions,
            last_notes=last_notes,
        )
        if filters.search and contacts_allowed:
            items = [
                i
                for i in items
                if i.contact is not None
                and matches(filters.search, i.contact.name, i.contact.phone, i.contact.email)
            ]
        elif filters.search:
            items = []  # without access to contact details there is nothing to search
        rows = make_rows(items, trials, day)
        result = {
            "rows": rows,
            "states": notification_states(store.engine, [r.id for r in rows]),
            "counts": store.status_counts(filters.trial or None),
            "trial_ids": handoff_trial_ids(store.engine),
            "assignees": store.assignees(),
        }
        store.audit(
            who,
            audit_action,
            "handoff",
            "*",
            {
                "status": filters.status or "open",
                "trial": filters.trial or None,
                "assignee": filters.assignee or None,
                "from": filters.date_from.isoformat() if filters.date_from else None,
                "to": filters.date_to.isoformat() if filters.date_to else None,
                # What was searched for is a candidate's detail: only whether.
                "searched": bool(filters.search),
                "rows": len(rows),
            },
        )
        return result

    return read


async def queue(request: web.Request) -> web.StreamResponse:
    filters = parse_filters(request)
    data = await in_thread(_worklist_reader(request, filters, audit_action="handoffs.listed"))
    rows: list[Row] = data.pop("rows")
    pages = max(1, math.ceil(len(rows) / PAGE_SIZE))
    page = min(filters.page, pages)
    shown = rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return render_page(
        request,
        "queue.html",
        statuses=[s.value for s in HandoffStatus],
        trials=request.app[keys.TRIALS],
        filters=filters,
        rows=shown,
        total=len(rows),
        page=page,
        pages=pages,
        first_shown=(page - 1) * PAGE_SIZE + 1 if shown else 0,
        last_shown=(page - 1) * PAGE_SIZE + len(shown),
        contacts_allowed=may_see_contacts(request),
        summary=notification_summary,
        problem=notification_problem,
        today=today(request),
        saved=saved_message(request),
        me=actor(request),
        here=request.path_qs,
        status=filters.status,
        trial=filters.trial,
        **data,
    )


CSV_COLUMNS = (
    "rank",
    "id",
    "trial",
    "priority",
    "priority_reason",
    "name",
    "phone",
    "email",
    "best_time_to_call",
    "status",
    "assignee",
    "attempts",
    "next_follow_up",
    "last_contact",
    "waiting_since",
    "outcome",
    "verdicts",
    "red_flags",
    "answered_by",
    "last_note",
    "last_note_at",
)


def verdict_summary(item: WorkItem, trial: Trial | None) -> str:
    """``Age: pass; MRI: unknown; ...`` in the trial's order of criteria."""
    names = criterion_names(trial)
    order = list(names)
    ids = sorted(item.verdicts, key=lambda c: (order.index(c) if c in order else len(order), c))
    return "; ".join(f"{names.get(c, c)}: {item.verdicts[c]}" for c in ids)


async def export_csv(request: web.Request) -> web.StreamResponse:
    """The call list: every handoff the filters select, in worklist order (no paging).

    Only for roles that may see contact details; every export is audited.
    """
    filters = parse_filters(request)
    if not may_see_contacts(request):
        store = request.app[keys.STORE]
        who = actor(request)
        await in_thread(store.audit, who, "handoffs.export_refused", "handoff", "*", {})
        raise web.HTTPForbidden(text="Your role may not see candidates' contact details.")
    data = await in_thread(
        _worklist_reader(request, filters, audit_action="handoffs.exported", last_notes=True)
    )
    trials = request.app[keys.TRIALS]
    site = zone(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in data["rows"]:
        item, summary = row.item, row.summary
        writer.writerow(
            [
                neutralise(cell)
                for cell in (
                    row.rank,
                    summary.id,
                    summary.trial_id,
                    summary.priority.value,
                    row.reason,
                    row.name,
                    row.phone,
                    row.email,
                    item.call_time or "",
                    summary.status.value,
                    summary.assignee or "",
                    summary.attempts,
                    summary.follow_up_on.isoformat() if summary.follow_up_on else "",
                    when(summary.last_contact_at, site),
                    when(summary.created_at, site),
                    summary.outcome or "",
                    verdict_summary(item, trials.get(summary.trial_id)),
                    ", ".join(item.red_flags),
                    row.relation,
                    item.last_note or "",
                    when(item.last_note_at, site),
                )
            ]
        )
    # A byte-order mark, so that Excel reads the file as UTF-8 ("Dvořák", not "DvoĹ™Ăˇk").
    body = ("\ufeff" + buffer.getvalue()).encode("utf-8")
    return web.Response(
        body=body,
        content_type="text/csv",
        charset="utf-8",
        headers={"Content-Disposition": 'attachment; filename="call-list.csv"'},
    )


async def assign(request: web.Request) -> web.StreamResponse:
    """``assignee=me`` assigns the handoff to whoever asks; ``assignee=`` unassigns it."""
    number = handoff_id(request)
    form = await request.post()
    who = actor(request)
    choice = str(form.get("assignee") or "")
    if choice not in ("me", ""):
        raise web.HTTPBadRequest(text="Assign to yourself, or to nobody.")
    store = request.app[keys.STORE]
    try:
        await in_thread(store.assign, number, who if choice == "me" else None, who)
    except HandoffNotFound:
        raise web.HTTPNotFound(text=f"There is no handoff {number}.") from None
    saved = "assigned" if choice == "me" else "unassigned"
    raise web.HTTPSeeOther(
        with_saved(str(form.get("next") or f"/handoffs/{number}"), saved, f"handoff-{number}")
    )


def with_saved(path: str, saved: str, anchor: str = "") -> str:
    """A page of this site (else the queue) with its confirmation ``?saved=``."""
    back = safe_next(path).split("#", 1)[0]
    base, _, query = back.partition("?")
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=False) if k != "saved"]
    kept.append(("saved", saved))
    return f"{base}?{urlencode(kept)}" + (f"#{anchor}" if anchor else "")

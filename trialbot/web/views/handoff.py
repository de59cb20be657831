"""One handoff, work first: whom to call and how, the next steps, notes and history;
then why (criteria, answers, flags) and the transcript, collapsed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.criteria import Trial
from trialbot.roles import Role
from trialbot.store import HandoffDetail, HandoffNotFound, HandoffStatus, InvalidTransition
from trialbot.store.erasure import erase_candidate
from trialbot.store.handoffs import next_steps
from trialbot.web import keys
from trialbot.web.auth import actor, require_role
from trialbot.web.queries import notification_states
from trialbot.web.render import render_page
from trialbot.web.security import CONTROL_CHARACTERS_MESSAGE, has_control_characters
from trialbot.web.views.common import NOTE_MAX_CHARS, handoff_id
from trialbot.web.views.queue import (
    mailto_href,
    may_see_contacts,
    now,
    relation_text,
    saved_message,
    tel_href,
    today,
    with_saved,
    zone,
)
from trialbot.worklist import AnswerFlag, answer_flags, propose_follow_up, stored_answer

CALL_TIME_MAX_CHARS = 200


@dataclass(frozen=True)
class CriterionRow:
    criterion_id: str
    kind: str
    registry_text: str
    verdict: str
    reason: str
    words: list[str]


@dataclass(frozen=True)
class AnswerRow:
    question: str
    text: str
    hedged: bool
    understood: bool


def criterion_rows(detail: HandoffDetail, trial: Trial | None) -> list[CriterionRow]:
    answers = {a.question_id: a for a in detail.answers}
    rows = []
    for record in detail.criteria:
        registry_text, kind, questions = record.criterion_id, "", []
        if trial is not None:
            try:
                criterion = trial.criterion(record.criterion_id)
            except KeyError:
                pass
            else:
                registry_text, kind, questions = (
                    criterion.registry_text,
                    criterion.kind,
                    criterion.questions,
                )
        words = list(record.evidence) or [answers[q].text for q in questions if q in answers]
        rows.append(
            CriterionRow(
                record.criterion_id, kind, registry_text, record.verdict, record.reason, words
            )
        )
    return rows


def flags(detail: HandoffDetail, trial: Trial | None) -> list[AnswerFlag]:
    """Hedged, corrected and contradicted answers (``trialbot.worklist.answer_flags``)."""
    current = [
        stored_answer(a.question_id, a.text, a.value, a.understood, a.hedged)
        for a in detail.answers
    ]
    earlier = [
        stored_answer(a.question_id, a.text, a.value, a.understood, a.hedged)
        for a in detail.earlier_answers
    ]
    return answer_flags(trial, current, earlier)


def answer_rows(detail: HandoffDetail, trial: Trial | None) -> list[AnswerRow]:
    rows = []
    for answer in detail.answers:
        question = answer.question_id
        if trial is not None and trial.has_question(question):
            question = trial.question(question).text
        rows.append(AnswerRow(question, answer.text, answer.hedged, answer.understood))
    return rows


async def _detail_page(
    request: web.Request,
    *,
    status: int = 200,
    error: str = "",
    note: str = "",
    confirm_erase: bool = False,
    follow_up: str = "",
) -> web.Response:
    number = handoff_id(request)
    store = request.app[keys.STORE]
    who = actor(request)

    def read() -> tuple[HandoffDetail | None, Any]:
        detail = store.get_handoff(number, viewer=who)
        states = notification_states(store.engine, [number]).get(number, [])
        return detail, states

    detail, states = await in_thread(read)
    if detail is None:
        raise web.HTTPNotFound(text=f"There is no handoff {number}.")
    trial = request.app[keys.TRIALS].get(detail.summary.trial_id)
    transcript = await in_thread(request.app[keys.TRANSCRIPTS].messages, detail.summary.sender_id)
    summary = detail.summary
    allowed = [s.value for s in next_steps(summary.status, summary.attempts)]
    contacts_allowed = may_see_contacts(request)
    proposal = propose_follow_up(now(request), summary.attempts + 1, zone(request))
    return render_page(
        request,
        "handoff.html",
        http_status=status,
        handoff=detail.summary,
        red_flags=[flag.replace("_", " ") for flag in detail.red_flags],
        flags=flags(detail, trial),
        relation=relation_text(detail.answered_by, detail.relationship, detail.call_whom),
        contacts_allowed=contacts_allowed,
        tel=tel_href(detail.contact.phone) if detail.contact else "",
        mailto=mailto_href(detail.contact.email) if detail.contact else "",
        call_time=detail.call_time or "",
        call_time_max=CALL_TIME_MAX_CHARS,
        proposal=proposal,
        follow_up=follow_up,
        today=today(request),
        saved="" if error else saved_message(request),
        me=actor(request),
        answered_by=detail.answered_by,
        relationship=detail.relationship,
        call_whom=detail.call_whom,
        contact=detail.contact if contacts_allowed else None,
        trial=trial,
        criteria=criterion_rows(detail, trial),
        answers=answer_rows(detail, trial),
        history=detail.history,
        notifications=states,
        transcript=transcript,
        allowed=allowed,
        error=error,
        note=note,
        note_max=NOTE_MAX_CHARS,
        confirm_erase=confirm_erase,
    )


async def show(request: web.Request) -> web.StreamResponse:
    return await _detail_page(request)


def _follow_up(form: Any) -> date | None:
    """The form's follow-up date; ``ValueError`` when it is not one."""
    value = str(form.get("follow_up") or "").strip()
    return date.fromisoformat(value) if value else None


def _note(form: Any) -> str:
    return str(form.get("note") or "").strip()


def _has_control_characters(form: Any) -> bool:
    # Before stripping: a control character at either end is refused like any other.
    return has_control_characters(str(form.get("note") or ""))


async def change_status(request: web.Request) -> web.StreamResponse:
    number = handoff_id(request)
    form = await request.post()
    target = str(form.get("status") or "")
    note = _note(form)
    if _has_control_characters(form):
        return await _detail_page(request, status=422, error=CONTROL_CHARACTERS_MESSAGE)
    if target not in {s.value for s in HandoffStatus}:
        return await _detail_page(request, status=422, error="Choose a new status.", note=note)
    try:
        follow_up = _follow_up(form)
    except ValueError:
        return await _detail_page(
            request, status=422, error="The follow-up date must be a date.", note=note
        )
    attempt = target == HandoffStatus.CALL_ATTEMPTED.value
    if attempt and not note:
        note = "Called, no answer."
    if follow_up is not None and follow_up < today(request):
        return await _detail_page(
            request, status=422, error="The follow-up date is in the past.", note=note
        )
    if not note:
        return await _detail_page(
            request, status=422, error="Add a note saying what happened.", note=note
        )
    if len(note) > NOTE_MAX_CHARS:
        return await _detail_page(
            request, status=422, error=f"Notes can have at most {NOTE_MAX_CHARS} characters."
        )
    store = request.app[keys.STORE]
    who = actor(request)
    try:
        await in_thread(
            lambda: store.change_status(
                number,
                target,
                note,
                who,
                follow_up_on=follow_up if attempt or follow_up else None,
                at=now(request),
                zone=zone(request),
            )
        )
    except HandoffNotFound:
        raise web.HTTPNotFound(text=f"There is no handoff {number}.") from None
    except InvalidTransition as error:
        return await _detail_page(request, status=409, error=str(error), note=note)
    raise web.HTTPSeeOther(with_saved(f"/handoffs/{number}", "attempt" if attempt else "status"))


async def add_note(request: web.Request) -> web.StreamResponse:
    number = handoff_id(request)
    form = await request.post()
    note = _note(form)
    if _has_control_characters(form):
        return await _detail_page(request, status=422, error=CONTROL_CHARACTERS_MESSAGE)
    if not note or len(note) > NOTE_MAX_CHARS:
        return await _detail_page(
            request,
            status=422,
            error=f"A note needs 1 to {NOTE_MAX_CHARS} characters.",
        )
    store = request.app[keys.STORE]
    try:
        await in_thread(store.add_note, number, note, actor(request))
    except HandoffNotFound:
        raise web.HTTPNotFound(text=f"There is no handoff {number}.") from None
    raise web.HTTPSeeOther(with_saved(f"/handoffs/{number}", "note"))


async def plan_call(request: web.Request) -> web.StreamResponse:
    """The next follow-up date and the best time to call."""
    number = handoff_id(request)
    form = await request.post()
    raw_time = str(form.get("call_time") or "")
    call_time = raw_time.strip()
    if has_control_characters(raw_time):
        return await _detail_page(request, status=422, error=CONTROL_CHARACTERS_MESSAGE)
    if len(call_time) > CALL_TIME_MAX_CHARS:
        return await _detail_page(
            request,
            status=422,
            error=f"The best time to call can have at most {CALL_TIME_MAX_CHARS} characters.",
        )
    try:
        follow_up = _follow_up(form)
    except ValueError:
        return await _detail_page(request, status=422, error="The follow-up date must be a date.")
    if follow_up is not None and follow_up < today(request):
        return await _detail_page(request, status=422, error="The follow-up date is in the past.")
    store = request.app[keys.STORE]
    who = actor(request)
    try:
        await in_thread(
            lambda: store.plan_call(number, who, follow_up_on=follow_up, call_time=call_time)
        )
    except HandoffNotFound:
        raise web.HTTPNotFound(text=f"There is no handoff {number}.") from None
    raise web.HTTPSeeOther(with_saved(f"/handoffs/{number}", "plan"))


async def erase(request: web.Request) -> web.StreamResponse:
    """Admins only: the first post asks for confirmation, the confirmed one erases the
    candidate everywhere (``erase_candidate``) and returns to the queue."""
    number = handoff_id(request)
    staff = require_role(request, Role.ADMIN)
    form = await request.post()
    if form.get("confirm") != "yes":
        return await _detail_page(request, confirm_erase=True)
    store = request.app[keys.STORE]
    detail = await in_thread(store.get_handoff, number)
    if detail is None:
        raise web.HTTPNotFound(text=f"There is no handoff {number}.")
    tracker_url = request.app[keys.SETTINGS].tracker_url
    await in_thread(
        lambda: erase_candidate(
            store, detail.summary.sender_id, actor=staff.email, tracker_url=tracker_url
        )
    )
    raise web.HTTPSeeOther("/handoffs")

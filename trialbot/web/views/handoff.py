"""One handoff: who to contact, why, what they said; and moving it along the workflow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.criteria import Trial
from trialbot.store import HandoffDetail, HandoffNotFound, HandoffStatus, InvalidTransition
from trialbot.store.handoffs import TRANSITIONS
from trialbot.web import keys
from trialbot.web.auth import actor
from trialbot.web.queries import notification_states
from trialbot.web.render import render_page
from trialbot.web.views.common import NOTE_MAX_CHARS, handoff_id


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


def answer_rows(detail: HandoffDetail, trial: Trial | None) -> list[AnswerRow]:
    rows = []
    for answer in detail.answers:
        question = answer.question_id
        if trial is not None and trial.has_question(question):
            question = trial.question(question).text
        rows.append(AnswerRow(question, answer.text, answer.hedged, answer.understood))
    return rows


async def _detail_page(
    request: web.Request, *, status: int = 200, error: str = "", note: str = ""
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
    allowed = sorted(s.value for s in TRANSITIONS[detail.summary.status])
    return render_page(
        request,
        "handoff.html",
        http_status=status,
        handoff=detail.summary,
        red_flags=[flag.replace("_", " ") for flag in detail.red_flags],
        answered_by=detail.answered_by,
        contact=detail.contact,
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
    )


async def show(request: web.Request) -> web.StreamResponse:
    return await _detail_page(request)


def _note(form: Any) -> str:
    return str(form.get("note") or "").strip()


async def change_status(request: web.Request) -> web.StreamResponse:
    number = handoff_id(request)
    form = await request.post()
    target = str(form.get("status") or "")
    note = _note(form)
    if target not in {s.value for s in HandoffStatus}:
        return await _detail_page(request, status=422, error="Choose a new status.", note=note)
    if not note:
        return await _detail_page(
            request, status=422, error="Add a note saying what happened.", note=note
        )
    if len(note) > NOTE_MAX_CHARS:
        return await _detail_page(
            request, status=422, error=f"Notes can have at most {NOTE_MAX_CHARS} characters."
        )
    store = request.app[keys.STORE]
    try:
        await in_thread(store.change_status, number, target, note, actor(request))
    except HandoffNotFound:
        raise web.HTTPNotFound(text=f"There is no handoff {number}.") from None
    except InvalidTransition as error:
        return await _detail_page(request, status=409, error=str(error), note=note)
    raise web.HTTPSeeOther(f"/handoffs/{number}")


async def add_note(request: web.Request) -> web.StreamResponse:
    number = handoff_id(request)
    note = _note(await request.post())
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
    raise web.HTTPSeeOther(f"/handoffs/{number}")

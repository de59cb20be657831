"""The funnel: how many candidates reached each step (never more than the step before),
why the others did not — declined consent, stopped at a question, screened out by a
criterion, too many unknowns — by channel and for a date range. The chart is SVG drawn
on the server, sized for a phone (labels above their bars, so nothing shrinks them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.criteria import Trial
from trialbot.store import Funnel
from trialbot.store.handoffs import count_funnel
from trialbot.web import keys
from trialbot.web.auth import actor
from trialbot.web.render import render_page
from trialbot.web.views.common import TRIAL_ID
from trialbot.web.views.queue import local_day_start, zone

CHART_WIDTH = 360  # the SVG's own units: a phone shows it at about 1:1
BAR_AREA = 300  # of which the longest bar
ROW_HEIGHT = 44  # a label line and a bar


@dataclass(frozen=True)
class Stage:
    label: str
    count: int
    drop: int | None  # lost since the previous step (never negative: steps are nested)
    drop_percent: float | None
    bar: float  # bar width in chart units
    y: int


@dataclass(frozen=True)
class Breakdown:
    label: str
    count: int


def stages(funnel: Funnel) -> list[Stage]:
    steps = funnel.steps
    biggest = max((count for _, count in steps), default=0) or 1
    result = []
    previous: int | None = None
    for index, (label, count) in enumerate(steps):
        drop = None if previous is None else previous - count
        percent = None if previous in (None, 0) or drop is None else 100 * drop / previous
        result.append(
            Stage(
                label,
                count,
                drop,
                percent,
                round(BAR_AREA * count / biggest, 1),
                index * ROW_HEIGHT,
            )
        )
        previous = count
    return result


def stopped_rows(funnel: Funnel, trial: Trial | None) -> list[Breakdown]:
    """Unfinished conversations by the question where they stopped, in the trial's order."""
    order = [q.id for q in trial.questions] if trial else []
    rows = []
    for question_id in sorted(
        funnel.stopped_at,
        key=lambda q: (q == "", order.index(q) if q in order else len(order), q),
    ):
        if not question_id:
            label = "(not known: no question recorded, or erased)"
        elif trial is not None and trial.has_question(question_id):
            question = trial.question(question_id)
            label = question.topic or question_id.replace("_", " ")
        else:
            label = question_id.replace("_", " ")
        rows.append(Breakdown(label, funnel.stopped_at[question_id]))
    return rows


def screen_out_rows(funnel: Funnel, trial: Trial | None) -> list[Breakdown]:
    """Why people were not eligible: the criteria they did not meet, in the trial's order."""
    names = {c.id: c.plain_name for c in trial.criteria} if trial else {}
    order = list(names)
    rows = []
    for criterion_id in sorted(
        funnel.screen_outs,
        key=lambda c: (c == "", order.index(c) if c in order else len(order), c),
    ):
        label = names.get(criterion_id, criterion_id.replace("_", " ")) or criterion_id
        if not criterion_id:
            label = "(not known: erased)"
        rows.append(Breakdown(label, funnel.screen_outs[criterion_id]))
    return rows


def _date(request: web.Request, name: str) -> date | None:
    value = request.query.get(name) or ""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise web.HTTPBadRequest(text=f"'{name}' must be a date like 2026-03-30.") from None


async def funnel(request: web.Request) -> web.StreamResponse:
    trials = request.app[keys.TRIALS]
    trial_id = request.query.get("trial") or (sorted(trials)[0] if trials else "")
    if not TRIAL_ID.match(trial_id):
        raise web.HTTPBadRequest(text="Choose a trial.")
    date_from, date_to = _date(request, "from"), _date(request, "to")
    if date_from and date_to and date_from > date_to:
        raise web.HTTPBadRequest(text="The date range ends before it starts.")
    site = zone(request)
    store = request.app[keys.STORE]
    who = actor(request)

    def read() -> tuple[Funnel, dict[str, Funnel]]:
        by_channel = store.funnel_records(
            trial_id,
            started_from=local_day_start(date_from, site) if date_from else None,
            started_before=(
                local_day_start(date_to + timedelta(days=1), site) if date_to else None
            ),
        )
        store.audit(
            who,
            "funnel.viewed",
            "trial",
            trial_id,
            {
                "from": date_from.isoformat() if date_from else None,
                "to": date_to.isoformat() if date_to else None,
            },
        )
        overall = count_funnel(trial_id, [r for rs in by_channel.values() for r in rs])
        return overall, {c: count_funnel(trial_id, rs) for c, rs in sorted(by_channel.items())}

    counts, channels = await in_thread(read)
    trial = trials.get(trial_id)
    rows = stages(counts)
    return render_page(
        request,
        "funnel.html",
        trial_id=trial_id,
        trial=trial,
        trials=trials,
        funnel=counts,
        stages=rows,
        channels=channels,
        stopped=stopped_rows(counts, trial),
        screen_outs=screen_out_rows(counts, trial),
        date_from=date_from.isoformat() if date_from else "",
        date_to=date_to.isoformat() if date_to else "",
        chart_height=len(rows) * ROW_HEIGHT,
        chart_width=CHART_WIDTH,
        bar_area=BAR_AREA,
    )

"""The funnel: how far candidates got, with the drop-off at each step, as SVG and a table."""

from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from trialbot.blocking import in_thread
from trialbot.criteria import Trial
from trialbot.store import Funnel
from trialbot.web import keys
from trialbot.web.auth import actor
from trialbot.web.render import render_page
from trialbot.web.views.common import TRIAL_ID

BAR_AREA = 420  # px of the chart given to the longest bar
ROW_HEIGHT = 30


@dataclass(frozen=True)
class Stage:
    label: str
    count: int
    drop: int | None  # lost since the previous stage
    drop_percent: float | None
    bar: float  # bar width in px
    y: int


def stages(funnel: Funnel, trial: Trial | None) -> list[Stage]:
    steps: list[tuple[str, int]] = [
        ("Conversations started", funnel.started),
        ("Consented", funnel.consented),
    ]
    questions = [q.id for q in trial.screening_questions] if trial else sorted(funnel.answered)
    for question_id in questions:
        steps.append(
            (f"Answered: {question_id.replace('_', ' ')}", funnel.answered.get(question_id, 0))
        )
    steps += [
        ("Completed", funnel.completed),
        ("Handed off", funnel.handed_off),
        ("Enrolled", funnel.enrolled),
    ]
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


async def funnel(request: web.Request) -> web.StreamResponse:
    trials = request.app[keys.TRIALS]
    trial_id = request.query.get("trial") or (sorted(trials)[0] if trials else "")
    if not TRIAL_ID.match(trial_id):
        raise web.HTTPBadRequest(text="Choose a trial.")
    store = request.app[keys.STORE]
    who = actor(request)

    def read() -> Funnel:
        result = store.funnel(trial_id)
        store.audit(who, "funnel.viewed", "trial", trial_id)
        return result

    counts = await in_thread(read)
    trial = trials.get(trial_id)
    rows = stages(counts, trial)
    return render_page(
        request,
        "funnel.html",
        trial_id=trial_id,
        trial=trial,
        trials=trials,
        funnel=counts,
        stages=rows,
        chart_height=len(rows) * ROW_HEIGHT,
        bar_area=BAR_AREA,
    )

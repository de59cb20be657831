"""The triage worklist's rules: whom to call next and why, when to try again, and what
in a candidate's answers deserves a second look. Plain functions, no I/O.

**Priority** (:func:`priority_key`): a handoff whose follow-up date is still ahead waits
below every handoff that is due; among those, a red flag comes first, then likely before
possibly eligible, then fewer unknown criteria, then the longest wait. The reason
(:func:`priority_reason`) says the same in words: "likely eligible · all criteria met",
"possibly eligible · 2 unknowns: MRI, SPECT/CT". Criterion names come from the trial
file (``name:``), never from here.

**Follow-up** (:func:`propose_follow_up`): after an unanswered call, try again on a
business day (Monday to Friday) of the site's calendar (``TRIALBOT_TIME_ZONE``, default
``Europe/Prague``): 1 business day after the first attempt, 2 after the second, 3 after
any later one.

**Flags** (:func:`answer_flags`): a hedged answer, an answer the candidate changed
(corrected), and a change that turned a criterion from met to not met or back
(contradicted).
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trialbot.answers import Parsed
from trialbot.criteria import Trial
from trialbot.engine import evaluate_criterion
from trialbot.verdicts import Answer, Verdict

TIME_ZONE_VARIABLE = "TRIALBOT_TIME_ZONE"
DEFAULT_TIME_ZONE = "Europe/Prague"
# Business days to the next try after the 1st, 2nd, 3rd (and later) unanswered call.
FOLLOW_UP_BUSINESS_DAYS = (1, 2, 3)
# After this many unanswered calls the status menu offers "unreachable" first.
ATTEMPTS_BEFORE_UNREACHABLE = 3
OUTCOME_RANK = {"likely_eligible": 0, "possibly_eligible": 1}


def site_zone(name: str | None = None, environ: Mapping[str, str] | None = None) -> ZoneInfo:
    """The site's time zone: ``name``, else ``TRIALBOT_TIME_ZONE``, else Europe/Prague."""
    env = os.environ if environ is None else environ
    chosen = (name or env.get(TIME_ZONE_VARIABLE) or DEFAULT_TIME_ZONE).strip()
    try:
        return ZoneInfo(chosen)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"{TIME_ZONE_VARIABLE}={chosen!r} is not a time zone (e.g. Europe/Prague)"
        ) from None


# -- follow-up dates ------------------------------------------------------------------------


def is_business_day(day: date) -> bool:
    return day.weekday() < 5


def add_business_days(day: date, days: int) -> date:
    """``days`` business days after ``day`` (a weekend day counts from the Monday)."""
    current = day
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current):
            remaining -= 1
    return current


def propose_follow_up(at: datetime, attempts: int, zone: ZoneInfo) -> date:
    """The day to call again after the ``attempts``-th unanswered call made at ``at``."""
    steps = FOLLOW_UP_BUSINESS_DAYS[min(max(attempts, 1), len(FOLLOW_UP_BUSINESS_DAYS)) - 1]
    return add_business_days(at.astimezone(zone).date(), steps)


# -- priority -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Standing:
    """What a handoff's place in the worklist depends on."""

    handoff_id: int
    outcome: str | None
    unknowns: tuple[str, ...]  # plain names of the criteria still unknown
    red_flags: tuple[str, ...]
    created_at: datetime
    follow_up_on: date | None = None
    attempts: int = 0


def is_due(standing: Standing, today: date) -> bool:
    return standing.follow_up_on is None or standing.follow_up_on <= today


def priority_key(standing: Standing, today: date) -> tuple[Any, ...]:
    """Sorts the worklist: the first handoff is the one to call next."""
    return (
        0 if is_due(standing, today) else 1,
        standing.follow_up_on or date.min if not is_due(standing, today) else date.min,
        0 if standing.red_flags else 1,
        OUTCOME_RANK.get(standing.outcome or "", len(OUTCOME_RANK)),
        len(standing.unknowns),
        standing.created_at,
        standing.handoff_id,
    )


def ordered(standings: Iterable[Standing], today: date) -> list[Standing]:
    return sorted(standings, key=lambda s: priority_key(s, today))


def unknowns_text(unknowns: Sequence[str]) -> str:
    if not unknowns:
        return "all criteria met"
    count = "1 unknown" if len(unknowns) == 1 else f"{len(unknowns)} unknowns"
    return f"{count}: {', '.join(unknowns)}"


def priority_reason(standing: Standing, today: date) -> str:
    """Why the handoff is where it is, in words."""
    parts = []
    if standing.red_flags:
        parts.append("red flag: " + ", ".join(f.replace("_", " ") for f in standing.red_flags))
    if not is_due(standing, today) and standing.follow_up_on is not None:
        parts.append(f"follow up on {standing.follow_up_on:%a %d %b}")
    if standing.outcome:
        parts.append(standing.outcome.replace("_", " "))
    parts.append(unknowns_text(standing.unknowns))
    return " · ".join(parts)


# -- search ---------------------------------------------------------------------------------


def folded(text: str) -> str:
    """Lower case without accents: "Dvořák" and "dvorak" match."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def matches(query: str, name: str | None, phone: str | None, email: str | None) -> bool:
    """Whether a search matches a candidate: part of the name or e-mail (any case,
    accents ignored) or, with 3+ digits, part of the phone number (spaces ignored)."""
    wanted = folded(query.strip())
    if not wanted:
        return True
    if name and wanted in folded(name):
        return True
    if email and wanted in folded(email):
        return True
    wanted_digits = digits(query)
    # A phone search is digits (and separators) only: "601 123" or "+420601".
    if len(wanted_digits) >= 3 and not any(c.isalpha() for c in query) and phone:
        return wanted_digits in digits(phone)
    return False


# -- what answers say -----------------------------------------------------------------------


def describe_value(value: Any, hedged: bool = False) -> str:
    """An age or a duration as a caller reads it: "52", "about 8 months", "over 2 years"."""
    if value is None:
        return ""
    if isinstance(value, dict) and "months" in value:
        months = float(value["months"])
        if months >= 24:
            years = round(months / 12, 1)
            amount = f"{years:g} years"
        else:
            amount = f"{round(months):g} month" + ("" if round(months) == 1 else "s")
        bound = {"more_than": "over ", "less_than": "under "}.get(str(value.get("bound")), "")
        return ("about " if hedged and not bound else "") + bound + amount
    if isinstance(value, bool):
        return "yes" if value else "no"
    return ("about " if hedged else "") + str(value)


@dataclass(frozen=True)
class AnswerFlag:
    question_id: str
    kind: str  # hedged | corrected | contradicted
    question: str  # the question's topic or id
    current: str  # the candidate's words now
    earlier: tuple[str, ...] = ()  # the words it replaced, oldest first

    @property
    def text(self) -> str:
        if self.kind == "hedged":
            return f"Hedged about {self.question}: “{self.current}”"
        before = "”, “".join(self.earlier)
        if self.kind == "contradicted":
            return (
                f"Contradicted themselves about {self.question}: first “{before}”, "
                f"then “{self.current}” (the criterion's result flipped)"
            )
        return f"Corrected {self.question}: “{before}” → “{self.current}”"


def answer_flags(
    trial: Trial | None, current: Sequence[Answer], earlier: Sequence[Answer]
) -> list[AnswerFlag]:
    """Hedged, corrected and contradicted answers, in the order of the questions.

    ``earlier`` holds the superseded answers, oldest first. A change is *contradicted*
    when the earlier and the current reading give one criterion opposite results (met
    and not met); else *corrected* when the reading changed.
    """
    now = {a.question_id: a for a in current}
    before: dict[str, list[Answer]] = {}
    for old in earlier:
        before.setdefault(old.question_id, []).append(old)
    order = [q.id for q in trial.questions] if trial else []
    ids = sorted(
        set(now) | set(before),
        key=lambda q: (q not in order, order.index(q) if q in order else 0, q),
    )
    flags = []
    for question_id in ids:
        answer: Answer | None = now.get(question_id)
        if answer is None:
            continue
        topic = _topic(trial, question_id)
        changed = [
            old for old in before.get(question_id, []) if old.parsed.value != answer.parsed.value
        ]
        if changed:
            kind = (
                "contradicted"
                if trial is not None and _flips(trial, question_id, now, changed)
                else "corrected"
            )
            flags.append(
                AnswerFlag(question_id, kind, topic, answer.text, tuple(a.text for a in changed))
            )
        if answer.parsed.hedged:
            flags.append(AnswerFlag(question_id, "hedged", topic, answer.text))
    return flags


def _topic(trial: Trial | None, question_id: str) -> str:
    if trial is not None and trial.has_question(question_id):
        question = trial.question(question_id)
        if question.topic:
            return question.topic
    return question_id.replace("_", " ")


def _flips(
    trial: Trial, question_id: str, now: Mapping[str, Answer], changed: Sequence[Answer]
) -> bool:
    decided = {Verdict.PASS, Verdict.FAIL}
    for criterion in trial.criteria:
        if question_id not in criterion.questions:
            continue
        verdict_now = evaluate_criterion(criterion, now).verdict
        if verdict_now not in decided:
            continue
        for old in changed:
            verdict_then = evaluate_criterion(criterion, {**now, question_id: old}).verdict
            if verdict_then in decided and verdict_then is not verdict_now:
                return True
    return False


def stored_answer(
    question_id: str, text: str, value: Any, understood: bool, hedged: bool
) -> Answer:
    """An answer as the engine reads it, from what the store keeps."""
    return Answer(question_id, text, Parsed(understood=understood, value=value, hedged=hedged))

"""How long the candidate has had the pain, in months.

Decisions:

* Weeks are ``/ 4.345`` months, days ``/ 30.44``; values are rounded to 0.1 month.
* "since March 2023" counts from the 1st of that month, bound ``exact``. "since March"
  means the most recent March. A season starts in its first month (northern
  hemisphere): "since the summer of 2024" counts from 1 June 2024.
* "since 2019" (a year alone) is a lower bound: ``more_than`` the months since the end
  of 2019. The current year ("since 2026", "this year") is an upper bound:
  ``less_than`` the months since 1 January.
* "for years", "many years": ``more_than`` 24, hedged. "ages", "a long time",
  unit-less numbers ("8") and "since I was 30" are not understood.
* "a couple of" (2), "a few" / "several" (3) are hedged.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, analyse
from trialbot.parsing.numbers import MONTHS, SEASONS, words_to_digits
from trialbot.parsing.yes_no import DONT_KNOW

DAYS_PER_MONTH = 30.44
WEEKS_PER_MONTH = 4.345
MONTHS_PER_UNIT = {
    "day": 1 / DAYS_PER_MONTH,
    "week": 1 / WEEKS_PER_MONTH,
    "month": 1.0,
    "year": 12.0,
    "decade": 120.0,
}
MAX_MONTHS = 100 * 12

_UNIT = r"(?P<unit>day|week|month|year|decade)s?"
_QUANTITY = re.compile(r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<plus>\+\s*)?" + _UNIT + r"\b")
_RANGE = re.compile(
    r"(?<![\d.])(?P<low>\d+(?:\.\d+)?)\s*(?:-|to|or)\s*\d+(?:\.\d+)?\s*(?P<unit>(?:day|week|month|"
    r"year|decade)s?)\b"
)
# Pieces joined into one duration: "2 years and 3 months", "1 year, 6 months".
_JOINER = re.compile(r"^\s*(?:,|and|,\s*and)?\s*$")

_MORE = re.compile(
    r"\b(?:more than|over|at least|longer than|upwards of|above|well over|in excess of)"
    r"\s*(?:a|an|the)?\s*$"
)
_MORE_AFTER = re.compile(r"^\s*(?:\+|plus|or more|or longer|and more|at least)\b|^\s*\+")
_LESS = re.compile(
    r"\b(?:less than|under|not even|not quite|fewer than|within|up to|shorter than|"
    r"barely|no more than|the (?:last|past))\s*(?:a|an|the)?\s*$"
)
_APPROX = re.compile(
    r"\b(?:about|around|roughly|approximately|nearly|almost|maybe|probably|or so|ish|"
    r"give or take|something like|i think|i guess|perhaps|more or less|circa)\b"
)

_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_SEASON_NAMES = "|".join(SEASONS)
# "march 2023", "summer of 2024", "the summer 2024", "may '22"
_MONTH_YEAR = re.compile(
    r"\b(?:the\s+)?(?P<when>" + _MONTH_NAMES + "|" + _SEASON_NAMES + r")\s+(?:of\s+)?'?"
    r"(?P<year>(?:19|20)\d{2})\b"
)
_YEAR = re.compile(r"(?<![\d.])(?P<year>(?:19|20)\d{2})(?![\d.])")
# A month alone needs "since"/"in"/"from" before it: "may" is also a verb.
_MONTH_ALONE = re.compile(
    r"\b(?:since|in|from|started in|began in|back in)\s+(?:the\s+)?(?:start of\s+|end of\s+)?"
    r"(?P<when>" + _MONTH_NAMES + "|" + _SEASON_NAMES + r")\b"
)
_LAST_YEAR = re.compile(r"\b(?P<which>last|this) year\b")
_VAGUE_YEARS = re.compile(r"\b(?:for|many|several|some|a number of)\s+years\b|^\s*years\s*$")
# Numbers that are not a time span: "since I was 30", "30 years old".
_NOT_A_SPAN = re.compile(r"\bsince i was\b|\bwhen i was\b|\byears? old\b")


def parse_duration(text: str, today: date) -> Parsed:
    return read_duration(analyse(text), today)


def read_duration(analysis: Analysis, today: date) -> Parsed:
    norm, vague = words_to_digits(_fractions(analysis.norm))
    # "2-3 years", "2 or 3 years": the lower end, hedged.
    norm, ranges = _RANGE.subn(r"\g<low> \g<unit>", norm)
    vague = vague or ranges > 0
    if _NOT_A_SPAN.search(norm):
        return Parsed.not_understood()
    hedged = vague or bool(analysis.hedge_cues or analysis.approximators)

    span = _first_span(norm)
    if span is not None:
        months, start, end = span
        if not 0 < months <= MAX_MONTHS:
            return Parsed.not_understood()
        bound = "exact"
        if _MORE.search(norm[:start]) or _MORE_AFTER.match(norm[end:]) or "+" in norm[start:end]:
            bound = "more_than"
        elif _LESS.search(norm[:start]):
            bound = "less_than"
        hedged = hedged or bool(_APPROX.search(norm)) or bool(DONT_KNOW.search(norm))
        return _months(months, bound, hedged, norm[start:end])

    dated = _from_date(norm, today)
    if dated is not None:
        return dated

    vague_years = _VAGUE_YEARS.search(norm)
    if vague_years:
        return _months(24, "more_than", True, vague_years.group())
    dont_know = DONT_KNOW.search(norm)
    if dont_know:
        return Parsed.dont_know(evidence=dont_know.group())
    return Parsed.not_understood()


def _fractions(norm: str) -> str:
    """Spell halves as decimals: "a year and a half" -> "1.5 year"."""
    norm = re.sub(
        r"\b(?:a|an|one)\s+(day|week|month|year|decade)\s+and\s+a\s+half\b", r"1.5 \1", norm
    )
    norm = re.sub(r"\b(\w+)\s+(days?|weeks?|months?|years?)\s+and\s+a\s+half\b", r"\1.5 \2", norm)
    norm = re.sub(r"\b(\w+)\s+and\s+a\s+half\s+(days?|weeks?|months?|years?)\b", r"\1.5 \2", norm)
    norm = re.sub(r"\bhalf\s+(?:a|an)\s+(day|week|month|year|decade)\b", r"0.5 \1", norm)
    norm = re.sub(r"\b(?:a|an)\s+half\s+(day|week|month|year|decade)\b", r"0.5 \1", norm)
    # "a year", "an year", "one month", "a decade"
    norm = re.sub(r"\b(?:a|an)\s+(day|week|month|year|decade)\b", r"1 \1", norm)
    # "1 1/2 years"
    return re.sub(r"\b(\d+)\s+1\s*/\s*2\b", r"\1.5", norm)


def _first_span(norm: str) -> tuple[float, int, int] | None:
    """The first duration (summing adjacent pieces) and where it is in ``norm``."""
    matches = list(_QUANTITY.finditer(norm))
    if not matches:
        return None
    first = matches[0]
    months = _to_months(first)
    end = first.end()
    for match in matches[1:]:
        if not _JOINER.match(norm[end : match.start()]):
            break
        months += _to_months(match)
        end = match.end()
    return months, first.start(), end


def _to_months(match: re.Match[str]) -> float:
    return float(match.group("n")) * MONTHS_PER_UNIT[match.group("unit")]


def _from_date(norm: str, today: date) -> Parsed | None:
    month_year = _MONTH_YEAR.search(norm)
    if month_year:
        when = month_year.group("when")
        month = MONTHS.get(when) or SEASONS[when]
        start = date(int(month_year.group("year")), month, 1)
        return _since(start, today, "exact", month_year.group())
    alone = _MONTH_ALONE.search(norm)
    if alone and not _YEAR.search(norm):
        when = alone.group("when")
        month = MONTHS.get(when) or SEASONS[when]
        year = today.year if month <= today.month else today.year - 1
        return _since(date(year, month, 1), today, "exact", alone.group())
    year_match = _YEAR.search(norm)
    last = _LAST_YEAR.search(norm)
    if year_match or last:
        if year_match:
            year, evidence = int(year_match.group("year")), year_match.group()
        else:
            assert last is not None
            which, evidence = last.group("which"), last.group()
            year = today.year - 1 if which == "last" else today.year
        if year < today.year:
            # Some time during that year: at least since its end.
            return _since(date(year + 1, 1, 1), today, "more_than", evidence)
        return _since(date(year, 1, 1), today, "less_than", evidence)
    return None


def _since(start: date, today: date, bound: str, evidence: str) -> Parsed:
    days = (today - start).days
    if days < 0 or start.year < today.year - 100:
        return Parsed.not_understood()
    return _months(days / DAYS_PER_MONTH, bound, False, evidence)


def _months(months: float, bound: str, hedged: bool, evidence: str) -> Parsed:
    value = {"months": round(months, 1), "bound": bound}
    return Parsed(understood=True, value=value, hedged=hedged, evidence=evidence)

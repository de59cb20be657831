"""Age in whole years.

Decisions:

* "born in 1971" gives the age reached this year (``today.year - 1971``), hedged,
  because the birthday is not known; "born in March 1971" is exact unless March is the
  current month.
* "mid fifties" gives 55, "early fifties" 52, "late fifties" 58, "in my fifties" 55 —
  all hedged, so the engine never excludes on them alone.
* A number outside 5-120 is not an age: not understood.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, analyse
from trialbot.parsing.numbers import MONTHS, two_digit_year, words_to_digits
from trialbot.parsing.yes_no import DONT_KNOW

MIN_AGE = 5
MAX_AGE = 120

_DECADES = {
    "twenties": 20,
    "thirties": 30,
    "forties": 40,
    "fifties": 50,
    "sixties": 60,
    "seventies": 70,
    "eighties": 80,
    "nineties": 90,
}
_DECADE = re.compile(
    r"\b(?:(?P<part>early|mid|middle|late)\s*-?\s*)?(?P<decade>" + "|".join(_DECADES) + r")\b"
)
_DECADE_OFFSET = {"early": 2, "mid": 5, "middle": 5, "late": 8, None: 5}
_BORN = re.compile(
    r"\bborn\b(?:\s+(?:in|on|the))*\s+(?:(?P<day>\d{1,2})\s*(?:st|nd|rd|th)?\s+(?:of\s+)?)?"
    r"(?:(?P<month>" + "|".join(MONTHS) + r")\s+)?(?:(?P<day2>\d{1,2})\s*(?:st|nd|rd|th)?\s*,?\s+)?"
    r"(?:'\s*)?(?P<year>\d{4}|\d{2})\b"
)
_NUMBER = re.compile(r"(?<![\d.])(?P<n>\d{1,4})(?:\.\d+)?(?![\d.])")
# Signs that a number is the age: "52 years old", "I am 52", "turned 79".
_AGE_AFTER = re.compile(r"^\s*(?:years?|yrs?|y)?\s*(?:old|yo|y o|of age)\b")
_AGE_BEFORE = re.compile(r"\b(?:i am|am|aged|age|age is|turned)\s*(?:\w+\s+)?$")
# A coming birthday is not the age now: "52, turning 53 next month".
_FUTURE_BEFORE = re.compile(r"\b(?:turn|turning|will be|be|going to be)\s+$")
# Numbers that measure something else: "3 kids", "2 months", "pain for 10 years".
_OTHER_QUANTITY = re.compile(
    r"^\s*(?:months?|weeks?|days?|hours?|kids|children|times|%|kg|cm|lbs|pounds|levels?|"
    r"years? ago)\b"
)
_SPAN_BEFORE = re.compile(r"\b(?:for|past|last|since|had it)\s+$")
_APPROXIMATE = re.compile(r"\b(?:nearly|almost|about|around|roughly|over|under|ish|or so)\b")


def parse_age(text: str, today: date) -> Parsed:
    return read_age(analyse(text), today)


def read_age(analysis: Analysis, today: date) -> Parsed:
    norm, _ = words_to_digits(analysis.norm)
    hedged = bool(analysis.hedge_cues or analysis.approximators or _APPROXIMATE.search(norm))

    born = _BORN.search(norm)
    if born:
        return _from_birth(born, today, evidence=born.group())

    decade = _DECADE.search(norm)
    if decade:
        age = _DECADES[decade.group("decade")] + _DECADE_OFFSET[decade.group("part")]
        return Parsed(understood=True, value=age, hedged=True, evidence=decade.group())

    candidates: list[tuple[int, bool, str]] = []  # (number, marked as age, evidence)
    for match in _NUMBER.finditer(norm):
        after, before = norm[match.end() :], norm[: match.start()]
        if (
            _OTHER_QUANTITY.match(after)
            or _SPAN_BEFORE.search(before)
            or _FUTURE_BEFORE.search(before)
        ):
            continue
        is_age = bool(_AGE_AFTER.match(after) or _AGE_BEFORE.search(before))
        candidates.append((int(match.group("n")), is_age, match.group()))

    marked = [c for c in candidates if c[1]]
    chosen = marked or candidates
    if len({c[0] for c in chosen}) == 1:
        number, _, evidence = chosen[0]
        if len(str(number)) == 4 and 1900 <= number <= today.year:
            # A bare year is a year of birth.
            return Parsed(
                understood=True, value=today.year - number, hedged=True, evidence=evidence
            )
        if MIN_AGE <= number <= MAX_AGE:
            return Parsed(understood=True, value=number, hedged=hedged, evidence=evidence)
        return Parsed.not_understood()
    if not candidates:
        dont_know = DONT_KNOW.search(norm)
        if dont_know:
            return Parsed.dont_know(evidence=dont_know.group())
    return Parsed.not_understood()


def _from_birth(born: re.Match[str], today: date, *, evidence: str) -> Parsed:
    year = int(born.group("year"))
    if year < 100:
        year = two_digit_year(year, today.year)
    month = MONTHS.get(born.group("month") or "")
    day_text = born.group("day") or born.group("day2")
    day = int(day_text) if day_text else None
    age = today.year - year
    hedged = True
    if month is not None:
        if (month, day or 1) > (today.month, today.day):
            age -= 1
        # Without the day, the birthday month itself leaves the age open.
        hedged = day is None and month == today.month
    if not MIN_AGE <= age <= MAX_AGE:
        return Parsed.not_understood()
    return Parsed(understood=True, value=age, hedged=hedged, evidence=evidence)

"""Age in whole years.

Decisions:

* A date of birth gives the exact age on ``today`` when its day and month are known
  ("05/11/1963", "14th Feb 1966", "d.o.b. 1966-02-14"). Numeric dates are day first
  (European), unless only the US order makes a date ("02/14/1966"). A bare date is a
  date of birth: nothing else in an answer about age is a date.
* "born in 1971" (or "'71", or a year alone as the whole answer) gives the age reached
  this year (``today.year - 1971``), hedged, because the birthday is not known; "born in
  March 1971" is exact unless March is the current month.
* A coming birthday is one year more than the age now: "I turn 76 next May", "I'll be
  60 in March", "62 next week" are 75, 59 and 61, not hedged. A present age in the
  same message wins ("52, turning 53 next month").
* "nearly 70", "almost 70", "coming up to 70" are 69, hedged (68 is possible too).
* "mid fifties" gives 55, "early fifties" 52, "late fifties" 58, "in my fifties" 55 —
  all hedged, so the engine never excludes on them alone. "50s" and "50's" are read the
  same way; "the fifties" ("born in the 70s") is an era, not an age.
* *Decision:* a decade that straddles the study's upper limit of 75 must not pass on its
  midpoint. "in his seventies" / "70s" and "mid seventies" (70-79, 74-76: either side of
  75) give 76, hedged: over 75 but within the engine's hedge margin of 2, so the age
  criterion is left unknown for the study team, neither passed nor failed. "early
  seventies" is 72 (passes) and "late seventies" 78 (beyond the margin: not eligible).
* "seventy something", "70 odd", "70+", "over 70" say the decade only: read as "in my
  seventies" (76, hedged: not known); "over 18" and "75ish" are read as said.
* Someone answering for a relative is read the same way: "my mum is 67" is 67.
* Numbers that measure something else are not ages: "48 kg", "5'9\"", "2 kids", "for 5
  years", "since 2019", "5 years ago". A number outside 10-120 is not an age: not
  understood (an age under 10 is a typo or another number, asked again). "im 5o" is 50.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, analyse, clause_around
from trialbot.parsing.numbers import (
    MONTH_NAMES,
    SEASONS,
    DateMention,
    find_dates,
    two_digit_year,
    words_to_digits,
)
from trialbot.parsing.yes_no import DONT_KNOW

# Under 10 is a typo or another number ("5 foot"): asked again, not excluded.
MIN_AGE = 10
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
    r"(?<!\bthe )\b(?:(?P<part>early|mid|middle|late)\s*-?\s*)?"
    r"(?P<decade>" + "|".join(_DECADES) + r")\b"
)
# "70s", "70's" (split by the analysis into "70 s", "70 's"): the decade's word.
_DECADE_DIGITS = re.compile(r"(?<![\d.])(?P<tens>[2-9])0\s*'?\s*s\b")
_DECADE_WORDS = {str(tens // 10): word for word, tens in _DECADES.items()}
# "seventy something", "70 odd", "70+", "over 70": somewhere in that decade, read as the
# decade ("in my seventies"); not a span ("20 odd years", "for over 20 years").
_NOT_AN_AGE_AFTER = r"(?!\s*(?:years?|yrs?|months?|weeks?|days?|kgs?|kilos?|times|%))"
_DECADE_LOOSE = re.compile(
    r"(?<![\d.])(?P<tens>[2-9])0\s*-?\s*(?:something|odd|plus|\+)(?![\w+])"
    + _NOT_AN_AGE_AFTER
    + r"|(?<!\bfor )\b(?:over|older than|past)\s+(?P<over>[2-9])0\b(?![\d.])"
    + _NOT_AN_AGE_AFTER
)
_DECADE_OFFSET = {"early": 2, "mid": 5, "middle": 5, "late": 8, None: 5}
# Decades whose middle straddles the age limit (75): read just over it (see above).
_STRADDLING = {"seventies": 76}

# Words that say the date or year after them is the birth: "born", "dob", "d.o.b.".
_BIRTH_CUE = re.compile(
    r"\b(?:born|dob|d\s*\.\s*o\s*\.\s*b|date of birth|birth\s*date|birthday|b\s*-?\s*day|"
    r"year of birth|birth year)\b|\bb\s*\.(?=\s*\d)"
)
# The year right after a birth cue: "born 1966", "born in 71", "born in '58".
_BIRTH_YEAR = re.compile(
    r"^\W*(?:(?:in|on|the|is|was|of|year|:)\W+)*'?\s*(?P<year>\d{4}|\d{2})(?![\d.]*\d)"
)
# A year as the whole answer is a year of birth: "1971".
_YEAR_ALONE = re.compile(r"^\W*(?P<year>(?:19|20)\d{2})\W*$")
# Dates that are not the birth: "since 05/11/2019".
_DATE_NOT_BIRTH = re.compile(r"\b(?:since|from|until|till|after|before|ago)\s+(?:the\s+)?$")

_NUMBER = re.compile(r"(?<![\w.])(?P<n>\d{1,4})(?:\.\d+)?(?![\d.]*\d)")
# Signs that a number is the age: "52 years old", "I am 52", "turned 79", "my mum is 67".
_AGE_AFTER = re.compile(r"^\s*(?:years?|yrs?|y)?\s*(?:old|yo|y\s*/?\s*o|of age)\b")
_AGE_BEFORE = re.compile(
    r"(?:\b(?:i am|am|i m|im|aged|age|age is|is|turned)|'s)\s+(?:only|just|now|already|nearly|"
    r"almost|about|around|over|under)?\s*$"
)
# A birthday already had: "turned 76 in the summer" is 76 now, not a coming birthday.
_PAST_TURN = re.compile(r"\b(?:turned|became|hit|reached)\s+(?:only\s+|just\s+)?$")
# A coming birthday: "turning 53", "I'll be 60 in March", "76 in 2 weeks", "62 next week".
_FUTURE_BEFORE = re.compile(r"\b(?:turn|turning|will be|be|going to be|gonna be)\s+$")
_WHEN = MONTH_NAMES + "|" + "|".join(SEASONS)
_FUTURE_AFTER = re.compile(
    r"^\s*,?\s*(?:next\s+(?:week|month|year|birthday|" + _WHEN + r")|"
    r"in\s+(?:\d+|a|an)\s+(?:days?|weeks?|months?)|in\s+(?:the\s+)?(?:" + _WHEN + r")|"
    r"this\s+(?:coming\s+)?(?:week|month|" + _WHEN + r")|on my (?:next )?birthday|"
    r"(?:very\s+)?soon|shortly|tomorrow|later this (?:week|month|year))\b"
)
# "nearly 70": not 70 yet.
_ALMOST = re.compile(r"\b(?:nearly|almost|nearing|approaching|close to|coming up to)\s+$")
# Numbers that measure something else: "3 kids", "2 months", "48 kg", "8 out of 10".
_OTHER_QUANTITY = re.compile(
    r"^\s*(?:months?|weeks?|days?|hours?|hrs|minutes?|mins?|nights?|times|x\b|%|percent|"
    r"kgs?|kilos?|kilograms?|cm|m\b|metres?|meters?|ft|foot|feet|inch(?:es)?|stone|st\b|"
    r"lbs?|pounds?|levels?|kids|children|grandchildren|sons?|daughters?|pills?|tablets?|"
    r"injections?|sessions?|cigarettes?|out of|of 10|am\b|pm\b|o'clock|"
    r"years? ago)\b|^\s*(?:%|/\s*\d|'|\")"
)
# ... or precede one: "for 5 years", "since 2019", "pain 8 out of 10", "7/10".
_OTHER_BEFORE = re.compile(
    r"(?:\b(?:for|past|last|since|had it|in|out of)|/)"
    r"(?:\s+(?:about|around|roughly|nearly|almost|over|just over|more than|a good|the past|"
    r"the last))?\s*$"
)
_LETTER_O = re.compile(r"(?<![\d.])([1-9]) o\b(?!\s*')")
_APPROXIMATE = re.compile(r"\b(?:nearly|almost|about|around|roughly|over|under|ish|or so)\b")
_APPROXIMATE_AFTER = re.compile(r"^\s*(?:-\s*)?(?:ish|or so|or thereabouts|give or take)\b")


def parse_age(text: str, today: date) -> Parsed:
    return read_age(analyse(text), today)


def read_age(analysis: Analysis, today: date) -> Parsed:
    # Letter o typed for zero: "im 5o" (split into "5 o" by the analysis) is 50.
    norm, _ = words_to_digits(_LETTER_O.sub(r"\g<1>0", analysis.norm))
    norm = _DECADE_DIGITS.sub(lambda m: _DECADE_WORDS[m.group("tens")], norm)
    norm = _DECADE_LOOSE.sub(lambda m: _DECADE_WORDS[m.group("tens") or m.group("over")], norm)
    hedged = bool(analysis.hedge_cues or analysis.approximators or _APPROXIMATE.search(norm))

    def near_hedged(start: int, end: int) -> bool:
        """Doubt about this number: a hedge cue anywhere, an approximator in its clause
        ("I'm 49, pain for about 6 years": the "about" is the duration's)."""
        return bool(analysis.hedge_cues) or bool(
            _APPROXIMATE.search(clause_around(masked, start, end))
            or _APPROXIMATE_AFTER.match(masked[end:])
        )

    dates = find_dates(norm, today.year)
    birth = _birth_cued(norm, dates, today)
    if birth is not None and not (birth.understood and birth.hedged):
        return birth  # a full date of birth is exact

    # Numbers inside dates are not ages: blank the dates out, keeping the offsets.
    masked = norm
    for mention in dates:
        masked = (
            masked[: mention.start] + " " * (mention.end - mention.start) + masked[mention.end :]
        )

    present: list[tuple[int, bool, bool, str]] = []  # (age, marked, hedged, evidence)
    coming: list[tuple[int, str]] = []  # ages reached at a coming birthday
    for match in _NUMBER.finditer(masked):
        after, before = masked[match.end() :], masked[: match.start()]
        number = int(match.group("n"))
        if len(match.group("n")) == 4 or _OTHER_QUANTITY.match(after):
            continue
        if _PAST_TURN.search(before):
            present.append((number, True, near_hedged(*match.span()), match.group()))
            continue
        if _FUTURE_BEFORE.search(before) or _FUTURE_AFTER.match(after):
            coming.append((number, match.group()))
            continue
        if _OTHER_BEFORE.search(before):
            continue
        if _ALMOST.search(before):
            present.append((number - 1, True, True, match.group()))
            continue
        is_age = bool(_AGE_AFTER.match(after) or _AGE_BEFORE.search(before))
        present.append((number, is_age, near_hedged(*match.span()), match.group()))

    # An age said as such wins over a year of birth: "I'm 62 (born 1964)" is 62, exact.
    marked = [c for c in present if c[1]]
    if birth is not None and not marked:
        return birth
    decade = _DECADE.search(norm)
    if decade and not marked:
        word, part = decade.group("decade"), decade.group("part")
        age = _DECADES[word] + _DECADE_OFFSET[part]
        if word in _STRADDLING and part in (None, "mid", "middle"):
            age = _STRADDLING[word]
        return Parsed(understood=True, value=age, hedged=True, evidence=decade.group())
    chosen = marked or present
    if len({c[0] for c in chosen}) == 1:
        number, _, is_hedged, evidence = chosen[0]
        return _age(number, is_hedged, evidence)
    if chosen:
        return Parsed.not_understood()  # "52 or 53": two ages

    for mention in dates:
        if not _DATE_NOT_BIRTH.search(norm[: mention.start]):
            return _from_birth(mention, today)
    if len({c[0] for c in coming}) == 1:
        number, evidence = coming[0]
        return _age(number - 1, hedged, evidence)
    year_alone = _YEAR_ALONE.match(norm)
    if year_alone:
        return _from_year(int(year_alone.group("year")), today, year_alone.group("year"))
    if not coming:
        dont_know = DONT_KNOW.search(norm)
        if dont_know:
            return Parsed.dont_know(evidence=dont_know.group())
    return Parsed.not_understood()


def _birth_cued(norm: str, dates: list[DateMention], today: date) -> Parsed | None:
    """The age from a date or year that follows "born", "dob", "my birthday is"..."""
    for cue in _BIRTH_CUE.finditer(norm):
        for mention in dates:
            if cue.end() <= mention.start <= cue.end() + 12:
                return _from_birth(mention, today)
        year = _BIRTH_YEAR.match(norm[cue.end() :])
        if year:
            evidence = norm[cue.start() : cue.end() + year.end()]
            return _from_year(int(year.group("year")), today, evidence)
    return None


def _age(age: int, hedged: bool, evidence: str) -> Parsed:
    if not MIN_AGE <= age <= MAX_AGE:
        return Parsed.not_understood()
    return Parsed(understood=True, value=age, hedged=hedged, evidence=evidence)


def _from_year(year: int, today: date, evidence: str) -> Parsed:
    if year < 100:
        year = two_digit_year(year, today.year)
    # The birthday may still be to come this year: hedged.
    return _age(today.year - year, True, evidence.strip())


def _from_birth(birth: DateMention, today: date) -> Parsed:
    age = today.year - birth.year
    if (birth.month, birth.day or 1) > (today.month, today.day):
        age -= 1
    # Without the day, the birthday month itself leaves the age open.
    hedged = birth.day is None and birth.month == today.month
    return _age(age, hedged, birth.text)

"""How long the candidate has had the pain, in months.

Decisions:

* Weeks are ``/ 4.345`` months, days ``/ 30.44``; values are rounded to 0.1 month.
* "since March 2023" counts from the 1st of that month, bound ``exact``; a full date
  ("since 12/03/2024", day first) from that day. "since March" means the most recent
  March; "since last March" the one before if this is March. A season starts in its
  first month (northern hemisphere): "since the summer of 2024" counts from 1 June 2024;
  "since the winter", said in December, means the winter before.
* "since 2019" (a year alone) is a lower bound: ``more_than`` the months since the end
  of 2019. The current year ("since 2026", "this year") is an upper bound:
  ``less_than`` the months since 1 January.
* Events count from their date: "since the pandemic" / "since lockdown" from 1 March
  2020 ("since covid" too, hedged: it may mean since they had covid); "since Christmas"
  and "since Easter" from the most recent one (or the one of the year said, or "two
  years ago"), New Year likewise.
* Life events are read only with a number to count from, and hedged (whole years):
  "since my son was born, he's 9 now" is 108 months, so is "it started when my son was
  born and hes 9 now" ("when"/"after" only with a birth or pregnancy); "im 45, since i was 30" is 180.
  "since I was 30" alone is not understood (unless the caller passes the age it knows);
  "after my 50th birthday" and "since I turned 50" are "since I was 50". A span said outright wins over the age:
  "since i was 15 so about 3 years" is 36 months, hedged.
* The unit may come first: "years, at least 6" is ``more_than`` 72 months.
* "for years", "years and years", "donkey's years", "most of my adult life", "since I
  was a teenager": ``more_than`` 24, hedged. "ages", "a long time" and unit-less
  numbers ("8") are not understood.
* "a couple of" (2), "a few" / "several" (3), ranges ("2-3 years", "a year or two": the
  lower end), "about", "nearly", "like 10 years" are hedged.
* "last week" / "last month" are 1 week / 1 month, hedged.
* A bound said after the figure counts: "a year or less", "a year, maybe less", "8
  months at most", "no more than a year" are ``less_than``; "a year or maybe more" is
  ``more_than`` (hedged).
* A number that dates a scan, an injection, an operation or physiotherapy is not the
  pain's duration: in "the MRI 2 years ago showed worn discs" the clause with the
  procedure is ignored (not understood unless the pain's own duration is also given) —
  unless the pain is counted from it: "ever since my hernia op in 2018".
* Pain that went away and came back: the current episode counts ("I had it for 2 years
  then it went away and came back 3 months ago" is 3 months), hedged, so the study
  team can weigh the history. The engine still excludes on 3 months (beyond the margin).
* Frequencies are not durations: "twice a week", "8 hours a day", "every 2 weeks"; nor
  is how long a treatment helped or the pain was away ("each one lasted a few weeks",
  "fine for a year", "it went away last year"), an age ("I'll be 18 in March", "80 years
  young") or a pregnancy.
* A bare date more than 40 years back ("12/05/1980", "1945") is taken for a date of
  birth: not understood. With "since" or "in" before it, it is the pain's start.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing import lexicon
from trialbot.parsing.nlp import Analysis, analyse
from trialbot.parsing.numbers import (
    MONTH_NAMES,
    MONTHS,
    SEASONS,
    find_dates,
    two_digit_year,
    words_to_digits,
)
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
# When the covid pandemic and its first lockdowns began in Europe.
PANDEMIC_START = date(2020, 3, 1)

_UNITS = r"(?:day|week|month|year|decade)"
_UNIT = r"(?P<unit>" + _UNITS + r")s?"
_QUANTITY = re.compile(r"(?<![\d.])(?P<n>\d+(?:\.\d+)?)\s*(?P<plus>\+\s*)?" + _UNIT + r"\b")
_RANGE = re.compile(
    r"(?<![\d.])(?P<low>\d+(?:\.\d+)?)\s*(?:-|to|or)\s*(?P<high>\d+(?:\.\d+)?)\s*(?P<unit>"
    + _UNITS
    + r"s?)\b"
)
# "a year or two" (the unit between the numbers): the lower end too.
_RANGE_AFTER = re.compile(
    r"(?<![\d.])(?P<low>\d+(?:\.\d+)?)\s*(?P<unit>" + _UNITS + r"s?)\s+(?:or|to|-)\s+"
    r"(?P<high>\d+(?:\.\d+)?)\b(?!\s*(?:\.\d|[-/]|" + _UNITS + r"))"
)
# "somewhere between a few months and a year", "between 6 months and 2 years": a range,
# each end with its own unit.
_BETWEEN = re.compile(
    r"\bbetween\s+(?P<low>\d+(?:\.\d+)?)\s*(?:(?P<unit>" + _UNITS + r"s?)\s+)?and\s+"
    r"(?P<high>\d+(?:\.\d+)?)\s*(?P<high_unit>" + _UNITS + r")s?\b"
)
# The unit first, then a bare range ending the sentence: "years. 6 or 7", "months, 8-9".
_UNIT_THEN_RANGE = re.compile(
    r"\b(?P<unit>" + _UNITS + r")s?\b[\s,.:;!-]+(?:like\s+|about\s+|maybe\s+|around\s+)?"
    r"(?P<low>\d+(?:\.\d+)?)\s*(?:-|to|or)\s*(?P<high>\d+(?:\.\d+)?)(?=\s*(?:[.!?,;]|$))"
)
# Two numbers side by side before the unit, as said aloud or typed fast: "six seven
# months", "six, seven months", "6/7 months", "2 maybe 3 years" — a range, read as above.
_RANGE_LOOSE = re.compile(
    r"(?<![\d.,/])(?P<low>\d+(?:\.\d+)?)\s*(?:,|/|\s)\s*(?:or\s+)?(?:maybe\s+|perhaps\s+)?"
    r"(?P<high>\d+(?:\.\d+)?)\s*(?P<unit>" + _UNITS + r"s?)\b"
)
# The unit said first, then a bare number: "years, at least 6" is at least 6 years.
_UNIT_FIRST = re.compile(
    r"(?<![\d.])(?<![\d.]\s)\b(?P<unit>" + _UNITS + r")s?\s*[,:-]?\s*"
    r"(?P<bound>at least|more than|over|well over|about|around|roughly|nearly|almost|"
    r"maybe|probably)\s+(?P<n>\d+(?:\.\d+)?)(?![\d.])"
    r"(?!\s*(?:[-/%]|(?:" + _UNITS + r"|hours?|hrs?|minutes?|mins?|times|x|kgs?|out of)s?\b))"
)
# Pieces joined into one duration: "2 years and 3 months", "1 year, 6 months".
_JOINER = re.compile(r"^\s*(?:,|and|,\s*and)?\s*$")

_MORE = re.compile(
    r"\b(?:(?<!\bno )(?<!\bnot )more than|more as|longer as|over|at least|"
    r"(?:no|not|never) (?:less|shorter|fewer) than|(?:no|not) under|"
    r"(?<!\bno )(?<!\bnot )longer than|upwards of|above|well over|in excess of)"
    r"\s*(?:a|an|the)?\s*$"
)
_MAYBE = r"(?:maybe|perhaps|possibly|probably|or maybe|or perhaps|or possibly|or probably)"
_MORE_AFTER = re.compile(
    r"^\s*(?:\+|plus|or more|or longer|and more|at least)\b|^\s*\+"
    r"|^\s*(?:or so\b)?\s*[,;]?\s*" + _MAYBE + r"\s+(?:even\s+)?(?:more|longer)\b"
)
# The bound said after the figure: "a year or less", "a year, maybe less", "8 months at most".
_LESS_AFTER = re.compile(
    r"^\s*(?:or so\b)?\s*[,;]?\s*(?:or less|or shorter|or under|at (?:the )?most|max(?:imum)?|tops|"
    + _MAYBE
    + r"\s+(?:even\s+)?(?:less|shorter))\b"
)
# "in the last 2 months" is an upper bound; "for the last 2 years" is not.
_LESS = re.compile(
    r"\b(?:(?<!\bno )(?<!\bnot )(?<!\bnever )less than|(?<!\bno )(?<!\bnot )under|not even|not quite|within|(?<!\bcoming )(?<!\bcomes )up to|"
    r"barely|no more than|not more than|no longer than|not longer than|"
    r"(?<!\bno )(?<!\bnot )(?<!\bnever )shorter than|(?<!\bno )(?<!\bnot )fewer than|"
    r"(?:in|within|during) the (?:last|past))\s*(?:a|an|the)?\s*$"
)
_APPROX = re.compile(
    r"\b(?:about|around|roughly|approximately|nearly|almost|maybe|probably|or so|ish|"
    r"give or take|something like|i think|i guess|perhaps|more or less|circa|"
    r"coming up (?:to|on)|getting on for|close to|nigh on)\b|"
    r"\b(?:going on|approaching|pushing)\s+(?=\d)|"
    r"\blike\s+(?=\d)"
)

_SEASON_NAMES = "|".join(SEASONS)
_WHEN = MONTH_NAMES + "|" + _SEASON_NAMES
# "summer of 2024", "the winter 2023" (month-year dates are read by find_dates)
_SEASON_YEAR = re.compile(
    r"\b(?:the\s+)?(?P<when>" + _SEASON_NAMES + r")\s+(?:of\s+)?(?:(?P<year>(?:19|20)\d{2})|"
    r"'\s*(?P<year2>\d{2}))\b"
)
_YEAR = re.compile(r"(?<![\d.])(?P<year>(?:19|20)\d{2})(?![\d.])")
# A month alone needs "since"/"in"/"from" before it: "may" is also a verb.
_MONTH_ALONE = re.compile(
    r"\b(?:since|in|from|started in|began in|back in|around)\s+(?:the\s+)?"
    r"(?:(?P<last>last|this|this past)\s+)?(?:start of\s+|end of\s+)?"
    r"(?P<when>" + _WHEN + r")\b"
)
# "the winter before last", "since march before last": the one before the last one.
_BEFORE_LAST = re.compile(
    r"\b(?:(?:since|in|from|started in|began in|back in|around)\s+)?(?:the\s+)?"
    r"(?:start of\s+|end of\s+)?(?P<when>" + _WHEN + r")\s+before last\b"
)
# "since August last year": the year said after a month or season.
_YEAR_AFTER_MONTH = re.compile(r"\s*,?\s*(?:of\s+|in\s+)?(?P<which>last|this) year\b")
_YEAR_START = re.compile(r"\b(?:the )?(?:start|beginning) of (?:the|this) year\b")
_LAST_YEAR = re.compile(r"\b(?P<which>last|this) year\b")
_LAST_WEEK = re.compile(r"\blast (?P<unit>week|month)\b|\byesterday\b")
_VAGUE_YEARS = re.compile(
    r"\b(?:for|many|several|some|a number of|donkey\s*'?\s*s?|donkeys)\s+years\b|"
    r"^\s*years\s*$|\byears and years\b|\bdecades\b|\b(?:since|for) (?:like )?forever\b|\b(?:been|for) (?:many |several )?years\b|"
    r"\b(?:most|all|much|half) of my (?:adult |working )?life\b|\bhalf my (?:adult )?life\b|"
    r"\bmy (?:whole|entire) "
    r"(?:adult )?life\b|\ball my (?:adult )?life\b|\bas long as i can remember\b|"
    r"\bsince (?:(?:i|he|she|they) (?:was|were) )?(?:a )?(?:child|kid|teenager|teen|boy|girl|"
    r"young|little)\b|"
    r"\bsince (?:my |his |her |their )?(?:early |mid |late )?(?:childhood|teens|school|"
    r"school days|youth|twenties|20 s)\b"
)
# Age and birth talk: "30 years old", "80 years young", "born in 1966", "nar. 5.11.1963"
# (Czech "narozen"), "I'll be 18 in March", "turned 18 last week", "39 in june"; and a
# pregnancy ("12 weeks pregnant", "expecting a baby in April").
_NOT_A_SPAN = re.compile(
    r"\byears? (?:old|young)\b|\b(?:i was|i am|i m|im) born\b|^\W*born\b|"
    r"\b(?:dob|date of birth)\b|\b(?:b|nar)\s*\.\s*\d|"
    r"\b(?:will be|be|turn|turning|turned)\s+\d{1,3}\b(?!\.\d|\s*(?:day|week|month|year|decade))|"
    r"(?<![\d.])\d{1,3}\s+(?:in|next|this)\s+(?:" + _WHEN + r")\b|\bpregnant\b|\bexpecting\b"
)
# Learner English for an age, left out before reading: "i have 54 years, pain is since 3
# years" is 3 years.
_LEARNER_AGE = re.compile(lexicon.LEARNER_AGE)
# "the better part of a decade": more than 5 years, said loosely ("better" is no relief).
_BETTER_PART = re.compile(
    r"\b(?:the )?(?:better|best|greater) part of (?:a|the last|the past) decade\b"
)
# "2y", "3 y": years (a lone "y" elsewhere is a yes, so only in this parser); "18m": months.
_Y_FOR_YEARS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*y\b(?!\s*/)")
_M_FOR_MONTHS = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*m\b(?!\s*/)")
# A decimal comma, as most of Europe writes it: "1,5 years", "2,5 roku" (with a space,
# "6, 7 months" is two numbers: a range).
_DECIMAL_COMMA = re.compile(
    r"(?<![\d.,])(\d{1,2}),(\d)(?=\s*(?:y|yrs?|years?|m|mo|months?|weeks?|roku|let|"
    r"měsíců|mesicu)\b)"
)
# A bare date this far back is more likely a date of birth than the pain's start.
MAX_BARE_DATE_YEARS = 40
# What may introduce a start date: "since", "from", "in", "started"...
_START_CUE = re.compile(
    r"\b(?:since|from|in|started|began|begun|start|around|about|back in|back around|ago|"
    r"during|after|of)\W*(?:the\s+)?(?:start of\s+|end of\s+|beginning of\s+)?$"
)

# "since I was 30", "since the age of 30": counted from the candidate's age, if given.
_SINCE_AGE = re.compile(
    r"\b(?:since|from|when|started when|began when)\s+(?:i was\s+|i turned\s+|"
    r"(?:the\s+)?age\s+(?:of\s+)?)"
    r"(?P<then>\d{1,2})\b(?:\s*(?:years?|yrs?)\s*(?:old|of age)?\b)?"
    # "it started after my 50th birthday", "since I turned 50"
    r"|\b(?:since|from|after|around|about|at|when i turned|started at)\s+(?:my|his|her)\s+"
    r"(?P<birthday>\d{1,2})\s*(?:th|st|nd|rd)?\s+birthday\b"
)
_OWN_AGE = re.compile(
    r"\b(?:i am|i m|im|aged?|i turned|i just turned)\s+(?:now\s+)?(?P<a>\d{1,3})\b"
    r"(?!\s*(?:months?|weeks?|days?|kg|cm))|"
    r"\b(?P<b>\d{1,3})\s*(?:years?\s*old|yrs?\s*old|yo|y\s*/\s*o)\b|\bage\s*:?\s*(?P<c>\d{1,3})\b"
)
# "since my son was born, he's 9 now", "since I was pregnant with my daughter, she's 4".
# "it started when my son was born and he's 6 now", "after I had my daughter, she's 4":
# "when"/"after" only with a birth or pregnancy (not "worse when I carry my son, he's 4").
_CHILD_EVENT = re.compile(
    r"\bsince\b.*\b(?:sons?|daughters?|child|children|kids?|baby|babies|twins|"
    r"grandsons?|granddaughters?|grandchild|youngest|eldest|oldest|first|second|third|"
    r"pregnan\w*|gave birth|giving birth|born)\b"
    r"|\b(?:when|after)\b.*\b(?:born|pregnan\w*|gave birth|giving birth|"
    r"had (?:my|our|the|a) (?:\w+ )?(?:sons?|daughters?|child|kids?|baby|babies|twins))\b"
)
# "he's 6", "hes 6" (normalized "he s 6"), "she is 4 now"
_CHILD_AGE = re.compile(
    r"\b(?:he|she|they|who|which|that)\s*(?:'s|s|is|are|was|'re)?\s*(?:now|just|only|nearly|"
    r"almost|about)?\s*(?P<n>\d+(?:\.\d+)?)\s*(?:(?P<unit>year|month|week)s?)?\b"
)
# Events everyone dates: the covid pandemic, Christmas, Easter, New Year.
_EVENT_BEFORE = (
    r"\b(?:since|from|around|about|at|after|before|over|in|during|started|began|back at|"
    r"back in|back around)\s+(?:the\s+)?(?:start of\s+|beginning of\s+|first\s+)?(?:the\s+)?"
)
_PANDEMIC = re.compile(
    _EVENT_BEFORE + r"(?:(?P<covid>covid(?:\s*-?\s*19)?|corona(?:virus)?)\b(?:\s+pandemic)?|"
    r"pandemic|lockdowns?)\b"
)
_HOLIDAY = re.compile(
    _EVENT_BEFORE + r"(?:(?P<last>last|this|this past)\s+)?"
    r"(?P<what>easter|christmas|xmas|new year(?:\s*'?\s*s)?)\b"
    r"(?:\s*,?\s+(?:of\s+)?(?:(?P<ago>\d+)\s+years?\s+ago|(?P<year>(?:19|20)\d{2})\b|"
    r"(?P<before_last>before last)\b))?"
)
# Pain that went away and came back: the current episode counts.
_RELAPSE = re.compile(
    r"\b(?:went away|go away|gone away|stopped|disappeared|cleared up|cleared|settled|"
    r"got better|was fine|was gone|healed)\b.*?\b(?P<back>came back|come back|coming back|"
    r"returned|started again|back again|flared up|flared|recurred|is back|has been back)\b"
)
# Procedures whose date is not the pain's: "the MRI 2 years ago", "injection in 2023".
_PROCEDURE = re.compile(
    r"\b(?:mris?|scans?|scanned|x\s*-?\s*rays?|xrays?|ct|spect|radiographs?|injections?|"
    r"injected|epidurals?|nerve blocks?|blocks?|ablation|operations?|operated|surgery|removed|"
    r"surgeries|op|physio|physiotherapy|physiotherapist|physical therapy|pt|rehab|"
    r"chiro\w*|acupuncture|massages?)\b"
)
# How long a treatment helped or the pain was away is not how long the pain has lasted:
# "each one lasted a few weeks", "I've been fine for a year", "came back after 6 months",
# "it went away last year" — but "I was fine until 2 years ago" dates the pain.
_RELIEF = re.compile(
    r"\b(?:lasted|lasting|helped|worked|relief|fine|pain\s*-?\s*free|better|"
    r"back (?:after|within)|went away|go away|gone away|disappeared|cleared up)\b"
)
_UNTIL = re.compile(r"\b(?:until|till|til|up to|up until)\b")
# ... unless the pain is counted from the procedure: "ever since my hernia op in 2018".
_SINCE_PROCEDURE = re.compile(
    r"\b(?:since|(?:started|began|begun|came on|start)\s+(?:right\s+|just\s+)?after)"
    r"(?:\s+[a-z']+){0,3}?\s+" + _PROCEDURE.pattern
)
_CLAUSE_BREAK = re.compile(
    r"[,;:.!?()]|\b(?:but|then|although|though|while|whereas|so)\b|\band\b(?!\s+\d)"
)
# Frequencies, not durations: "twice a week", "8 hours a day", "every 2 weeks".
_FREQUENCY = re.compile(
    r"\b(?:per|every|each)\s+(?:other\s+)?(?:\w+\s+)?(?:day|week|fortnight|month|year)s?\b|"
    r"\b(?P<keep>once|twice|thrice|times|x|hours?|hrs?|minutes?|mins?)\s+(?:a|an|per|in a)\s+"
    r"(?:day|week|fortnight|month|year)\b"
)


def parse_duration(text: str, today: date, *, age: int | None = None) -> Parsed:
    """``age``: the candidate's age if already known, for "since I was 30" said alone."""
    return read_duration(analyse(text), today, age=age)


def read_duration(analysis: Analysis, today: date, *, age: int | None = None) -> Parsed:
    ranges: list[tuple[float, float]] = []
    return _with_upper_end(_read_duration(analysis, today, age, ranges), ranges)


def _with_upper_end(reading: Parsed, ranges: list[tuple[float, float]]) -> Parsed:
    """A range read at its lower end ("six or seven months") keeps its upper end too
    (``"to"``), so that the criterion is decided only where both ends agree."""
    value = reading.value
    if len(ranges) != 1 or not isinstance(value, dict) or value.get("bound") != "exact":
        return reading
    low, high = ranges[0]
    if high <= low or abs(float(value["months"]) - round(low, 1)) > 0.05:
        return reading
    return replace(reading, value={**value, "to": round(high, 1)})


def _range_low(ranges: list[tuple[float, float]]) -> Callable[[re.Match[str]], str]:
    """A substitution that leaves a range's lower end and notes both ends in months."""

    def low(match: re.Match[str]) -> str:
        # "between 2 and 3 years": the low end takes the unit said after the high one
        word = match["unit"] or match.groupdict().get("high_unit") or "month"
        named = match.groupdict().get("high_unit")
        unit = MONTHS_PER_UNIT[word.rstrip("s")]
        high_unit = MONTHS_PER_UNIT[named] if named else unit
        ranges.append((float(match["low"]) * unit, float(match["high"]) * high_unit))
        return f"{match['low']} {word}"

    return low


def _read_duration(
    analysis: Analysis, today: date, age: int | None, ranges: list[tuple[float, float]]
) -> Parsed:
    norm = _FREQUENCY.sub(lambda m: m.group("keep") or " ", analysis.norm)
    norm = _DECIMAL_COMMA.sub(r"\1.\2", norm)
    # "since the start of the year": since January of this year.
    norm = _YEAR_START.sub("january", norm)
    norm, loose = _BETTER_PART.subn("more than 5 years", norm)
    norm, vague = words_to_digits(_fractions(norm))
    vague = vague or loose > 0
    norm = _Y_FOR_YEARS.sub(r"\1 years", norm)
    norm = _M_FOR_MONTHS.sub(r"\1 months", norm)
    norm = _LEARNER_AGE.sub(" ", norm)
    norm = _UNIT_FIRST.sub(r"\g<bound> \g<n> \g<unit>s", norm)
    # "2-3 years", "2 or 3 years", "a year or two": the lower end, hedged.
    norm = _BETWEEN.sub(_range_low(ranges), norm)
    norm = _UNIT_THEN_RANGE.sub(_range_low(ranges), norm)
    norm = _RANGE.sub(_range_low(ranges), norm)
    norm = _RANGE_AFTER.sub(_range_low(ranges), norm)
    rising = _range_low(ranges)
    norm = _RANGE_LOOSE.sub(lambda m: rising(m) if _rising(m) else m.group(), norm)
    vague = vague or bool(ranges)
    hedged = vague or bool(analysis.hedge_cues or analysis.approximators)
    norm = _without(_PROCEDURE, norm, keep=_SINCE_PROCEDURE)

    relapse = _RELAPSE.search(norm)
    if relapse:
        current = _read(norm[relapse.end("back") :], today, hedged)
        if current is not None and current.understood:
            return _hedge(current)
    norm = _without(_RELIEF, norm, keep=_UNTIL)

    since_age = _SINCE_AGE.search(norm)
    if since_age:
        # A span said outright wins: "since I was 15, so about 3 years" is 3 years.
        rest = norm[: since_age.start()] + " ... " + norm[since_age.end() :]
        if _first_span(rest) is not None and not _NOT_A_SPAN.search(rest):
            found = _read(rest, today, hedged)
            if found is not None and found.understood:
                return found
        then = since_age.group("then") or since_age.group("birthday")
        return _from_ages(rest, int(then), since_age.group(), age)
    child = _child_age(norm)
    if child is not None:
        return child
    if _NOT_A_SPAN.search(norm):
        return Parsed.not_understood()

    found = _read(norm, today, hedged)
    if found is not None:
        return found
    dont_know = DONT_KNOW.search(norm)
    if dont_know:
        return Parsed.dont_know(evidence=dont_know.group())
    return Parsed.not_understood()


def _read(norm: str, today: date, hedged: bool) -> Parsed | None:
    """The duration said in ``norm``, most specific reading first; None if none."""
    event = _from_event(norm, today)
    if event is not None:
        return event

    span = _first_span(norm)
    if span is not None:
        months, start, end = span
        if not 0 < months <= MAX_MONTHS:
            return Parsed.not_understood()
        bound = "exact"
        if _LESS_AFTER.match(norm[end:]):
            bound = "less_than"  # "a year or less": any time up to a year
        elif _MORE.search(norm[:start]) or _MORE_AFTER.match(norm[end:]) or "+" in norm[start:end]:
            bound = "more_than"
        elif _LESS.search(norm[:start]):
            bound = "less_than"
        hedged = hedged or bool(_APPROX.search(norm)) or bool(DONT_KNOW.search(norm))
        return _months(months, bound, hedged, norm[start:end])

    dated = _from_date(norm, today)
    if dated is not None:
        return dated

    last = _LAST_WEEK.search(norm)
    if last:
        unit = last.group("unit") or "day"
        return _months(MONTHS_PER_UNIT[unit], "exact", True, last.group())
    vague_years = _VAGUE_YEARS.search(norm)
    if vague_years:
        return _months(24, "more_than", True, vague_years.group())
    return None


def _rising(match: re.Match[str]) -> bool:
    """Two numbers side by side are a range when the second is a little higher ("six
    seven months", "2 3 years"), not "1 6 months"."""
    low, high = float(match.group("low")), float(match.group("high"))
    return low < high <= 2 * low + 1


def _hedge(parsed: Parsed) -> Parsed:
    return Parsed(understood=True, value=parsed.value, hedged=True, evidence=parsed.evidence)


def _fractions(norm: str) -> str:
    """Spell halves as decimals: "a year and a half" -> "1.5 year"."""
    norm = re.sub(
        r"\b(?:a|an|one)\s+(day|week|month|year|decade)\s+and\s+a\s+half\b", r"1.5 \1", norm
    )
    norm = re.sub(r"\b(\w+)\s+(days?|weeks?|months?|years?)\s+and\s+a\s+half\b", r"\1.5 \2", norm)
    norm = re.sub(
        r"\b(\w+)\s+and\s+(?:a\s+)?half\s+(days?|weeks?|months?|years?)\b", r"\1.5 \2", norm
    )
    # learner English drops the article: "a year and half"
    norm = re.sub(r"\b(?:a|an|one)\s+(day|week|month|year|decade)\s+and\s+half\b", r"1.5 \1", norm)
    norm = re.sub(r"\b(\w+)\s+(days?|weeks?|months?|years?)\s+and\s+half\b", r"\1.5 \2", norm)
    # "half a year", learner English "half year", "half of year"
    norm = re.sub(
        r"\bhalf\s+(?:of\s+)?(?:a\s+|an\s+)?(day|week|month|year|decade)\b", r"0.5 \1", norm
    )
    norm = re.sub(r"\b(?:a|an)\s+half\s+(day|week|month|year|decade)\b", r"0.5 \1", norm)
    # "a year", "an year", "one month", "a decade"
    norm = re.sub(r"\b(?:a|an)\s+(day|week|month|year|decade)\b", r"1 \1", norm)
    # "1 1/2 years"
    return re.sub(r"\b(\d+)\s+1\s*/\s*2\b", r"\1.5", norm)


def _without(other: re.Pattern[str], norm: str, *, keep: re.Pattern[str]) -> str:
    """Blank out the clauses about ``other`` (a procedure, relief): their numbers are its,
    unless ``keep`` says they are the pain's ("ever since my op in 2018")."""
    pieces: list[str] = []
    start = 0
    for match in [*_CLAUSE_BREAK.finditer(norm), None]:
        end = match.start() if match else len(norm)
        clause = norm[start:end]
        about_other = other.search(clause) and not keep.search(clause)
        pieces.append(" ... " if about_other else clause)
        if match:
            pieces.append(match.group())
            start = match.end()
    return "".join(pieces)


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


def _from_ages(norm: str, then: int, evidence: str, age: int | None = None) -> Parsed:
    """ "since I was 30" counts from the age now, when the same message gives it (or the
    caller knows it: ``age``)."""
    own = _OWN_AGE.search(norm)
    if own is not None:
        now, evidence = (
            int(own.group("a") or own.group("b") or own.group("c")),
            (f"{own.group()} ... {evidence}"),
        )
    elif age is not None:
        now = age
    else:
        return Parsed.not_understood()
    if not then < now <= 120:
        return Parsed.not_understood()
    # Whole years on both sides: a year either way.
    return _months((now - then) * 12.0, "exact", True, evidence)


def _child_age(norm: str) -> Parsed | None:
    """ "since my son was born, he's 9 now": the child's age, hedged."""
    event = _CHILD_EVENT.search(norm)
    if event is None:
        return None
    age = _CHILD_AGE.search(norm, event.end() - 1)
    if age is None:
        return None
    rest = norm[: age.start()] + " ... " + norm[age.end() :]
    if _first_span(rest) is not None and not _NOT_A_SPAN.search(rest):
        return None  # a span said outright wins: "worse after my son, he's 3; 10 years in all"
    months = float(age.group("n")) * MONTHS_PER_UNIT[age.group("unit") or "year"]
    if not 0 < months <= MAX_MONTHS:
        return Parsed.not_understood()
    return _months(months, "exact", True, age.group())


def _from_event(norm: str, today: date) -> Parsed | None:
    pandemic = _PANDEMIC.search(norm)
    if pandemic:
        found = _since(PANDEMIC_START, today, "exact", pandemic.group())
        return _hedge(found) if pandemic.group("covid") and found.understood else found
    holiday = _HOLIDAY.search(norm)
    if holiday is None:
        return None
    what = holiday.group("what")
    if holiday.group("year"):
        year = int(holiday.group("year"))
    elif holiday.group("ago"):
        year = today.year - int(holiday.group("ago"))
    else:
        year = today.year if _holiday(what, today.year) <= today else today.year - 1
        if holiday.group("before_last"):
            year -= 1
    return _since(_holiday(what, year), today, "exact", holiday.group())


def _holiday(what: str, year: int) -> date:
    if what == "easter":
        return easter(year)
    if what.startswith("new year"):
        return date(year, 1, 1)
    return date(year, 12, 25)


def easter(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l_ = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l_) // 451
    month, day = divmod(h + l_ - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _from_date(norm: str, today: date) -> Parsed | None:
    dates = find_dates(norm, today.year)
    if dates:
        start = date(dates[0].year, dates[0].month, dates[0].day or 1)
        if _birth_like(norm, dates[0].start, start.year, today):
            return Parsed.not_understood()
        return _since(start, today, "exact", dates[0].text)
    season_year = _SEASON_YEAR.search(norm)
    if season_year:
        year = season_year.group("year")
        start_year = (
            int(year) if year else two_digit_year(int(season_year.group("year2")), today.year)
        )
        start = date(start_year, SEASONS[season_year.group("when")], 1)
        return _since(start, today, "exact", season_year.group())
    before_last = _BEFORE_LAST.search(norm)
    if before_last and not _YEAR.search(norm):
        return _since(
            _before_last(before_last.group("when"), today), today, "exact", before_last.group()
        )
    alone = _MONTH_ALONE.search(norm)
    if alone and not _YEAR.search(norm):
        start = _most_recent(alone, today)
        year_after = _YEAR_AFTER_MONTH.match(norm[alone.end() :])
        if year_after and not alone.group("last"):
            # "since August last year", "in may this year": the year said wins.
            said = today.year - 1 if year_after.group("which") == "last" else today.year
            start = date(said, start.month, 1)
            return _since(start, today, "exact", alone.group() + year_after.group())
        return _since(start, today, "exact", alone.group())
    year_match = _YEAR.search(norm)
    last = _LAST_YEAR.search(norm)
    if year_match or last:
        if year_match:
            year, evidence = int(year_match.group("year")), year_match.group()
            if _birth_like(norm, year_match.start(), year, today):
                return Parsed.not_understood()
        else:
            assert last is not None
            which, evidence = last.group("which"), last.group()
            year = today.year - 1 if which == "last" else today.year
        if year < today.year:
            # Some time during that year: at least since its end.
            return _since(date(year + 1, 1, 1), today, "more_than", evidence)
        return _since(date(year, 1, 1), today, "less_than", evidence)
    return None


def _birth_like(norm: str, at: int, year: int, today: date) -> bool:
    """A date long ago said with no "since" or "in" before it: "12/05/1980", "1945"."""
    return today.year - year > MAX_BARE_DATE_YEARS and not _START_CUE.search(norm[:at])


def _most_recent(alone: re.Match[str], today: date) -> date:
    """The start of the most recent month or season named; with "last", not the
    current one ("since last March", said in March, is a year ago)."""
    when = alone.group("when")
    month = MONTHS.get(when) or SEASONS[when]
    year = today.year if month <= today.month else today.year - 1
    start = date(year, month, 1)
    length = 1 if when in MONTHS else 3
    if alone.group("last") == "last" and _add_months(start, length) > today:
        start = date(year - 1, month, 1)
    elif when not in MONTHS and _add_months(start, 1) > today:
        # "since the winter", said in December, is the winter before: one that began
        # days ago would be "since the start of the month".
        start = date(year - 1, month, 1)
    return start


def _before_last(when: str, today: date) -> date:
    """The start of the month or season named, the time before the last one: "the winter
    before last", said in December 2026, is the winter of 2024/25."""
    month = MONTHS.get(when) or SEASONS[when]
    length = 1 if when in MONTHS else 3
    year = today.year if month <= today.month else today.year - 1
    last = date(year, month, 1)
    if _add_months(last, length) > today:  # still going on: not the last one yet
        last = date(year - 1, month, 1)
    return date(last.year - 1, month, 1)


def _add_months(start: date, months: int) -> date:
    index = start.month - 1 + months
    return date(start.year + index // 12, index % 12 + 1, 1)


def _since(start: date, today: date, bound: str, evidence: str) -> Parsed:
    days = (today - start).days
    if days < 0 or start.year < today.year - 100:
        return Parsed.not_understood()
    return _months(days / DAYS_PER_MONTH, bound, False, evidence)


def _months(months: float, bound: str, hedged: bool, evidence: str) -> Parsed:
    value = {"months": round(months, 1), "bound": bound}
    return Parsed(understood=True, value=value, hedged=hedged, evidence=evidence)

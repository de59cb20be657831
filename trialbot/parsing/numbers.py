"""Numbers as candidates type them: "52", "fifty-two", "a year and a half", "couple".

Everything here works on :attr:`Analysis.norm` (lower case, space-separated tokens).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
MONTHS = {
    "january": 1,
    "jan": 1,
    "february": 2,
    "feb": 2,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "may": 5,
    "june": 6,
    "jun": 6,
    "july": 7,
    "jul": 7,
    "august": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "october": 10,
    "oct": 10,
    "november": 11,
    "nov": 11,
    "december": 12,
    "dec": 12,
}
# A season starts in its first month (northern hemisphere): "summer 2024" -> June 2024.
SEASONS = {"spring": 3, "summer": 6, "autumn": 9, "fall": 9, "winter": 12}

_TENS_UNITS = re.compile(
    r"\b(?P<tens>"
    + "|".join(TENS)
    + r")(?:\s*-?\s*(?P<unit>"
    + "|".join(k for k in UNITS if UNITS[k] < 10 and k != "zero")
    + r"))?\b"
)
_UNITS = re.compile(r"\b(?P<unit>" + "|".join(sorted(UNITS, key=len, reverse=True)) + r")\b")
# Vague quantities: the number is a guess, so answers using them are hedged.
VAGUE = {"a couple of": 2, "a couple": 2, "couple of": 2, "a few": 3, "few": 3, "several": 3}
_VAGUE = re.compile(r"\b(?:" + "|".join(sorted(VAGUE, key=len, reverse=True)) + r")\b")


def words_to_digits(norm: str) -> tuple[str, bool]:
    """Replace number words by digits; say whether a vague quantity was used."""
    vague = bool(_VAGUE.search(norm))
    spoken_year = bool(_SPOKEN_YEAR.search(norm))
    norm = _VAGUE.sub(lambda m: str(VAGUE[m.group()]), norm)
    norm = _TENS_UNITS.sub(
        lambda m: str(TENS[m.group("tens")] + UNITS.get(m.group("unit") or "zero", 0)), norm
    )
    norm = _UNITS.sub(lambda m: str(UNITS[m.group("unit")]), norm)
    norm = _HYPHENATED.sub(_hyphen_number, norm)
    if spoken_year:
        # "nineteen sixty-two" became "19 62": a year; "two thousand and eight": 2008.
        norm = re.sub(r"\b19 ([1-9]\d)\b", r"19\1", norm)
        norm = re.sub(r"\b2 thousand (?:and )?(\d{1,2})\b", lambda m: str(2000 + int(m[1])), norm)
    return norm, vague


_SPOKEN_YEAR = re.compile(
    r"\bnineteen[\s-]+(?:ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|"
    r"eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b"
    r"|\btwo thousand (?:and )?\w+"
)


# "20 - 2" but not a date's "20 - 5 - 1970" (digits on either side).
_HYPHENATED = re.compile(r"(?<![\d.\-/]\s)(?<![\d.\-/])\b(\d+)\s*-\s*(\d)\b(?!\s*[-/.]\s*\d)")


def _hyphen_number(match: re.Match[str]) -> str:
    # "twenty - two" became "20 - 2": join it; "4 - 5" (a range) stays as it was.
    tens, unit = int(match.group(1)), int(match.group(2))
    if tens % 10 == 0 and 20 <= tens <= 90:
        return str(tens + unit)
    return match.group()


def two_digit_year(value: int, this_year: int) -> int:
    """'71 -> 1971, '05 -> 2005 (the most recent year not in the future)."""
    year = 2000 + value
    return year if year <= this_year else 1900 + value


# --- dates ---------------------------------------------------------------------------

MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:\s*(?:st|nd|rd|th))?"
# In :attr:`Analysis.norm` a typed "14/02/1966" or "5.11.1963" stays one token, but
# "05-11-63" becomes "05 - 11 - 63" and "14th" becomes "14 th".
_SEP = r"\s*(?P<sep>[-/.])\s*"
_DATE_PATTERNS = (
    # ISO: 1966-02-14
    re.compile(
        r"(?<![\d.])(?P<year>(?:19|20)\d{2})\s*(?P<sep>[-/.])\s*(?P<a>\d{1,2})\s*(?P=sep)\s*"
        r"(?P<b>\d{1,2})(?![\d.]*\d)"
    ),
    # Numeric, day first unless that cannot be: 05/11/1963, 5.11.1963, 05-11-63
    re.compile(
        r"(?<![\d.])(?P<a>\d{1,2})" + _SEP + r"(?P<b>\d{1,2})\s*(?P=sep)\s*'?"
        r"(?P<year>\d{4}|\d{2})(?![\d.]*\d)"
    ),
    # 14th Feb 1966, 3 march 1960, 14 of february, 1966
    re.compile(
        r"\b(?P<day>\d{1,2})" + _ORDINAL + r"\s*(?:of\s+)?(?P<month>" + MONTH_NAMES + r")"
        r"\s*,?\s*'?\s*(?P<year>\d{4}|\d{2})\b"
    ),
    # feb 14 1966, february 14th, 1966
    re.compile(
        r"\b(?P<month>" + MONTH_NAMES + r")\s+(?P<day>\d{1,2})" + _ORDINAL + r"\s*,?\s+'?\s*"
        r"(?P<year>\d{4}|\d{2})\b"
    ),
    # march 1971, feb '66 (a two-digit year needs the apostrophe: "may 12" is a day)
    re.compile(
        r"\b(?P<month>" + MONTH_NAMES + r")\s*,?\s+(?:of\s+)?(?:(?P<year>(?:19|20)\d{2})|"
        r"'\s*(?P<year2>\d{2}))\b"
    ),
)


@dataclass(frozen=True)
class DateMention:
    """A calendar date in the text; ``day`` may be unknown ("March 1971")."""

    year: int
    month: int
    day: int | None
    start: int
    end: int
    text: str


def find_dates(norm: str, this_year: int) -> list[DateMention]:
    """Every date written with at least a month and a year, in text order.

    Numeric dates are read day first ("05/11/1963" is 5 November), as Europeans write
    them, unless only the other order is a real date ("02/14/1966"). Two-digit years
    are the most recent such year not in the future.
    """
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(norm):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            mention = _date_of(match, this_year)
            if mention is not None:
                found.append(mention)
                taken.append((match.start(), match.end()))
    return sorted(found, key=lambda m: m.start)


def _date_of(match: re.Match[str], this_year: int) -> DateMention | None:
    groups = match.groupdict()
    year_text = groups.get("year") or groups.get("year2")
    assert year_text is not None
    year = int(year_text)
    if year < 100:
        year = two_digit_year(year, this_year)
    day: int | None
    if groups.get("month"):
        month, day = MONTHS[groups["month"]], int(groups["day"]) if groups.get("day") else None
    else:
        a, b = int(groups["a"]), int(groups["b"])
        if match.re is _DATE_PATTERNS[0] or b > 12:
            month, day = a, b  # ISO (year, month, day), or "02/14/1966" (US order)
        else:
            day, month = a, b
    try:
        date(year, month, day or 1)
    except ValueError:
        return None
    return DateMention(year, month, day, match.start(), match.end(), match.group())

"""Numbers as candidates type them: "52", "fifty-two", "a year and a half", "couple".

Everything here works on :attr:`Analysis.norm` (lower case, space-separated tokens).
"""

from __future__ import annotations

import re

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
    norm = _VAGUE.sub(lambda m: str(VAGUE[m.group()]), norm)
    norm = _TENS_UNITS.sub(
        lambda m: str(TENS[m.group("tens")] + UNITS.get(m.group("unit") or "zero", 0)), norm
    )
    norm = _UNITS.sub(lambda m: str(UNITS[m.group("unit")]), norm)
    norm = re.sub(r"\b(\d+)\s*-\s*(\d)\b", _hyphen_number, norm)
    return norm, vague


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

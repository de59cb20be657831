"""The date helpers shared by the age and duration parsers."""

from datetime import date

import pytest

from trialbot.parsing.duration import easter
from trialbot.parsing.numbers import find_dates, words_to_digits


@pytest.mark.parametrize(
    ("norm", "expected"),
    [
        ("05/11/1963", (1963, 11, 5)),  # day first
        ("5.11.1963", (1963, 11, 5)),
        ("05 - 11 - 63", (1963, 11, 5)),  # "05-11-63" in Analysis.norm
        ("20 - 5 - 1970", (1970, 5, 20)),
        ("02/14/1966", (1966, 2, 14)),  # only the US order is a date
        ("1966 - 02 - 14", (1966, 2, 14)),  # ISO
        ("14 th feb 1966", (1966, 2, 14)),
        ("feb 14 th , 1966", (1966, 2, 14)),
        ("3 march 1960", (1960, 3, 3)),
        ("born march 1971", (1971, 3, None)),
        ("march ' 23", (2023, 3, None)),
        ("since 12/03/2024", (2024, 3, 12)),
    ],
)
def test_find_dates(norm, expected):
    (found,) = find_dates(norm, 2026)
    assert (found.year, found.month, found.day) == expected


@pytest.mark.parametrize("norm", ["31/02/1970", "may 12", "2 levels", "13/13/1970", "l4 - l5"])
def test_no_date(norm):
    assert find_dates(norm, 2026) == []


def test_a_date_keeps_its_numbers_apart():
    # "20-5-1970" is a date, not "25 - 1970"; "twenty-two" is still 22.
    assert words_to_digits("20 - 5 - 1970")[0] == "20 - 5 - 1970"
    assert words_to_digits("twenty - two")[0] == "22"


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2024, date(2024, 3, 31)), (2025, date(2025, 4, 20)), (2026, date(2026, 4, 5))],
)
def test_easter(year, expected):
    assert easter(year) == expected

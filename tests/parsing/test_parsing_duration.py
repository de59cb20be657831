import pytest
from parsing_expect import DK, NU


def months(value, bound="exact", hedged=False):
    return ({"months": value, "bound": bound}, hedged)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a year and a half", months(18.0)),
        ("one and a half years", months(18.0)),
        ("1.5 years", months(18.0)),
        ("8 months", months(8.0)),
        ("6 months", months(6.0)),
        ("six mnths", months(6.0)),
        ("2 yrs", months(24.0)),
        ("2yrs", months(24.0)),
        ("half a year", months(6.0)),
        ("2 years and 3 months", months(27.0)),
        ("it started 4 months ago", months(4.0)),
        ("3 weeks", months(0.7)),
        ("10 days", months(0.3)),
        ("eighteen months or so", months(18.0, hedged=True)),
        ("about 2 years", months(24.0, hedged=True)),
        ("2-3 years", months(24.0, hedged=True)),
        ("2 or 3 years", months(24.0, hedged=True)),
        ("it may be 2 years", months(24.0, hedged=True)),
        ("6 months or more", months(6.0, "more_than")),
        ("for 3 years, but it got worse 6 months ago", months(36.0)),
        ("I think roughly 9 months", months(9.0, hedged=True)),
        ("a couple of weeks", months(0.5, hedged=True)),
        ("over a decade", months(120.0, "more_than")),
        ("more than 6 months", months(6.0, "more_than")),
        ("at least 3 years", months(36.0, "more_than")),
        ("6+ months", months(6.0, "more_than")),
        ("less than a year", months(12.0, "less_than")),
        ("not even 2 months", months(2.0, "less_than")),
        # dates: from the 1st of the month / the season's first month
        ("since March 2023", months(44.8)),
        ("since the summer of 2024", months(29.8)),
        ("since march", months(8.8)),
        # a year alone is a bound
        ("since 2019", months(82.8, "more_than")),
        ("since last year", months(10.7, "more_than")),
        ("since 2026", months(10.7, "less_than")),
        ("for years", months(24, "more_than", hedged=True)),
        ("since I was 30", NU),
        ("ages", NU),
        ("a long time", NU),
        ("8", NU),
        ("since 2031", NU),
        ("300 years", NU),
        ("don't know", DK),
        ("no idea", DK),
        ("banana", NU),
    ],
)
def test_duration(read, text, expected):
    assert read("duration", text) == expected

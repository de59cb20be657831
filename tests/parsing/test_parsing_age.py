import pytest
from parsing_expect import DK, NU


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("52", (52, False)),
        ("fifty-two", (52, False)),
        ("fifty two", (52, False)),
        ("I'm 52 years old", (52, False)),
        ("im 52", (52, False)),
        ("I turned 79 last month", (79, False)),
        ("52 yrs", (52, False)),
        ("52yo", (52, False)),
        ("I am 44 and have had back pain for 10 years", (44, False)),
        ("seventy", (70, False)),
        ("52, turning 53 next month", (52, False)),
        ("I'm over 70", (70, True)),
        ("about 60", (60, True)),
        ("I think I'm 61", (61, True)),
        # birth year only: the age reached this year, hedged (birthday unknown)
        ("born in 1971", (55, True)),
        ("1971", (55, True)),
        ("born in March 1971", (55, False)),
        ("born on 30 December 1971", (54, False)),
        ("born in '71", (55, True)),
        # decades: documented guesses, always hedged
        ("mid fifties", (55, True)),
        ("early sixties", (62, True)),
        ("late forties", (48, True)),
        ("in my seventies", (75, True)),
        ("I'd rather not say", DK),
        ("don't know", DK),
        ("200", NU),
        ("3", NU),
        ("born in 1850", NU),
        ("old enough", NU),
        ("52 or 53", NU),
        ("banana", NU),
        ("I have had pain for 2 years", NU),
    ],
)
def test_age(read, text, expected):
    assert read("age", text) == expected

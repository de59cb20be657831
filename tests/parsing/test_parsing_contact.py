from datetime import date

import pytest
from parsing_expect import DK, NU

from trialbot.parsing import parse
from trialbot.parsing.contact import parse_phone


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Jana Nováková", ("Jana Nováková", False)),
        ("  Tom   Smith  ", ("Tom Smith", False)),
        ("my name is Tom Smith", ("Tom Smith", False)),
        ("I'm Mary-Jane O'Neil", ("Mary-Jane O'Neil", False)),
        ("it's Petr", ("Petr", False)),
        ("Hi, my name is Eva.", ("Eva", False)),
        ("Jo", ("Jo", False)),
        ("José Álvarez-Núñez", ("José Álvarez-Núñez", False)),
        ("I'd rather not say", DK),
        ("J", NU),
        ("Tom123", NU),
        ("<img src=x onerror=alert(1)>", NU),
        ("http://spam.example.com", NU),
        ("'; DROP TABLE answers;--", NU),
        ("😀😀", NU),
        ("a" * 101, NU),
    ],
)
def test_name(read, text, expected):
    assert read("name", text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Tom123", "numbers"),
        ("J", "at least two letters"),
        ("<b>Tom</b>", "doesn't look like a name"),
    ],
)
def test_name_problem_is_explained(text, problem):
    assert problem in (parse("name", text).problem or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+420 601 123 456", "+420601123456"),
        ("+420601123456", "+420601123456"),
        ("00420601123456", "+420601123456"),
        ("00420 601 123 456", "+420601123456"),
        ("601 123 456", "+420601123456"),
        ("601-123-456", "+420601123456"),
        ("420601123456", "+420601123456"),
        ("my number is 601 123 456", "+420601123456"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+44 (0)20 7946 0958", "+442079460958"),
        ("+44 7700 900123", "+447700900123"),
        ("+1 (202) 555-0143", "+12025550143"),
        ("+49 30 1234567", "+49301234567"),
    ],
)
def test_phone_accepted(read, text, expected):
    assert read("phone", text) == (expected, False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("123", "too short"),
        ("601 123", "too short"),
        ("+420 601 123", "too short"),
        ("601 123 456 789 012 345", "too long"),
        ("+420 601 123 456 789", "too long"),
        ("call me maybe", "only have digits"),
        ("601 12E 456", "only have digits"),
        ("0601123456", "too long"),
    ],
)
def test_phone_rejected_with_reason(text, problem):
    parsed = parse("phone", text)
    assert not parsed.understood
    assert problem in (parsed.problem or "")


def test_phone_default_region_is_configurable():
    parsed = parse_phone("020 7946 0958", date(2026, 11, 24), region="GB")
    assert parsed.value == "+442079460958"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jana@seznam.cz", ("jana@seznam.cz", False)),
        ("my email is Jana.Novak@Seznam.CZ", ("Jana.Novak@seznam.cz", False)),
        ("e-mail: tom+trial@example.co.uk", ("tom+trial@example.co.uk", False)),
        ("<eva@example.org>", ("eva@example.org", False)),
        ("jana@seznam.cz.", ("jana@seznam.cz", False)),
        ("I'd rather not say", DK),
    ],
)
def test_email_accepted(read, text, expected):
    assert read("email", text) == expected


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("jana@", "missing the part after the @"),
        ("@seznam.cz", "missing the part before the @"),
        ("jana novak@seznam.cz", "spaces"),
        ("jana.seznam.cz", "one @"),
        ("jana@@seznam.cz", "one @"),
        ("jana@seznam", "needs a dot"),
        ("jana@seznam.c", "doesn't look right"),
        ("jana@-seznam.cz", "doesn't look right"),
        ("jana..novak@seznam.cz", "characters"),
        ("<script>@x.cz", "characters"),
    ],
)
def test_email_rejected_with_reason(text, problem):
    parsed = parse("email", text)
    assert not parsed.understood
    assert problem in (parsed.problem or "")

from datetime import date

import pytest
from parsing_expect import NU

from trialbot import conversation
from trialbot.parsing import parse
from trialbot.parsing.contact import SKIPPED, parse_phone


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
        ("I'd rather not say", NU),  # a name is needed for the handoff
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
        ("use my email", SKIPPED),
        ("email is fine", SKIPPED),
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
        ("0601123456", "country code"),  # no Czech number starts with 0
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
        ("I'd rather not say", (SKIPPED, False)),
        ("use my phone", (SKIPPED, False)),
        ("phone is fine", (SKIPPED, False)),
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


def test_skipped_is_the_conversations_value():
    assert SKIPPED == conversation.SKIPPED


# --- names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mrs Dvořáková", "Mrs Dvořáková"),  # titles are kept as typed
        ("Dr. Petr Svoboda", "Dr. Petr Svoboda"),
        ("Mrs. J. Dvořáková", "Mrs. J. Dvořáková"),
        ("jan novak", "Jan Novak"),  # all lower case: title-cased
        ("PETR NOVÁK", "Petr Novák"),  # all capitals too
        ("anna-marie o'neil", "Anna-Marie O'Neil"),
        ("anna van der berg", "Anna van der Berg"),
        ("Anna van der Berg", "Anna van der Berg"),  # the candidate's own capitals
        ("Anna-Marie O'Neil", "Anna-Marie O'Neil"),
        ("Ľubomír Šťastný", "Ľubomír Šťastný"),
        ("Čtvrtník", "Čtvrtník"),  # consonant clusters are not a keyboard mash
        ("it's Jana", "Jana"),
        ("my name is Eva Nováková", "Eva Nováková"),
        ("Name: Václav Havel", "Václav Havel"),
        ("call me Tom", "Tom"),
        ("just Karel please", "Karel"),
        ("Karel here", "Karel"),
        ("for my mum: Marie Kovářová", "Marie Kovářová"),
        ("Hi, it's for my mum, her name is Marie Kovářová", "Marie Kovářová"),
        # remarks after the name are dropped
        ("Miroslav Novotný, please call after 5", "Miroslav Novotný"),
        ("John Smith, 07911 123456", "John Smith"),
        ("Jana Nováková (Mrs)", "Jana Nováková"),
        ("Elizabeth Taylor but Liz is fine", "Elizabeth Taylor"),
    ],
)
def test_name_read(read, text, expected):
    assert read("name", text) == (expected, False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("skip", "needs a name"),
        ("rather not", "needs a name"),
        ("not telling", "needs a name"),
        ("I'd rather not say", "needs a name"),
        ("no", "needs a name"),
        ("no idea", "doesn't look like a name"),
        ("why do you need it", "doesn't look like a name"),
        ("I don't know", "doesn't look like a name"),
        ("yes", "doesn't look like a name"),
        ("hello", "doesn't look like a name"),
        ("bla bla", "doesn't look like a name"),
        ("my back hurts", "doesn't look like a name"),
        ("physio and pills", "doesn't look like a name"),
        ("anonymous", "doesn't look like a name"),
        ("asdfgh", "doesn't look like a name"),
        ("Fifty-seven", "doesn't look like a name"),  # answers to other questions
        ("paracetamol every day", "doesn't look like a name"),
        ("phone only please", "doesn't look like a name"),
        ("123", "numbers"),
        ("since 2019", "numbers"),
        ("eva@example.org", "e-mail address"),
        ("+420 603 111 222", "phone number"),
        ("Jana Marie Anna Eva Nováková Svobodová", "more than a name"),
    ],
)
def test_not_a_name(text, problem):
    parsed = parse("name", text)
    assert not parsed.understood
    assert problem in (parsed.problem or "")


# --- phone numbers -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+420 603 111 222", "+420603111222"),
        ("00420603111222", "+420603111222"),
        ("603 111 222", "+420603111222"),  # Czech by default
        ("(+420) 603 111 222", "+420603111222"),
        ("+420 6O3 111 222", "+420603111222"),  # letter O for zero
        ("+421 905 123 456", "+421905123456"),
        ("0905 123 456", "+421905123456"),  # Slovak mobile, national form
        ("+49 151 23456789", "+4915123456789"),
        ("0151 23456789", "+4915123456789"),  # German mobile
        ("0049 151 23456789", "+4915123456789"),
        ("+49 (0)151 2345 6789", "+4915123456789"),
        ("+43 664 1234567", "+436641234567"),
        ("0664 1234567", "+436641234567"),  # Austrian mobile
        ("07911 123456", "+447911123456"),  # UK mobile
        ("+44 7911 123456", "+447911123456"),
        ("(555) 201-4567", "+15552014567"),  # US, without the country code
        ("555-201-4567", "+15552014567"),
        ("+1 555 201 4567", "+15552014567"),
        ("1-555-201-4567", "+15552014567"),
        # remarks around the number are ignored; of two numbers the first counts
        ("+420 603 111 222, please call in the mornings", "+420603111222"),
        ("603111222 (after 5pm)", "+420603111222"),
        ("my mobile is 0905 123 456 thanks", "+421905123456"),
        ("you can reach me at 731 222 333", "+420731222333"),
        ("tel: +421 915 222 333, večer", "+421915222333"),
        ("(212) 555-0147, cell, text is fine", "+12125550147"),
        ("603 111 222, I don't have email", "+420603111222"),
        ("+420 603 111 222 or 777 123 456", "+420603111222"),
        ("603 111 222 / 777 123 456", "+420603111222"),
    ],
)
def test_phone_read(read, text, expected):
    assert read("phone", text) == (expected, False)


@pytest.mark.parametrize(
    "text",
    [
        "I don't have a phone",
        "no phone",
        "skip",
        "Skip.",
        "email only",
        "prefer email",
        "e-mail is better",
        "no thanks, just email me",
        "not telling you",
        "I'd rather not give my number",
        "don't have one",
        "no",
    ],
)
def test_phone_skipped(read, text):
    assert read("phone", text) == (SKIPPED, False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("call me", "only have digits"),
        ("Jana Dvořáková", "only have digits"),
        ("jana@example.com", "only have digits"),
        ("I'm 48", "too short"),
        ("12345678", "too short"),
        ("since 2019", "too short"),
        ("+420 603 111 22", "too short"),
        ("0961 234 567", "country code"),  # Ukrainian or Slovak: ask
        ("020 7946 0958", "country code"),
    ],
)
def test_not_a_phone_number(text, problem):
    parsed = parse("phone", text)
    assert not parsed.understood
    assert problem in (parsed.problem or "")


# --- e-mail addresses ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("jana.novak@example.com", "jana.novak@example.com"),
        ("JANA@Example.COM", "JANA@example.com"),  # the local part is kept as typed
        ("my email is eva at example dot org", "eva@example.org"),
        ("petr at gmail dot com", "petr@gmail.com"),
        ("eva dot novak (at) example dot co dot uk", "eva.novak@example.co.uk"),
        ("you can reach me at eva at example dot org", "eva@example.org"),
        ("petr @ gmail.com", "petr@gmail.com"),
        ("eva@example.org please", "eva@example.org"),
        ("jana@seznam.cz or jana@gmail.com", "jana@seznam.cz"),
        ("mike.jones@comcast.net - best way to reach me", "mike.jones@comcast.net"),
        ("you can write to jana@seznam.cz anytime", "jana@seznam.cz"),
        ("ondra.vesely@seznam.cz, no phone please", "ondra.vesely@seznam.cz"),
        ("email: jana@seznam.cz, phone 603111222", "jana@seznam.cz"),
        ("l.cerna@uvn.cz (work)", "l.cerna@uvn.cz"),
        ("jane.doe@icloud.com!", "jane.doe@icloud.com"),
        ("Lucie.Cerna@Seznam.cz is fine", "Lucie.Cerna@seznam.cz"),
    ],
)
def test_email_read(read, text, expected):
    assert read("email", text) == (expected, False)


@pytest.mark.parametrize(
    "text",
    [
        "I don't have e-mail",
        "no email",
        "no e-mail",
        "don't use email",
        "I'm not on email",
        "no",
        "none",
        "skip",
        "rather not",
        "phone only",
        "phone is better",
        "I'd prefer phone",
        "no thanks, call me instead",
        "haven't got one",
    ],
)
def test_email_skipped(read, text):
    assert read("email", text) == (SKIPPED, False)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("my email is on my phone", "one @"),
        ("I'm at home", "one @"),
        ("gmail", "one @"),
        ("why?", "one @"),
        ("+420 603 111 222", "phone number"),
        ("petr@gmail", "needs a dot"),
        ("jana novak@seznam.cz", "spaces"),
    ],
)
def test_not_an_email(text, problem):
    parsed = parse("email", text)
    assert not parsed.understood
    assert problem in (parsed.problem or "")

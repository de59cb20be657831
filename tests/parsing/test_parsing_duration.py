from datetime import date

import pytest
from parsing_expect import DK, NU, TODAY, outcome

from trialbot.parsing import parse
from trialbot.parsing.duration import parse_duration


def months(value, bound="exact", hedged=False, to=None):
    return ({"months": value, "bound": bound} | ({} if to is None else {"to": to}), hedged)


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
        ("2-3 years", months(24.0, hedged=True, to=36.0)),
        ("2 or 3 years", months(24.0, hedged=True, to=36.0)),
        ("it may be 2 years", months(24.0, hedged=True)),
        ("6 months or more", months(6.0, "more_than")),
        ("for 3 years, but it got worse 6 months ago", months(36.0)),
        ("I think roughly 9 months", months(9.0, hedged=True)),
        ("a couple of weeks", months(0.5, hedged=True)),
        ("over a decade", months(120.0, "more_than")),
        ("more than 6 months", months(6.0, "more_than")),
        ("at least 3 years", months(36.0, "more_than")),
        # the unit first, then a bare number: "years, at least 6" counts years
        ("years, at least 6", months(72.0, "more_than")),
        ("years, at least six", months(72.0, "more_than")),
        ("months, maybe 8", months(8.0, hedged=True)),
        ("6+ months", months(6.0, "more_than")),
        ("less than a year", months(12.0, "less_than")),
        ("not even 2 months", months(2.0, "less_than")),
        # a bound after the figure: "or less", "maybe less", "at most"; "no more than"
        ("a year or less", months(12.0, "less_than")),
        ("maybe a year or maybe less", months(12.0, "less_than", hedged=True)),
        ("a year or so, maybe less", months(12.0, "less_than", hedged=True)),
        ("8 months at most", months(8.0, "less_than")),
        ("no more than a year", months(12.0, "less_than")),
        ("not more than 4 months", months(4.0, "less_than")),
        ("a year or maybe more", months(12.0, "more_than", hedged=True)),
        # a figure taken back within the answer: the corrected one counts
        ("half a year. no wait, more like 9 months", months(9.0, hedged=True)),
        ("3 months. no, 3 years", months(36.0)),
        ("5 months, sorry, I mean 15 months", months(15.0)),
        # ... but not a later event that opens with other words
        ("2 years, I mean it got worse 6 months ago", months(24.0)),
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


# TODAY is 24 November 2026; Easter 2026 was 5 April, Easter 2024 31 March.
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # events everyone dates
        ("since the pandemic started", months(80.8)),
        ("since lockdown", months(80.8)),
        ("since covid", months(80.8, hedged=True)),  # or since they had covid
        ("since christmas", months(11.0)),
        ("since last christmas", months(11.0)),
        ("since Xmas 2023", months(35.0)),
        ("since Easter", months(7.7)),
        ("since Easter two years ago", months(31.8)),
        ("since new year", months(10.7)),
        # calendar dates
        ("since summer 2023", months(41.8)),
        ("since fall of '23", months(38.8)),
        ("since the spring", months(8.8)),
        ("since last spring", months(8.8)),
        ("since jan", months(10.7)),
        # the year said after the month or season wins
        ("since august last year", months(15.8)),
        ("since the summer last year", months(17.8)),
        ("in may this year", months(6.8)),
        ("since 12/03/2024", months(32.4)),  # 12 March: day first
        ("since 2019", months(82.8, "more_than")),
        ("since my accident in 2018", months(94.7, "more_than")),
        ("since last month", months(1.0, hedged=True)),
        # life events, counted with the number given
        ("since my son was born, he's 9 now", months(108.0, hedged=True)),
        ("since I was pregnant with my daughter, she's 4", months(48.0, hedged=True)),
        # "when"/"after" a birth too; "hes" without its apostrophe
        ("it started when my son was born and hes 6 now", months(72.0, hedged=True)),
        ("after my daughter was born, shes 4", months(48.0, hedged=True)),
        ("it began when I had my first baby and she is 3 now", months(36.0, hedged=True)),
        ("worse when i carry my son, he's 4", NU),
        # a span said outright wins over the child's age
        (
            "worse after i had my son, he is 3, but the pain started 10 years ago",
            months(120.0),
        ),
        ("since I retired 3 years ago", months(36.0)),
        ("im 45, since i was 30", months(180.0, hedged=True)),
        ("since i was 30 years old, i'm 45 now", months(180.0, hedged=True)),
        # a span said outright wins over "since I was N"
        (
            "since i was 15 so about 3 years, it started in gymnastics",
            months(36.0, hedged=True),
        ),
        ("since i was 30, for about 15 years", months(180.0, hedged=True)),
        ("I'm 50 and it started when I was 48", months(24.0, hedged=True)),
        ("since my daughter was born", NU),
    ],
)
def test_duration_from_a_date_or_event(read, text, expected):
    assert read("duration", text) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # a season said in its first month is the one before; later, the current one
        ("since the winter", date(2026, 12, 2), months(12.0)),
        ("since winter", date(2027, 1, 15), months(1.5)),
        ("since the summer", date(2026, 6, 3), months(12.1)),
        # a month is taken as said, even in that month
        ("since december", date(2026, 12, 2), months(0.0)),
    ],
)
def test_duration_season_said_in_its_first_month(text, today, expected):
    assert outcome(parse("duration", text, today=today)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for a year or two", months(12.0, hedged=True, to=24.0)),
        ("a month or two", months(1.0, hedged=True, to=2.0)),
        ("donkeys years", months(24, "more_than", hedged=True)),
        ("donkey's years", months(24, "more_than", hedged=True)),
        ("years and years", months(24, "more_than", hedged=True)),
        ("most of my adult life", months(24, "more_than", hedged=True)),
        ("since I was a teenager", months(24, "more_than", hedged=True)),
        ("for ages, like 10 yrs", months(120.0, hedged=True)),
        ("on and off for 20 years", months(240.0)),
        ("on and off for about 8 years", months(96.0, hedged=True)),
        ("a few months", months(3.0, hedged=True)),
        ("a couple of months", months(2.0, hedged=True)),
        ("few weeks", months(0.7, hedged=True)),
        ("half a year", months(6.0)),
        ("6 months", months(6.0)),
        ("just over 6 months", months(6.0, "more_than")),
        ("nearly a year", months(12.0, hedged=True)),
        ("for the past 2 years", months(24.0)),
        ("in the last 2 months", months(2.0, "less_than")),
        ("since he was a teenager", months(24, "more_than", hedged=True)),
        ("since my early twenties", months(24, "more_than", hedged=True)),
        ("it's been years", months(24, "more_than", hedged=True)),
        ("since the start of the year", months(10.7)),
        ("it comes and goes, i couldn't tell you how long", DK),
    ],
)
def test_duration_in_everyday_words(read, text, expected):
    assert read("duration", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a number dating a procedure is not the pain's duration
        ("the MRI 2 years ago showed worn discs", NU),
        ("No reason, I had the scan with the injection 2 years ago", NU),
        ("had an operation 5 years ago", NU),
        ("I had 3 injections over 2 years", NU),
        ("physio twice a week for 6 weeks", NU),
        # ... unless the pain's own duration is said too, or counted from it
        ("pain for 3 years, MRI last year showed a bulging disc", months(36.0)),
        ("my back has hurt for 5 years and the x-ray 2 years ago was normal", months(60.0)),
        ("ever since my hernia op in 2018", months(94.7, "more_than")),
        # frequencies are not durations
        ("twice a week", NU),
        ("8 hours a day", NU),
        ("every 2 weeks", NU),
        # answers to other questions
        ("physio and pills", NU),
        ("I'm 62", NU),
        ("62 years old", NU),
        ("born in 1966", NU),
        ("2 levels", NU),
        ("L4-L5", NU),
        ("above the knee", NU),
        ("yes", NU),
        # pain that went away and came back: the current episode, hedged
        (
            "I had it for 2 years then it went away and came back 3 months ago",
            months(3.0, hedged=True),
        ),
        ("had it years ago, it cleared up, but it returned in march", months(8.8, hedged=True)),
    ],
)
def test_duration_is_the_pains_own(read, text, expected):
    assert read("duration", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # answers about age or birth
        ("I'll be 18 in March", NU),
        ("I'm 75, 76 in march", NU),
        ("just turned 18 last week", NU),
        ("I'm 80 years young!", NU),
        ("05/11/1963", NU),  # a bare date this long ago is a date of birth
        ("Nov 1970", NU),
        ("1945", NU),
        ("b. 1980", NU),
        ("nar. 5.11.1963", NU),
        ("since 1980", months(550.7, "more_than")),  # ... unless "since" says otherwise
        ("March 2023", months(44.8)),  # a recent bare date is the pain's start
        # how long a treatment helped, or the pain was away
        ("steroid injections x3, each one lasted a few weeks", NU),
        ("yoga fixed it, I've been fine for a year", NU),
        ("pain came back after 6 months", NU),
        ("not anymore, it went away last year", NU),
        ("it's better now but I've had it for 2 years", months(24.0)),
        ("I was fine until 2 years ago", months(24.0)),
        ("it hasn't stopped for 2 years", months(24.0)),
        # other questions
        ("I'm 12 weeks pregnant", NU),
        ("a tumour on my spine, removed in 2018", NU),
        ("yeah, 24/7", NU),
    ],
)
def test_duration_not_read_from_other_answers(read, text, expected):
    assert read("duration", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2y", months(24.0)),
        ("1.5y", months(18.0)),
        ("18m", months(18.0)),
        ("1,5 years", months(18.0)),  # a decimal comma
        ("0,5 years", months(6.0)),
        ("a year and half", months(18.0)),
        ("since 2 and half years", months(30.0)),
        ("a little more than half year", months(6.0, "more_than")),
        ("half year", months(6.0)),
        # learner English for an age is not how long the pain has lasted
        ("i have 54 years", NU),
        ("i have 45 years, pain is since 3 years", months(36.0)),
        ("i have it 4 years", months(48.0)),
    ],
)
def test_duration_in_learner_and_short_words(read, text, expected):
    assert read("duration", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("For the better part of a decade.", months(60.0, "more_than", hedged=True)),
        ("since like forever lol", months(24, "more_than", hedged=True)),
        ("more as one year", months(12.0, "more_than")),
    ],
)
def test_duration_loosely_said(read, text, expected):
    assert read("duration", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # two numbers side by side are a range: its lower end, hedged
        ("six seven months", months(6.0, hedged=True, to=7.0)),
        ("six, seven months", months(6.0, hedged=True, to=7.0)),
        ("6/7 months", months(6.0, hedged=True, to=7.0)),
        ("6, 7 months", months(6.0, hedged=True, to=7.0)),
        ("2 maybe 3 years", months(24.0, hedged=True, to=36.0)),
        ("six or seven months i think", months(6.0, hedged=True, to=7.0)),
        # a decimal comma has no space after it
        ("6,7 months", months(6.7)),
        # "not less than" is a lower bound
        ("not less than a year, more like 3", months(12.0, "more_than", hedged=True)),
        ("no less than 2 years", months(24.0, "more_than")),
        ("not under a year", months(12.0, "more_than")),
        ("no shorter than 8 months", months(8.0, "more_than")),
        # a birthday is an age to count from
        ("im 53, it started after my 50th birthday", months(36.0, hedged=True)),
        ("I'm 53 and it's been since I turned 50", months(36.0, hedged=True)),
        ("it started after my 50th birthday", NU),
    ],
)
def test_duration_ranges_bounds_and_birthdays(read, text, expected):
    assert read("duration", text) == expected


def test_duration_counts_from_an_age_the_caller_knows():
    said = parse_duration("it started after my 50th birthday", TODAY, age=53)
    assert outcome(said) == months(36.0, hedged=True)
    assert outcome(parse_duration("since I was 30", TODAY, age=29)) == NU


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "before last": the one before the last one (said on 24 November 2026)
        ("the winter before last", months(23.8)),
        ("since the summer before last", months(17.8)),
        ("since march before last", months(20.8)),
        # nearly there: hedged, not an upper bound
        ("coming up to a year", months(12.0, hedged=True)),
        ("close to 6 months", months(6.0, hedged=True)),
        ("going on 2 years", months(24.0, hedged=True)),
        ("its been going on for 5 months", months(5.0)),
        ("half my life", months(24, "more_than", hedged=True)),
    ],
)
def test_duration_before_last_and_nearly(read, text, expected):
    assert read("duration", text) == expected


def test_a_birthday_is_dated_by_the_age_already_given():
    """ "it started after my 50th birthday", said by someone who gave 53 as their age: three
    years (hedged: the birthday's date is not said); without the age it is not known."""
    from datetime import date

    from trialbot.parsing import parse

    today = date(2026, 12, 1)
    text = "it started after my 50th birthday"
    reading = parse("duration", text, today=today, age=53)
    assert reading.value == {"months": 36.0, "bound": "exact"} and reading.hedged
    assert not parse("duration", text, today=today).understood
    assert parse("age", "53", today=today, age=40).value == 53  # others ignore it

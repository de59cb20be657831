"""A duration said as a range ("six or seven months") keeps both ends, and the criterion
"pain for more than 6 months" is decided only where both ends agree: from the parser
through the engine to what the interview says back."""

from __future__ import annotations

from datetime import date

import pytest
from interview_helpers import TRIAL, Talk

from trialbot.answers import Parsed
from trialbot.criteria import Condition
from trialbot.engine import _condition_verdict
from trialbot.parsing import parse
from trialbot.verdicts import Answer, Verdict

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("six or seven months", 6, 7),
        ("6-7 months", 6, 7),
        ("six seven months", 6, 7),
        ("a year or two", 12, 24),
        ("2 or 3 years", 24, 36),
        ("4 or 5 months", 4, 5),
        ("hard to say, somewhere between a few months and a year", 3, 12),
        ("between 2 and 3 years", 24, 36),
        ("between 6 months and 2 years", 6, 24),
        ("like i said, years. 6 or 7", 72, 84),
        ("months. 8-9", 8, 9),
    ],
)
def test_a_range_keeps_its_upper_end(text: str, low: float, high: float) -> None:
    reading = parse("duration", text, today=TODAY)
    assert reading.value == {"months": low, "bound": "exact", "to": high}
    assert reading.hedged


@pytest.mark.parametrize(
    "text",
    [
        "about 8 months",
        "since 2019",
        "over 2 or 3 years",
        "5 months",
        "2 years. 6 or 7 physio sessions",
    ],
)
def test_a_single_figure_has_no_upper_end(text: str) -> None:
    assert "to" not in parse("duration", text, today=TODAY).value


def _verdict(value: dict, hedged: bool = False) -> Verdict:
    condition = next(
        c for criterion in TRIAL.criteria for c in criterion.rule if c.check == "duration_over"
    )
    assert isinstance(condition, Condition) and condition.months == 6
    answer = Answer("pain_duration", "said", Parsed(True, value, hedged=hedged))
    return _condition_verdict(condition, answer)


@pytest.mark.parametrize(
    ("value", "hedged", "verdict"),
    [
        ({"months": 6, "bound": "exact", "to": 7}, False, Verdict.UNKNOWN),  # one end each side
        ({"months": 7, "bound": "exact", "to": 9}, False, Verdict.PASS),  # both over
        ({"months": 4, "bound": "exact", "to": 5}, False, Verdict.FAIL),  # both under, sure
        ({"months": 4, "bound": "exact", "to": 5}, True, Verdict.UNKNOWN),  # within the margin
        ({"months": 1, "bound": "exact", "to": 2}, True, Verdict.FAIL),  # beyond it
        ({"months": 6, "bound": "exact"}, False, Verdict.FAIL),  # no range: as before
    ],
)
def test_the_criterion_is_decided_only_where_both_ends_agree(
    value: dict, hedged: bool, verdict: Verdict
) -> None:
    assert _verdict(value, hedged) is verdict


def test_six_or_seven_months_is_left_for_the_team_without_a_confirmation() -> None:
    talk = Talk()
    talk.start()
    for question in ("age", "low_back_pain", "radicular_pain"):
        talk.say(
            {"age": "52", "low_back_pain": "yes", "radicular_pain": "stays in my back"}[question]
        )
    assert talk.pending == "pain_duration"
    talk.say("six or seven months")
    assert talk.pending != "confirm", talk.text()
    assert talk.value("pain_duration") == {"months": 6, "bound": "exact", "to": 7}
    assert talk.answers["pain_duration"].parsed.hedged


def test_a_range_under_the_limit_is_said_back_as_a_range() -> None:
    talk = Talk()
    talk.start()
    for text in ("52", "yes", "stays in my back"):
        talk.say(text)
    talk.say("4 or 5 months")
    assert talk.pending == "confirm"
    assert "between 4 months and 5 months" in talk.text()


def test_a_birthday_is_dated_by_the_age_the_candidate_gave() -> None:
    """fresh4 m10: "it started after my 50th birthday", from someone who said 53."""
    talk = Talk()
    talk.start()
    for text in ("53", "yes", "stays in my back"):
        talk.say(text)
    assert talk.pending == "pain_duration"
    talk.say("it started after my 50th birthday")
    assert talk.value("pain_duration") == {"months": 36.0, "bound": "exact"}

"""The eligibility engine, read as a spine clinician reads the SPINUS II registry text."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from trialbot import checks, criteria, engine
from trialbot.answers import Parsed
from trialbot.criteria import Condition, UnknownQuestion, load_trial
from trialbot.engine import _condition_verdict, evaluate, next_question
from trialbot.verdicts import Answer, Outcome, Verdict

TRIAL = load_trial(Path(__file__).resolve().parent.parent / "criteria" / "spinus2.yml")

# An eligible candidate, as normalized answers (question id -> value).
ELIGIBLE: dict[str, Any] = {
    "consent": "yes",
    "age": 52,
    "low_back_pain": "yes",
    "radicular_pain": "above_knee",
    "pain_duration": {"months": 18.0, "bound": "exact"},
    "conservative_care": {"tried": ["physiotherapy", "medication"], "relief": "none"},
    "spinal_pathology": {"conditions": [], "other": []},
    "spect_intolerance": "no",
    "mri": {"had": "yes", "findings": ["degenerated_disc"]},
    "spect_ct": {"had": "yes", "levels": 2, "positive": True},
}


def answers(values: dict[str, Any], hedged: frozenset[str] = frozenset()) -> dict[str, Answer]:
    return {
        qid: Answer(qid, f"words for {qid}", Parsed(True, value, hedged=qid in hedged))
        for qid, value in values.items()
    }


def with_(**changes: Any) -> dict[str, Any]:
    values = dict(ELIGIBLE)
    for key, value in changes.items():
        if value is DROP:
            values.pop(key)
        else:
            values[key] = value
    return values


DROP = object()


def test_every_criterion_passes_for_the_eligible_candidate() -> None:
    evaluation = evaluate(TRIAL, answers(ELIGIBLE))
    assert evaluation.outcome is Outcome.LIKELY_ELIGIBLE
    assert set(evaluation.verdicts().values()) == {"pass"}
    assert evaluation.next_question is None
    assert evaluation.results["inc_age"].reason == "Age 52 is within the study's range of 18 to 75."
    assert evaluation.results["inc_age"].evidence == ("words for age",)


@pytest.mark.parametrize(
    ("changes", "criterion", "verdict"),
    [
        # Age 18–75 inclusive.
        ({"age": 17}, "inc_age", "fail"),
        ({"age": 18}, "inc_age", "pass"),
        ({"age": 75}, "inc_age", "pass"),
        ({"age": 76}, "inc_age", "fail"),
        # Radicular pain is pain below the knee; buttock, groin, thigh alone is allowed.
        ({"radicular_pain": "below_knee"}, "inc_low_back_pain", "fail"),
        ({"radicular_pain": "none"}, "inc_low_back_pain", "pass"),
        ({"radicular_pain": "leg_unspecified"}, "inc_low_back_pain", "unknown"),
        ({"low_back_pain": "no"}, "inc_low_back_pain", "fail"),
        # More than six months: exactly six is not over six; "over six" is.
        (
            {"pain_duration": {"months": 6.0, "bound": "exact"}},
            "inc_chronic_failed_conservative",
            "fail",
        ),
        (
            {"pain_duration": {"months": 6.0, "bound": "more_than"}},
            "inc_chronic_failed_conservative",
            "pass",
        ),
        (
            {"pain_duration": {"months": 6.5, "bound": "exact"}},
            "inc_chronic_failed_conservative",
            "pass",
        ),
        (
            {"pain_duration": {"months": 0.5, "bound": "exact"}},
            "inc_chronic_failed_conservative",
            "fail",
        ),
        (
            {"pain_duration": {"months": 12.0, "bound": "less_than"}},
            "inc_chronic_failed_conservative",
            "unknown",
        ),
        (
            {"pain_duration": {"months": 4.0, "bound": "less_than"}},
            "inc_chronic_failed_conservative",
            "fail",
        ),
        # Conservative management must have been tried without lasting relief.
        (
            {"conservative_care": {"tried": [], "relief": None}},
            "inc_chronic_failed_conservative",
            "fail",
        ),
        (
            {"conservative_care": {"tried": ["injections"], "relief": "temporary"}},
            "inc_chronic_failed_conservative",
            "pass",
        ),
        (
            {"conservative_care": {"tried": ["physiotherapy"], "relief": "lasting"}},
            "inc_chronic_failed_conservative",
            "fail",
        ),
        (
            {"conservative_care": {"tried": ["exercise"], "relief": None}},
            "inc_chronic_failed_conservative",
            "pass",
        ),
        # MRI: normal fails; never had one is unknown.
        ({"mri": {"had": "yes", "findings": ["normal"]}}, "inc_mri_degeneration", "fail"),
        ({"mri": {"had": "no", "findings": []}}, "inc_mri_degeneration", "unknown"),
        ({"mri": {"had": "yes", "findings": []}}, "inc_mri_degeneration", "unknown"),
        (
            {"mri": {"had": "yes", "findings": ["facet_arthropathy"]}},
            "inc_mri_degeneration",
            "pass",
        ),
        (
            {"mri": {"had": "yes", "findings": ["herniated_disc"]}},
            "inc_mri_degeneration",
            "unknown",
        ),
        # SPECT/CT: one level fails, two or more pass, none had is unknown.
        (
            {"spect_ct": {"had": "yes", "levels": 1, "positive": True}},
            "inc_spect_ct_multilevel",
            "fail",
        ),
        (
            {"spect_ct": {"had": "yes", "levels": 3, "positive": True}},
            "inc_spect_ct_multilevel",
            "pass",
        ),
        (
            {"spect_ct": {"had": "yes", "levels": 0, "positive": False}},
            "inc_spect_ct_multilevel",
            "fail",
        ),
        (
            {"spect_ct": {"had": "no", "levels": None, "positive": None}},
            "inc_spect_ct_multilevel",
            "unknown",
        ),
        # Exclusions: each named pathology excludes; a herniated disc alone does not.
        (
            {"spinal_pathology": {"conditions": ["spondylolisthesis"], "other": []}},
            "exc_spinal_pathology",
            "fail",
        ),
        (
            {"spinal_pathology": {"conditions": ["tumour"], "other": []}},
            "exc_spinal_pathology",
            "fail",
        ),
        (
            {"spinal_pathology": {"conditions": ["spondylolysis"], "other": []}},
            "exc_spinal_pathology",
            "fail",
        ),
        (
            {"spinal_pathology": {"conditions": ["congenital_defect"], "other": []}},
            "exc_spinal_pathology",
            "fail",
        ),
        (
            {"spinal_pathology": {"conditions": [], "other": ["herniated_disc"]}},
            "exc_spinal_pathology",
            "pass",
        ),
        ({"spect_intolerance": "yes"}, "exc_spect_intolerance", "fail"),
        ({"spect_intolerance": None}, "exc_spect_intolerance", "unknown"),
    ],
)
def test_criterion_verdicts(changes: dict[str, Any], criterion: str, verdict: str) -> None:
    evaluation = evaluate(TRIAL, answers(with_(**changes)))
    assert evaluation.results[criterion].verdict.value == verdict
    if verdict == "fail":
        assert evaluation.outcome is Outcome.NOT_ELIGIBLE
        assert evaluation.next_question is None


def test_failure_reason_quotes_the_candidates_words() -> None:
    given = answers(with_(pain_duration={"months": 4.0, "bound": "exact"}))
    given["pain_duration"] = Answer("pain_duration", "only 4 months", given["pain_duration"].parsed)
    result = evaluate(TRIAL, given).results["inc_chronic_failed_conservative"]
    assert result.verdict is Verdict.FAIL
    assert "more than 6 months" in result.reason
    assert "“only 4 months”" in result.reason
    assert result.evidence == ("only 4 months",)


def test_a_hedged_answer_never_excludes_but_leaves_the_criterion_unknown() -> None:
    evaluation = evaluate(
        TRIAL, answers(with_(spect_intolerance="yes"), hedged=frozenset({"spect_intolerance"}))
    )
    assert evaluation.results["exc_spect_intolerance"].verdict is Verdict.UNKNOWN
    assert evaluation.outcome is Outcome.POSSIBLY_ELIGIBLE


def test_a_hedged_answer_that_passes_still_passes() -> None:
    evaluation = evaluate(TRIAL, answers(ELIGIBLE, hedged=frozenset({"age"})))
    assert evaluation.results["inc_age"].verdict is Verdict.PASS


def test_unknown_imaging_alone_is_still_likely_eligible() -> None:
    evaluation = evaluate(
        TRIAL,
        answers(
            with_(
                mri={"had": "no", "findings": []},
                spect_ct={"had": "no", "levels": None, "positive": None},
            )
        ),
    )
    assert evaluation.outcome is Outcome.LIKELY_ELIGIBLE
    assert evaluation.results["inc_mri_degeneration"].verdict is Verdict.UNKNOWN


def test_an_unknown_candidate_criterion_makes_it_possibly_eligible() -> None:
    evaluation = evaluate(TRIAL, answers(with_(low_back_pain=None)))
    assert evaluation.outcome is Outcome.POSSIBLY_ELIGIBLE
    assert evaluation.results["inc_low_back_pain"].verdict is Verdict.UNKNOWN


def test_an_answer_not_understood_counts_as_unknown() -> None:
    given = answers(ELIGIBLE)
    given["age"] = Answer("age", "banana", Parsed.not_understood())
    evaluation = evaluate(TRIAL, given)
    assert evaluation.results["inc_age"].verdict is Verdict.UNKNOWN
    assert evaluation.outcome is Outcome.POSSIBLY_ELIGIBLE


def test_consent_comes_first_and_refusal_declines() -> None:
    assert evaluate(TRIAL, {}).next_question == "consent"
    assert evaluate(TRIAL, {}).outcome is Outcome.INCOMPLETE
    declined = evaluate(TRIAL, answers({"consent": "no"}))
    assert declined.outcome is Outcome.DECLINED
    assert declined.next_question is None


def test_questions_follow_the_exclusion_first_order_and_stop_at_the_first_failure() -> None:
    given: dict[str, Any] = {"consent": "yes"}
    asked = []
    while (question := evaluate(TRIAL, answers(given)).next_question) is not None:
        asked.append(question)
        given[question] = ELIGIBLE[question]
    assert asked == [
        "age",
        "low_back_pain",
        "radicular_pain",
        "pain_duration",
        "conservative_care",
        "spinal_pathology",
        "spect_intolerance",
        "mri",
        "spect_ct",
    ]
    # Candidate-checked questions (which can exclude at once) come before the imaging.
    assert asked.index("spect_intolerance") < asked.index("mri")


def test_an_ineligible_candidate_is_not_put_through_the_rest() -> None:
    evaluation = evaluate(TRIAL, answers({"consent": "yes", "age": 80}))
    assert evaluation.outcome is Outcome.NOT_ELIGIBLE
    assert evaluation.next_question is None
    assert next_question(TRIAL, answers({"consent": "yes", "age": 80})) is None


def test_a_question_already_answered_is_never_asked_again_even_when_unknown() -> None:
    given = answers({"consent": "yes", "age": 40, "low_back_pain": None})
    evaluation = evaluate(TRIAL, given)
    assert evaluation.results["inc_low_back_pain"].verdict is Verdict.UNKNOWN
    assert evaluation.next_question == "radicular_pain"


def test_nothing_is_asked_once_every_criterion_is_decided() -> None:
    given = answers(with_(spect_ct={"had": "no", "levels": None, "positive": None}))
    assert evaluate(TRIAL, given).next_question is None


def test_a_correction_changes_the_outcome() -> None:
    given = answers(ELIGIBLE)
    assert evaluate(TRIAL, given).outcome is Outcome.LIKELY_ELIGIBLE
    given["pain_duration"] = Answer(
        "pain_duration", "only 4 months", Parsed(True, {"months": 4.0, "bound": "exact"})
    )
    assert evaluate(TRIAL, given).outcome is Outcome.NOT_ELIGIBLE


def test_an_answer_to_a_question_the_trial_lacks_is_an_error() -> None:
    with pytest.raises(UnknownQuestion, match="no question 'shoe_size'"):
        evaluate(TRIAL, answers({"consent": "yes", "shoe_size": 44}))


@pytest.mark.parametrize(
    ("question", "value", "verdict"),
    [
        ("age", 86, "fail"),  # "born in 1940": over 75 however the birthday falls
        ("age", 76, "unknown"),  # "born in 1950": 75 or 76
        ("age", 16, "unknown"),
        ("age", 15, "fail"),
        ("pain_duration", {"months": 5.0, "bound": "exact"}, "unknown"),  # "about 5 months"
        ("pain_duration", {"months": 2.0, "bound": "exact"}, "fail"),  # "a couple of months"
        ("spect_intolerance", "yes", "unknown"),  # no margin: a hedged yes/no never excludes
    ],
)
def test_a_hedged_number_excludes_only_beyond_the_margin(
    question: str, value: Any, verdict: str
) -> None:
    evaluation = evaluate(TRIAL, answers(with_(**{question: value}), hedged=frozenset({question})))
    criterion = next(c.id for c in TRIAL.criteria if question in c.questions)
    assert evaluation.results[criterion].verdict.value == verdict


def test_hedge_margin_is_only_for_numeric_checks() -> None:
    from trialbot.criteria import CriteriaFileError, parse_trial

    text = (Path(__file__).resolve().parent.parent / "criteria" / "spinus2.yml").read_text()
    broken = text.replace(
        '        value: "no"\n', '        value: "no"\n        hedge_margin: 1\n', 1
    )
    with pytest.raises(CriteriaFileError, match="hedge_margin applies only"):
        parse_trial(broken)


# A value of each parameter a check can need, to build a condition of every check.
PARAMETER_VALUES: dict[str, Any] = {
    "min": 18,
    "max": 75,
    "value": "yes",
    "values": ["yes"],
    "months": 6,
    "levels": 2,
}


@pytest.mark.parametrize("check", checks.NAMES)
def test_every_check_the_schema_accepts_is_one_the_engine_evaluates(check: str) -> None:
    needs = {name: PARAMETER_VALUES[name] for name in checks.PARAMETERS[check]}
    reasons = {"pass": "It passes.", "fail": "It fails.", "unknown": "We do not know."}
    condition = Condition(question="age", check=check, reasons=reasons, **needs)

    assert check in engine.CHECKS
    assert _condition_verdict(condition, Answer("age", "I am 52", Parsed(True, 52))) in Verdict


def test_the_engine_and_the_schema_have_the_same_checks() -> None:
    assert set(engine.CHECKS) == set(criteria.CHECKS) == set(checks.NAMES)


def test_the_engine_refuses_to_load_with_a_check_the_schema_lacks_or_adds() -> None:
    """Run in a fresh interpreter: a name added to the schema's list alone stops the
    engine from importing, naming the check."""
    code = (
        "from trialbot import checks\n"
        "checks.PARAMETERS['too_new'] = ()\n"
        "checks.NAMES = (*checks.NAMES, 'too_new')\n"
        "import trialbot.engine\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode != 0
    assert "only in the schema ['too_new']" in result.stderr

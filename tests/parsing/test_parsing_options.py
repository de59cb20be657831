"""Every button the assistant offers must parse to the answer its label says.

A tapped button sends its label as text; a label the parsers misread would silently
turn a clear answer into an unknown one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from trialbot.criteria import load_trial
from trialbot.parsing import parse

TRIAL = load_trial(Path(__file__).resolve().parents[2] / "criteria" / "spinus2.yml")
DONT_KNOW = object()

EXPECTED: dict[tuple[str, str], Any] = {
    ("consent", "Yes, I agree"): "yes",
    ("consent", "No, thanks"): "no",
    ("low_back_pain", "Yes"): "yes",
    ("low_back_pain", "No"): "no",
    ("low_back_pain", "I'm not sure"): DONT_KNOW,
    ("radicular_pain", "It stays in my back"): "none",
    ("radicular_pain", "Buttock, groin or thigh only"): "above_knee",
    ("radicular_pain", "Below the knee"): "below_knee",
    ("radicular_pain", "I'm not sure"): DONT_KNOW,
    ("spinal_pathology", "None of these"): {"conditions": [], "other": []},
    ("spinal_pathology", "A tumour"): {"conditions": ["tumour"], "other": []},
    ("spinal_pathology", "A spine problem from birth"): {
        "conditions": ["congenital_defect"],
        "other": [],
    },
    ("spinal_pathology", "A crack in a vertebra (spondylolysis)"): {
        "conditions": ["spondylolysis"],
        "other": [],
    },
    ("spinal_pathology", "A slipped vertebra (spondylolisthesis)"): {
        "conditions": ["spondylolisthesis"],
        "other": [],
    },
    ("spinal_pathology", "I'm not sure"): DONT_KNOW,
    ("spect_intolerance", "No reason"): "no",
    ("spect_intolerance", "Yes, I could not have it"): "yes",
    ("spect_intolerance", "I'm not sure"): DONT_KNOW,
    ("mri", "I haven't had an MRI"): {"had": "no", "findings": []},
    ("mri", "Yes, it showed wear and tear"): {"had": "yes", "findings": ["degenerated_disc"]},
    ("mri", "Yes, it was normal"): {"had": "yes", "findings": ["normal"]},
    ("mri", "I'm not sure"): DONT_KNOW,
    ("spect_ct", "I haven't had one"): {"had": "no", "levels": None, "positive": None},
    ("spect_ct", "Yes, at one level"): {"had": "yes", "levels": 1, "positive": True},
    ("spect_ct", "Yes, at two or more levels"): {"had": "yes", "levels": 2, "positive": True},
    ("spect_ct", "I'm not sure"): DONT_KNOW,
    ("future_contact", "Yes, please"): "yes",
    ("future_contact", "No, thanks"): "no",
}
OPTIONS = [(q.id, option) for q in TRIAL.questions for option in q.options]


def test_every_option_of_the_criteria_file_has_an_expectation() -> None:
    assert sorted(OPTIONS) == sorted(EXPECTED)


@pytest.mark.parametrize(("question_id", "option"), OPTIONS)
def test_a_tapped_button_means_what_it_says(question_id: str, option: str) -> None:
    parsed = parse(TRIAL.question(question_id).expects, option)
    expected = EXPECTED[(question_id, option)]
    assert parsed.understood
    assert not parsed.hedged
    if expected is DONT_KNOW:
        assert parsed.is_dont_know
    else:
        assert parsed.value == expected

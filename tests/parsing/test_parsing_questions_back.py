"""A question asked back inside an answer: the answer is read without it.

People ask before or after they answer ("what's that? no I don't think so", "before I
answer - what's the difference between an MRI and a CT?"). The interview answers the
question; the parsers read only what answers.
"""

import pytest
from parsing_expect import NU

from trialbot.parsing import without_questions


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("what's that? no i don't think so", "no i don't think so"),
        ("is this going to cost me anything? no i'd rather not", "no i'd rather not"),
        ("yes. what is that?", "yes."),
        ("I am 52. Why?", "I am 52."),
        ("before i answer - whats the difference between an mri and a ct?", ""),
        ("sorry, what does radiate mean?", ""),
        ("does sciatica count?", ""),
        # not a question back: no question word, or no question mark
        ("2 levels?", "2 levels?"),
        (
            "yes at 2 levels - what is a SPECT/CT scan exactly?",
            "yes at 2 levels - what is a SPECT/CT scan exactly?",
        ),
        ("what the physio did helped a bit", "what the physio did helped a bit"),
    ],
)
def test_without_questions(text, kept):
    assert without_questions(text) == kept


@pytest.mark.parametrize(
    ("expects", "text", "expected"),
    [
        ("mri", "before i answer - whats the difference between an mri and a ct?", NU),
        (
            "spect_ct",
            "what's that? no i don't think so",
            ({"had": "no", "levels": None, "positive": None}, False),
        ),
        ("yes_no", "is this going to cost me anything? no i'd rather not", ("no", False)),
        ("age", "why do you need that? 52", (52, False)),
        (
            "pain_location",
            "does it matter if it goes into my hip? it stays above the knee",
            ("above_knee", False),
        ),
    ],
)
def test_the_answer_after_a_question_is_read(read, expects, text, expected):
    assert read(expects, text) == expected

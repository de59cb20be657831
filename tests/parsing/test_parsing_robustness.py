import time

import pytest
from parsing_expect import TODAY

from trialbot.answers import ANSWER_TYPES, Parsed
from trialbot.parsing import PARSERS, detect_red_flags, parse, topics_of

HOSTILE = [
    "",
    "   ",
    "\n\t",
    "x" * 10_000,
    "no " * 3_000,
    "I had physio and my leg hurts down to the foot since 2019 " * 200,
    "😀🔥💀",
    "<img src=x onerror=alert(1)>",
    "'; DROP TABLE answers;--",
    "Bolí mě záda už dva roky, nevím.",
    "背中が痛い",
    "\x00\x01\x02",
    "+++---...///",
    "L99-L0 S9",
    "99999999999999999999999999 years",
    "since 0000",
    "born in 9999",
    "@@@@",
    "%s %d {0} {}",
]


@pytest.mark.parametrize("expects", ANSWER_TYPES)
@pytest.mark.parametrize("text", HOSTILE)
def test_never_raises(expects, text):
    result = parse(expects, text, today=TODAY)
    assert isinstance(result, Parsed)


@pytest.mark.parametrize("text", HOSTILE)
def test_red_flags_and_topics_never_raise(text):
    assert isinstance(detect_red_flags(text), list)
    assert isinstance(topics_of(text), list)


@pytest.mark.parametrize("text", ["", "😀🔥💀", "<img src=x onerror=alert(1)>", "x" * 10_000])
@pytest.mark.parametrize("expects", ["yes_no", "age", "duration", "mri", "therapies"])
def test_gibberish_is_not_understood(expects, text):
    assert not parse(expects, text, today=TODAY).understood


def test_unknown_answer_type_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown answer type"):
        parse("shoe_size", "42")


def test_every_answer_type_has_a_parser():
    assert set(PARSERS) == set(ANSWER_TYPES)


def test_typical_answer_is_fast():
    parse("therapies", "warm up")  # build the pipeline outside the timing
    answers = [
        ("therapies", "I had physio and painkillers for about 2 years but nothing helped"),
        ("pain_location", "it goes down the back of my leg to my foot"),
        ("duration", "since the summer of 2024"),
        ("spinal_pathology", "no tumour, just a slipped disc"),
    ]
    start = time.perf_counter()
    rounds = 50
    for _ in range(rounds):
        for expects, text in answers:
            parse(expects, text, today=TODAY)
    per_answer_ms = (time.perf_counter() - start) * 1000 / (rounds * len(answers))
    assert per_answer_ms < 5


def test_import_builds_no_pipeline():
    import subprocess
    import sys

    code = (
        "import trialbot.parsing, trialbot.parsing.nlp as n; assert n._nlp is None; print('lazy')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "lazy", out.stderr[-500:]

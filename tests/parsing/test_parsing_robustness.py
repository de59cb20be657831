import time

import pytest
from parsing_expect import TODAY

from trialbot.answers import ANSWER_TYPES, Parsed
from trialbot.parsing import detect_red_flags, parse, parsers, topics_of

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
    assert set(parsers()) == set(ANSWER_TYPES)


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


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("it's not like it never goes past my knee", "it goes past my knee"),
        ("not that it doesn't reach my calf", "it reach my calf"),
        (
            "it's not that nobody mentioned a slipped vertebra",
            "someone mentioned a slipped vertebra",
        ),
        ("I'm not not pregnant", "I'm  pregnant"),
        ("there isn't a day when it doesn't hurt", "it hurts every day"),
        ("I can't remember a day without it", "it hurts every day"),
        # single negatives are left alone
        ("it doesn't go past my knee", "it doesn't go past my knee"),
        ("not that I know of", "not that I know of"),
    ],
)
def test_double_negatives_are_undone(text, rewritten):
    from trialbot.parsing.nlp import undo_double_negatives

    assert undo_double_negatives(text) == rewritten


@pytest.mark.parametrize(
    "expects", ["yes_no", "pain_location", "therapies", "spinal_pathology", "mri", "spect_ct"]
)
@pytest.mark.parametrize(
    "text", ["what does radiate mean?", "what's a chiropractor?", "what is spondylolysis?"]
)
def test_a_question_back_is_not_an_answer(expects, text):
    assert not parse(expects, text, today=TODAY).understood


@pytest.mark.parametrize(
    ("word", "not_read_as"),
    [
        # everyday words one letter away from a lexicon word are not "corrected"
        ("feeling", "feeding"),
        ("passage", "massage"),
        ("talking", "walking"),
        ("matches", "patches"),
    ],
)
def test_the_speller_leaves_everyday_words_alone(word, not_read_as):
    from trialbot.parsing.nlp import analyse

    assert analyse(f"the {word} is odd").norm.split()[1] == word != not_read_as


def test_chat_typos_of_clinical_words_are_still_read():
    from trialbot.parsing.nlp import analyse

    assert "physiotherapy" in analyse("physiotherepy").norm
    assert "painkiller" in analyse("painkilers").norm
    assert "spondylolisthesis" in analyse("spondilolisthesis").norm


def test_parsing_vocabulary_lives_in_the_lexicon():
    from trialbot.parsing import lexicon, nlp

    assert nlp.NEGATION_TERMSET is lexicon.NEGATION_TERMSET
    assert nlp.HEDGES_BEFORE is lexicon.HEDGES_BEFORE
    assert nlp.APPROXIMATORS is lexicon.APPROXIMATORS
    import re

    for pattern, _ in lexicon.DOUBLE_NEGATIVES:
        re.compile(pattern)

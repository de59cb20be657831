"""One spaCy pass per message (issue 9, section 1): the interview reads a message as the
answer to its question, to other questions and as a command, but within its turn each
text goes through the pipeline once; outside a turn nothing is cached."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from interview_helpers import Talk

from trialbot.parsing import nlp, once


@pytest.fixture
def pipeline_runs(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    runs: Counter[str] = Counter()
    real = nlp.pipeline()

    def counting(text: str) -> Any:
        runs[text] += 1
        return real(text)

    monkeypatch.setattr(nlp, "pipeline", lambda: counting)
    return runs


def test_a_message_read_several_ways_is_analysed_once_per_text(
    pipeline_runs: Counter[str],
) -> None:
    talk = Talk()
    talk.start()
    pipeline_runs.clear()
    talk.say("I'm 62, my back has hurt for 5 years and it goes into my left buttock")
    assert talk.value("age") == 62 and talk.value("pain_duration")["months"] == 60
    assert pipeline_runs, "the message was analysed"
    assert max(pipeline_runs.values()) == 1, pipeline_runs


def test_outside_a_turn_nothing_is_kept(pipeline_runs: Counter[str]) -> None:
    nlp.analyse("my back hurts")
    nlp.analyse("my back hurts")
    assert pipeline_runs["my back hurts"] == 2
    with once.one_message():
        first = nlp.analyse("my back hurts")
        assert nlp.analyse("my back hurts") is first
    assert pipeline_runs["my back hurts"] == 3
    nlp.analyse("my back hurts")
    assert pipeline_runs["my back hurts"] == 4


def test_a_long_message_does_not_grow_the_cache_without_bound() -> None:
    with once.one_message():
        for n in range(once.MAX_CACHED + 50):
            once.cached(str.upper, f"text {n}")
        results = once._RESULTS.get()
        assert results is not None and len(results) == once.MAX_CACHED

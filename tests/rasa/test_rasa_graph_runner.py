"""The trained model gives the same results through trialbot's shortcuts as through Rasa.

The Rasa server runs its graph with :class:`SequentialGraphRunner` instead of dask, and
the intent classifier builds its feature rows itself (trialbot/rasa_components.py):
both must compute exactly what Rasa's own code computes.
"""

from __future__ import annotations

import asyncio
from typing import Any

import numpy as np
import pytest

from trialbot import rasa_speedups
from trialbot.devtools.train import ROOT

pytestmark = pytest.mark.rasa

ODD = ["", "   ", "🙂", "I am 52 years old", "what does the study involve?", "x" * 3000]


def _examples(limit: int) -> list[str]:
    """Training texts, read by Rasa's own loader, a few of each intent."""
    from rasa.shared.nlu.training_data.loading import load_data

    by_intent: dict[str, list[str]] = {}
    for example in load_data(str(ROOT / "nlu_data")).intent_examples:
        by_intent.setdefault(example.get("intent"), []).append(example.get("text"))
    return [text for texts in by_intent.values() for text in texts[:8]][:limit]


def _dask_twin(runner: Any) -> Any:
    """A dask runner over the very same loaded nodes."""
    from rasa.engine.runner.dask import DaskGraphRunner

    twin = DaskGraphRunner.__new__(DaskGraphRunner)
    twin.__dict__.update({k: v for k, v in runner.__dict__.items() if k != "_plans"})
    return twin


def test_the_server_runs_the_graph_without_dask(agent: Any) -> None:
    assert type(agent.processor.graph_runner) is rasa_speedups.SequentialGraphRunner


def test_messages_parse_the_same_without_dask(agent: Any) -> None:
    from rasa.core.channels.channel import UserMessage

    processor = agent.processor
    ours, theirs = processor.graph_runner, _dask_twin(processor.graph_runner)
    target = processor.model_metadata.nlu_target
    for text in _examples(120) + ODD:
        a = ours.run(inputs={"__message__": [UserMessage(text)]}, targets=[target])[target][0]
        b = theirs.run(inputs={"__message__": [UserMessage(text)]}, targets=[target])[target][0]
        assert a.as_dict(only_output_properties=True) == b.as_dict(only_output_properties=True), (
            text
        )


def test_next_actions_are_predicted_the_same_without_dask(agent: Any) -> None:
    from rasa.shared.core.events import ActionExecuted, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    processor = agent.processor
    ours, theirs = processor.graph_runner, _dask_twin(processor.graph_runner)
    target = processor.model_metadata.core_target
    for text in ["hello", "what is the study about?", "stop", "start over", "I am 52"]:
        parsed = asyncio.run(agent.parse_message(text))
        tracker = DialogueStateTracker.from_events(
            "twin",
            [ActionExecuted("action_listen"), UserUttered(text, parsed["intent"], [], parsed)],
            slots=processor.domain.slots,
        )
        a = ours.run(inputs={"__tracker__": tracker}, targets=[target])[target]
        b = theirs.run(inputs={"__tracker__": tracker}, targets=[target])[target]
        assert (a.probabilities, a.policy_name) == (b.probabilities, b.policy_name), text
        assert a.max_confidence > 0


def test_intent_feature_rows_are_the_ones_rasa_builds(agent: Any) -> None:
    from rasa.nlu.classifiers.logistic_regression_classifier import (
        LogisticRegressionClassifier,
    )

    from trialbot import rasa_components

    seen: list[Any] = []
    original = rasa_components.IntentClassifier._create_X

    def spy(self: Any, messages: list[Any]) -> Any:
        seen.extend(messages)
        return original(self, messages)

    rasa_components.IntentClassifier._create_X = spy  # type: ignore[method-assign]
    try:
        for text in _examples(60) + ODD[3:]:
            asyncio.run(agent.parse_message(text))
    finally:
        rasa_components.IntentClassifier._create_X = original  # type: ignore[method-assign]
    assert len(seen) >= 60
    for message in seen:
        rasa_row = LogisticRegressionClassifier._create_X(None, [message])  # type: ignore[arg-type]
        ours = rasa_components._sentence_row(message, rasa_row.shape[1])
        assert np.array_equal(ours.toarray(), rasa_row.toarray()), message.get("text")

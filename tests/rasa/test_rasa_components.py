"""trialbot's own NLU components (trialbot/rasa_components.py), in the trained model.

The intent classifier must classify a message with no tokens instead of failing the
graph, and the response selector must pick a response only for a message classified
as a retrieval intent (faq, chitchat), where the rules use the pick.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

pytestmark = pytest.mark.rasa


@pytest.fixture(scope="module")
def parse(agent: Any) -> Any:
    def parse(text: str) -> dict[str, Any]:
        return asyncio.run(agent.parse_message(text))

    return parse


@pytest.mark.parametrize("text", ["", "   ", "\n", "🙂", "<b></b>"])
def test_a_message_with_no_tokens_still_gets_an_intent(parse: Any, text: str) -> None:
    result = parse(text)
    assert result["intent"]["name"], result
    assert 0.0 <= result["intent"]["confidence"] <= 1.0, result


def test_an_answer_gets_no_response_pick(parse: Any) -> None:
    result = parse("I am 52 years old")
    assert result["intent"]["name"] == "inform", result["intent"]
    assert "response_selector" not in result, result.get("response_selector")


def test_a_question_about_the_study_gets_a_faq_pick(parse: Any) -> None:
    result = parse("how long does the study last?")
    assert result["intent"]["name"] == "faq", result["intent"]
    pick = result["response_selector"]["default"]["response"]
    assert pick["intent_response_key"].startswith("faq/"), pick
    assert pick["confidence"] > 0.5, pick


def test_small_talk_gets_a_chitchat_pick(parse: Any) -> None:
    result = parse("how are you today?")
    assert result["intent"]["name"] == "chitchat", result["intent"]
    pick = result["response_selector"]["default"]["response"]
    assert pick["intent_response_key"].startswith("chitchat/"), pick


def test_the_model_holds_no_tensorflow_model() -> None:
    """Every trained component is rule-based or scikit-learn: no TensorFlow weights to load
    into the Rasa server (Rasa's ResponseSelector took ~300 MB of its memory)."""
    import tarfile

    from trialbot.devtools.train import train

    with tarfile.open(train()) as model:
        names = model.getnames()
    assert any("SparseResponseSelector" in n and n.endswith("responses.json") for n in names)
    assert not [n for n in names if ".tf_model" in n or n.endswith(".data-00000-of-00001")]


def test_a_pick_carries_rasas_response_selector_output(agent: Any) -> None:
    """The picks carry Rasa's ResponseSelector output: the responses of the picked key."""
    result = asyncio.run(agent.parse_message("what happens to my data?"))
    pick = result["response_selector"]["default"]["response"]
    assert pick["intent_response_key"] == "faq/data_handling", pick
    assert pick["utter_action"] == "utter_faq/data_handling"
    assert pick["responses"] and pick["responses"][0]["text"], pick
    assert result["response_selector"]["all_retrieval_intents"] == ["chitchat", "faq"]
    ranking = result["response_selector"]["default"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/data_handling"
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )

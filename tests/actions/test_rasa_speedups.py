"""The action-response validator swap keeps Rasa's checks and runs them fast."""

from __future__ import annotations

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

from trialbot import rasa_speedups

GOOD = {
    "events": [{"event": "slot", "name": "answer", "value": None}],
    "responses": [{"text": "hi"}],
}


def test_valid_responses_pass_and_invalid_ones_are_still_rejected() -> None:
    rasa_speedups.apply()
    action = RemoteAction("action_ask_answer", EndpointConfig("http://127.0.0.1:1/webhook"))
    assert action._validate_action_result(GOOD) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


def test_the_schema_is_checked_once_not_per_response() -> None:
    rasa_speedups.apply()
    rasa_speedups._validator.cache_clear()
    action = RemoteAction("action_ask_answer", EndpointConfig("http://127.0.0.1:1/webhook"))
    for _ in range(50):
        action._validate_action_result(GOOD)
    info = rasa_speedups._validator.cache_info()
    assert (info.misses, info.hits) == (1, 49)

"""The action-response validator swap keeps Rasa's checks and runs them fast; the
speed-ups are installed once, and only on the Rasa release they were written for."""

from __future__ import annotations

import importlib.metadata
import logging
from datetime import datetime
from typing import Any

import jsonschema
import pytest
import rasa.core.processor
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig

from trialbot import rasa_speedups

GOOD = {
    "events": [{"event": "slot", "name": "answer", "value": None}],
    "responses": [{"text": "hi"}],
}


def test_valid_responses_pass_and_invalid_ones_are_still_rejected() -> None:
    assert rasa_speedups.install()
    action = RemoteAction("validate_screening_form", EndpointConfig("http://127.0.0.1:1/webhook"))
    assert action._validate_action_result(GOOD) is True
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        action._validate_action_result({"events": "not a list"})


def test_the_schema_is_checked_once_not_per_response() -> None:
    assert rasa_speedups.install()
    rasa_speedups._validator.cache_clear()
    action = RemoteAction("validate_screening_form", EndpointConfig("http://127.0.0.1:1/webhook"))
    for _ in range(50):
        action._validate_action_result(GOOD)
    info = rasa_speedups._validator.cache_info()
    assert (info.misses, info.hits) == (1, 49)


def _every_event_type() -> list[dict[str, Any]]:
    """One event of each type the action server can send, as rasa-sdk builds them."""
    from rasa_sdk import events as sdk

    return [
        sdk.SlotSet("answer", "three years"),
        sdk.SlotSet("contact_given", {"contact_phone": "given"}),
        sdk.AllSlotsReset(),
        sdk.ReminderScheduled("EXTERNAL_x", datetime.now(), name="r", kill_on_user_message=True),
        sdk.ReminderCancelled(name="r"),
        sdk.ConversationPaused(),
        sdk.ConversationResumed(),
        sdk.FollowupAction("action_finish_screening"),
        sdk.UserUtteranceReverted(),
        sdk.ActionReverted(),
        sdk.Restarted(),
        sdk.SessionStarted(),
        sdk.UserUttered("yes", {"intent": {"name": "affirm", "confidence": 1.0}}),
        sdk.BotUttered("Hello", {"buttons": []}),
        sdk.ActionExecuted("action_listen"),
        sdk.ActiveLoop("screening_form"),
        sdk.ActiveLoop(None),
        sdk.LoopInterrupted(True),
        sdk.ActionExecutionRejected("screening_form"),
        sdk.AgentUttered("hi"),
    ]


def _broken(event: dict[str, Any]) -> list[Any]:
    """Ways an event can be wrong: each must be judged as Rasa's own check judges it."""
    return [
        {**event, "event": "no_such_event"},
        {**event, "event": 3},
        {**event, "event": ["slot"]},
        {key: value for key, value in event.items() if key != "event"},
        {**event, "timestamp": "yesterday"},
        {**event, "name": 42},
        {**event, "metadata": "x"},
        {**event, "text": 7},
        {**event, "intent": "affirm"},
        "slot",
        None,
    ]


def test_the_fast_check_judges_every_response_exactly_as_rasas_own() -> None:
    """Same verdict as ``jsonschema.validate(result, schema)`` on every event type and
    on broken variants of each: the speed-up may not accept or reject anything new."""
    schema = RemoteAction.action_response_format_spec()
    fast = rasa_speedups._ResponseValidator(schema)
    assert fast._by_type, "the per-type path must be in use for this Rasa version"
    samples: list[Any] = [{}, {"events": []}, {"responses": []}, {"events": None}, []]
    for event in _every_event_type():
        samples.append({"events": [event], "responses": [{"text": "hi"}]})
        samples.extend({"events": [broken]} for broken in _broken(event))
        samples.append({"events": [event, event], "responses": "not a list"})

    rasas = jsonschema.validators.validator_for(schema)(schema)  # what validate() runs
    verdicts = []
    for sample in samples:
        expected = rasas.is_valid(sample)
        try:
            fast.validate(sample)
            judged = True
        except ValidationError:
            judged = False
        assert judged == expected, sample
        verdicts.append(expected)
    assert verdicts.count(True) >= 20 and verdicts.count(False) >= 100  # both occur


# What install() replaces: (owner, attribute).
PATCHED = [
    (RemoteAction, "_validate_action_result"),
    (rasa.core.processor, "DaskGraphRunner"),
    (EndpointConfig, "session"),
    (DialogueStateTracker, "applied_events"),
    (DialogueStateTracker, "copy"),
    (Event, "resolve_by_type"),
]


@pytest.fixture
def fresh_process(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Rasa as a new process sees it before install(): each attribute install() replaces
    holds a marker (put back after the test), and install() has not run."""
    markers = []
    for owner, name in PATCHED:
        marker = object()
        monkeypatch.setattr(owner, name, marker)
        markers.append(marker)
    monkeypatch.setattr(rasa_speedups, "_installed", None)
    return markers


def _current() -> list[object]:
    return [owner.__dict__[name] for owner, name in PATCHED]


def _rasa_reports(monkeypatch: pytest.MonkeyPatch, version: str) -> None:
    real = importlib.metadata.version
    monkeypatch.setattr(
        importlib.metadata, "version", lambda name: version if name == "rasa" else real(name)
    )


def test_the_speed_ups_are_written_for_the_rasa_installed() -> None:
    assert rasa_speedups.installed_rasa_version() == rasa_speedups.RASA_VERSION


def test_install_patches_rasa_once(
    fresh_process: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    _rasa_reports(monkeypatch, rasa_speedups.RASA_VERSION)
    assert rasa_speedups.install() is True
    patched = _current()
    assert all(now is not before for now, before in zip(patched, fresh_process, strict=True))

    monkeypatch.setattr(DialogueStateTracker, "copy", fresh_process[4])
    assert rasa_speedups.install() is True  # already installed: nothing is patched again
    assert DialogueStateTracker.__dict__["copy"] is fresh_process[4]


def test_another_rasa_release_is_left_alone_with_a_warning(
    fresh_process: list[object], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    _rasa_reports(monkeypatch, "3.6.22")
    with caplog.at_level(logging.WARNING, logger="trialbot.rasa_speedups"):
        assert rasa_speedups.install() is False
        assert rasa_speedups.install() is False

    assert _current() == fresh_process  # nothing patched
    (warning,) = [r for r in caplog.records if r.name == "trialbot.rasa_speedups"]
    assert warning.levelno == logging.WARNING
    assert "Rasa 3.6.22 is installed" in warning.getMessage()
    assert "written for Rasa 3.6.21" in warning.getMessage()

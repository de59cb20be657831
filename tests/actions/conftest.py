"""Action tests: the real interview action, a real screening store on a temporary SQLite file.

:class:`Chat` plays the part of Rasa: it runs ``action_interview`` on each candidate
message, keeping the interview slot between turns, so a test reads like the conversation
it checks.
"""

from __future__ import annotations

import asyncio
import re
import string
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import runtime
from actions.interview import STATE_SLOT, ActionInterview
from trialbot.messages import catalog
from trialbot.store import ScreeningStore

# What Rasa sends the action server as the domain: nothing (bot/endpoints.yml enables the
# selective domain), so the actions must not depend on it.
DOMAIN: dict[str, Any] = {}


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[ScreeningStore]:
    monkeypatch.setenv("TRIALBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'trialbot.db'}")
    monkeypatch.delenv("TRIALBOT_TRIAL", raising=False)
    monkeypatch.delenv("TRIALBOT_NOTIFY_CHANNELS", raising=False)
    runtime.reset()
    yield runtime.store()
    runtime.reset()


def make_tracker(
    sender_id: str,
    slots: dict[str, Any],
    *,
    text: str = "",
    intent: str = "inform",
    events: list[dict[str, Any]] | None = None,
    latest_message: dict[str, Any] | None = None,
    active_loop: str | None = None,
) -> Tracker:
    message = latest_message or {
        "text": text,
        "intent": {"name": intent, "confidence": 1.0},
        "entities": [],
    }
    user = {"event": "user", "text": text, "parse_data": message, "input_channel": "rest"}
    return Tracker(
        sender_id,
        dict(slots),
        message,
        [{"event": "action", "name": "action_listen"}, user, *(events or [])],
        False,
        None,
        {"name": active_loop} if active_loop else {},
        "action_listen",
    )


def run(action: Action, tracker: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Runs an action; its events and the messages it sent."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker, DOMAIN))
    return events, dispatcher.messages


def apply(slots: dict[str, Any], events: list[dict[str, Any]]) -> None:
    for event in events:
        if event.get("event") == "slot":
            slots[event["name"]] = event["value"]
        elif event.get("event") == "reset_slots":
            slots.clear()


class Chat:
    """One candidate talking to the interview action."""

    def __init__(self, sender_id: str = "candidate-1") -> None:
        self.sender_id = sender_id
        self.slots: dict[str, Any] = {}

    @property
    def state(self) -> dict[str, Any]:
        return self.slots.get(STATE_SLOT) or {}

    def say(
        self,
        text: str,
        *,
        intent: str = "inform",
        latest_message: dict[str, Any] | None = None,
        events: list[dict[str, Any]] | None = None,
    ) -> list[dict[str, Any]]:
        """The candidate's message; what the bot says back."""
        tracker = make_tracker(
            self.sender_id,
            self.slots,
            text=text,
            intent=intent,
            latest_message=latest_message,
            events=events,
        )
        events_out, messages = run(ActionInterview(), tracker)
        apply(self.slots, events_out)
        return messages


def texts(messages: list[dict[str, Any]]) -> list[str]:
    return [m.get("text") or "" for m in messages]


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    """Each catalog message as a pattern whose groups are its placeholders."""
    patterns = {}
    for key, message in catalog().items():
        parts = []
        for literal, name, _, _ in string.Formatter().parse(message.text):
            parts.append(re.escape(literal))
            if name is not None:
                parts.append(f"(?P<{name}>.+?)")
        patterns[key] = re.compile("".join(parts), re.DOTALL)
    return patterns


def catalog_message(message: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """Which message of bot/messages/en.yml a bot message is, and the values filled in."""
    found = [
        (key, match.groupdict())
        for key, pattern in _patterns().items()
        if (match := pattern.fullmatch(message.get("text") or ""))
    ]
    assert len(found) <= 1, f"{message.get('text')!r} fits several messages: {found}"
    return found[0] if found else None


def keys(messages: list[dict[str, Any]]) -> list[str]:
    """The catalog keys of the messages that come from the catalog, in order."""
    return [found[0] for m in messages if (found := catalog_message(m))]


def values(message: dict[str, Any]) -> dict[str, str]:
    """The placeholder values of a catalog message (``{"reason": ...}``)."""
    found = catalog_message(message)
    assert found, f"not a catalog message: {message!r}"
    return found[1]


def payloads(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if m.get("custom")]


ELIGIBLE_ANSWERS = [
    ("consent", "yes"),
    ("age", "52"),
    ("low_back_pain", "yes"),
    ("radicular_pain", "it stays in my back"),
    ("pain_duration", "about 2 years"),
    ("conservative_care", "physiotherapy and painkillers, they didn't help"),
    ("spinal_pathology", "none of these"),
    ("spect_intolerance", "no"),
    ("mri", "yes, it showed worn discs"),
    ("spect_ct", "yes, at two levels"),
]

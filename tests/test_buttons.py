"""Button payloads: what a tap sends, and what transcripts show of it."""

from __future__ import annotations

from trialbot import buttons
from trialbot.channels import history_messages


def test_a_tap_shows_as_the_title_the_candidate_saw() -> None:
    tap = buttons.payload("consent", "Yes, I agree")
    assert buttons.shown(tap) == "Yes, I agree"
    assert buttons.shown("yes i agree") == "yes i agree"
    assert buttons.shown('/answer{"question_id": 1}') == '/answer{"question_id": 1}'


def test_the_widget_history_shows_taps_as_their_titles() -> None:
    from rasa.shared.core.events import UserUttered

    shown = history_messages([UserUttered(buttons.payload("mri", "Not sure"))])
    assert shown == [{"sender": "user", "text": "Not sure", "buttons": [], "custom": {}}]

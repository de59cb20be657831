"""Answers to questions about the study, from the trial's FAQ in the criteria file.

The ResponseSelector picks the FAQ entry (``faq/<id>``); the answer text is read from
``criteria/<trial>.yml``, the same text the domain's ``utter_faq/<id>`` holds.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.state import GuardedAction

RETRIEVAL_INTENT = "faq"
# Below this ResponseSelector confidence the message is not a known FAQ ("purple" can be
# read as a question): saying "I don't know" beats answering a question nobody asked.
MIN_CONFIDENCE = 0.3


def faq_id(latest_message: dict[str, Any]) -> str | None:
    """The FAQ id the ResponseSelector chose for the latest message, if any."""
    selectors = latest_message.get("response_selector") or {}
    selected = selectors.get(RETRIEVAL_INTENT) or selectors.get("default") or {}
    response = selected.get("response") or {}
    if float(response.get("confidence") or 0.0) < MIN_CONFIDENCE:
        return None
    key = response.get("intent_response_key") or ""
    intent, _, entry = key.partition("/")
    return entry if intent == RETRIEVAL_INTENT and entry else None


class ActionAnswerFaq(GuardedAction):
    def name(self) -> str:
        return "action_answer_faq"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        entry_id = faq_id(tracker.latest_message)
        entry = runtime.trial().faq_entry(entry_id) if entry_id else None
        if entry is None:
            dispatcher.utter_message(response="utter_faq_unknown")
        else:
            dispatcher.utter_message(text=entry.answer)
        return []

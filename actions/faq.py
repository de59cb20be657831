"""Questions about the study: is the ResponseSelector's pick an answer worth giving?

The ResponseSelector picks the FAQ entry (``faq/<id>``) for a question; the rules then say
its answer with Rasa's retrieval action ``utter_faq`` (the domain's ``utter_faq/<id>``,
generated from the FAQ of ``criteria/<trial>.yml``). A weak pick is no answer: "purple"
can be read as a question, and saying "I don't know" beats answering a question nobody
asked. :class:`ActionCheckFaq` sets ``faq_known`` and the rules branch on it:
``utter_faq`` when it is true, ``utter_faq_unknown`` when it is false.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.state import GuardedAction

RETRIEVAL_INTENT = "faq"
FAQ_KNOWN = "faq_known"  # slot (bot/domain/screening.yml)
# Below this ResponseSelector confidence the message is not a known FAQ.
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


class ActionCheckFaq(GuardedAction):
    """Sets ``faq_known``: the pick is confident and is an entry of the trial's FAQ."""

    def name(self) -> str:
        return "action_check_faq"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        entry_id = faq_id(tracker.latest_message)
        known = entry_id is not None and runtime.trial().faq_entry(entry_id) is not None
        return [SlotSet(FAQ_KNOWN, known)]

"""Warning signs ("red flags"): tell the candidate to get urgent care now.

The screening form also checks every answer with ``trialbot.parsing.detect_red_flags``;
this action answers the ``report_red_flag`` intent. The conversation then goes on.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.state import GuardedAction
from trialbot import messages


class ActionRedFlagAdvice(GuardedAction):
    def name(self) -> str:
        return "action_red_flag_advice"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=messages.render("red_flag"))
        return []

"""The screening's life: introducing the study, starting over, stopping.

``action_restart`` replaces Rasa's default action of that name, which the ``restart``
intent always triggers: it retires the stored screening and opens a new one, resets the
conversation's slots, and the rules then start again at consent.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, AllSlotsReset, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.state import (
    REQUESTED_SLOT,
    SCREENING_CLOSED,
    STOPPED,
    GuardedAction,
    channel_of,
    with_store,
)
from trialbot import messages

# Slots that describe one screening; a new screening starts with all of them empty.
SCREENING_SLOTS = (
    "answer",
    "pending_question",
    "misses",
    "reask",
    "answer_problem",
    "contact_given",
    "outcome_told",
    "screening_finished",
    "screening_closed",
    REQUESTED_SLOT,
)


class ActionIntroduceStudy(GuardedAction):
    """Says what the study is about and opens the candidate's screening.

    A screening that was declined, stopped or completed is not reopened: greeting the
    bot again starts a new one.
    """

    def name(self) -> str:
        return "action_introduce_study"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        trial = runtime.trial()
        sender_id, channel = tracker.sender_id, channel_of(tracker)
        closed = bool(tracker.get_slot(SCREENING_CLOSED))
        if closed:
            await with_store(lambda store: store.restart(sender_id, trial.id, channel))
        else:
            await with_store(lambda store: store.start(sender_id, trial.id, channel))
        dispatcher.utter_message(
            text=messages.render(
                "study_intro", short_title=trial.short_title, summary=trial.summary
            )
        )
        return [SlotSet(slot, None) for slot in SCREENING_SLOTS] if closed else []


class ActionRestart(GuardedAction):
    """ "Start over": a new screening, a clean conversation, then consent again."""

    def name(self) -> str:
        return "action_restart"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        trial_id, sender_id, channel = runtime.trial_id(), tracker.sender_id, channel_of(tracker)
        await with_store(lambda store: store.restart(sender_id, trial_id, channel))
        dispatcher.utter_message(text=messages.render("restarting"))
        return [AllSlotsReset(), ActiveLoop(None)]


class ActionStopScreening(GuardedAction):
    """ "Stop": the screening is closed, the form ends, nothing more is asked."""

    def name(self) -> str:
        return "action_stop_screening"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        trial_id, sender_id = runtime.trial_id(), tracker.sender_id
        await with_store(lambda store: store.stop(sender_id, trial_id))
        dispatcher.utter_message(text=messages.render("stopped"))
        return [
            ActiveLoop(None),
            SlotSet(REQUESTED_SLOT, None),
            SlotSet(SCREENING_CLOSED, tracker.get_slot(SCREENING_CLOSED) or STOPPED),
        ]

"""Corrections: "sorry, my pain actually started only 4 months ago", "I'm actually 80".

The question is found from the message's topic (``trialbot.parsing.topics_of``) among
the questions already answered — or, when it names none of them, it is the question on
screen (the message is taken as its answer). The
text is parsed as that question's answer type and stored (the store supersedes the old
answer), the screening is re-evaluated, and a now-final outcome is told at once. The
form then carries on from wherever the plan now is.
"""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.state import (
    CONTACT_DETAILS,
    CONTACT_GIVEN,
    GIVEN,
    OUTCOME_TOLD,
    PENDING_QUESTION,
    SCREENING_CLOSED,
    SCREENING_FINISHED,
    GuardedAction,
    Screening,
    save_contact_detail,
    tell_outcome,
    with_store,
)
from trialbot import messages
from trialbot.parsing import parse, topics_of
from trialbot.store import ScreeningStore
from trialbot.verdicts import Answer


class ActionApplyCorrection(GuardedAction):
    def name(self) -> str:
        return "action_apply_correction"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(SCREENING_CLOSED):
            dispatcher.utter_message(text=messages.render("correction_closed"))
            return []
        text = tracker.latest_message.get("text") or ""
        screening = await Screening.load(tracker)
        trial = screening.trial
        topics = [
            q
            for q in await runtime.in_thread(topics_of, text)
            if trial.has_question(q) and trial.question(q).phase != "consent"
        ]
        answered = [q for q in topics if q in screening.answers or q in screening.contact]
        # Only an answer given can be corrected. A "correction" about something not yet
        # answered is most likely the answer to the question on screen (the model may
        # read "yes, I had a bad reaction to the tracer" as a correction).
        pending = tracker.get_slot(PENDING_QUESTION)
        answers_pending = False
        if answered:
            question_id: str | None = answered[0]
        elif (
            isinstance(pending, str)
            and trial.has_question(pending)
            and trial.question(pending).phase == "screening"
        ):
            as_answer = await runtime.in_thread(parse, trial.question(pending).expects, text)
            answers_pending = as_answer.understood and as_answer.value is not None
            question_id = pending if answers_pending else None
        else:
            question_id = None
        if question_id is None:
            dispatcher.utter_message(text=messages.render("correction_which"))
            return []
        question = trial.question(question_id)
        parsed = await runtime.in_thread(parse, question.expects, text)
        if not parsed.understood or parsed.value is None:
            dispatcher.utter_message(
                text=messages.render("correction_not_understood", reask=question.reask)
            )
            return []

        sender_id = tracker.sender_id
        if question_id in CONTACT_DETAILS:
            detail = str(parsed.value)
            await with_store(
                lambda store: save_contact_detail(store, sender_id, trial.id, question_id, detail)
            )
            screening.contact[question_id] = GIVEN
        elif question_id == "future_contact":
            wanted = parsed.value == "yes"
            await with_store(
                lambda store: store.save_contact(sender_id, trial.id, future_contact=wanted)
            )
            screening.contact[question_id] = "yes" if wanted else "no"
        else:
            screening.answers[question_id] = Answer(question_id, text, parsed)
            evaluation = screening.step.evaluation

            def record(store: ScreeningStore) -> None:
                with store.transaction():
                    store.record_answer(sender_id, trial.id, question_id, text, parsed)
                    store.save_evaluation(sender_id, trial.id, evaluation)

            await with_store(record)

        if not answers_pending:
            dispatcher.utter_message(
                text=messages.render("correction_saved", question=question.text)
            )
        step = screening.step
        return [
            SlotSet(CONTACT_GIVEN, screening.contact),
            SlotSet(OUTCOME_TOLD, tell_outcome(dispatcher, step, tracker.get_slot(OUTCOME_TOLD))),
            SlotSet(SCREENING_FINISHED, step.question_id is None),
        ]

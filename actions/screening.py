"""The screening form: one loop that asks whatever the trial's plan says comes next.

``screening_form`` has a single required slot, ``answer``, filled from the candidate's
text. Rasa calls :class:`ValidateScreeningForm` on every run of the form: on activation,
after each answer, and on coming back from a digression (an FAQ answer, a correction).
It parses the text as the pending question's answer type, stores it, re-evaluates,
empties ``answer`` again so that the form loops, and asks the plan's next question
itself, in the same call: the domain has no ``action_ask_answer``, so the form asks
nothing more, and each turn costs one call to the action server instead of two. When the
plan has no question left the form ends and :class:`ActionFinishScreening` completes the
screening.
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions import runtime
from actions.state import (
    ANSWER,
    ANSWER_PROBLEM,
    COMPLETED,
    CONTACT_GIVEN,
    DECLINED,
    GIVEN,
    MISSES,
    OUTCOME_TOLD,
    PENDING_QUESTION,
    REASK,
    REQUESTED_SLOT,
    SCREENING_CLOSED,
    SCREENING_FINISHED,
    STOPPED,
    GuardedAction,
    Screening,
    apologise,
    channel_of,
    question_message,
    save_contact_detail,
    tell_outcome,
    with_store,
)
from trialbot import messages
from trialbot.answers import Parsed
from trialbot.conversation import SKIPPED
from trialbot.criteria import Question
from trialbot.parsing import detect_red_flags, parse
from trialbot.store import ScreeningStore
from trialbot.verdicts import Answer

logger = logging.getLogger(__name__)

REACH = ("contact_phone", "contact_email")
# A contact detail rejected this many times is treated as skipped, so nobody is stuck.
CONTACT_ATTEMPTS = 3

Slots = dict[str, Any]

# The screening as loaded by the validation call being handled: it is read from the store
# once per call, and the answer just stored is applied to it before the next question is
# chosen. One value per request task.
_loaded: ContextVar[Screening | None] = ContextVar("trialbot_screening", default=None)


async def _screening(tracker: Tracker) -> Screening:
    screening = _loaded.get()
    if screening is None:
        screening = await Screening.load(tracker)
        _loaded.set(screening)
    return screening


def _missed(misses: int, parsed: Parsed) -> Slots:
    """Not understood: the form asks the same question again, in its re-ask wording."""
    return {ANSWER: None, MISSES: misses + 1, REASK: True, ANSWER_PROBLEM: parsed.problem}


def _runs_on_user_message(tracker: Tracker) -> bool:
    """Does the form run right after the candidate's message? Not so when it comes back
    after another action (an FAQ answer, a correction) or is being activated. The tracker
    Rasa sends ends with the form's own run, then any slot candidates."""
    form_seen = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            return form_seen
        if kind == "action":
            if form_seen:
                return False  # another action ran between the message and the form
            form_seen = True
    return False


class ValidateScreeningForm(FormValidationAction):
    def name(self) -> str:
        return "validate_screening_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if self._not_an_answer(tracker):
            # No events: Rasa's form then rejects the run, and the rules answer the message
            # (a question, a correction, stop, ...); the form runs again afterwards.
            return []
        token = _loaded.set(None)
        try:
            events = await super().run(dispatcher, tracker, domain)  # also sets tracker.slots
            if tracker.get_slot(SCREENING_CLOSED) or tracker.get_slot(SCREENING_FINISHED):
                return events
            return events + await self._ask(dispatcher, tracker)
        except Exception:
            apologise(dispatcher, self.name(), tracker)
            self._ask_pending_again(dispatcher, tracker)
            return [SlotSet(ANSWER, None)]  # the candidate answers the pending question again
        finally:
            _loaded.reset(token)

    def domain_slots(self, domain: DomainDict) -> list[str]:
        """The form's one slot. Rasa sends no domain to the action server (selective
        domain, bot/endpoints.yml: it is the largest part of each request), so the slot is
        named here rather than read from ``domain["forms"]``."""
        return [ANSWER]

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        if tracker.get_slot(SCREENING_CLOSED) or tracker.get_slot(SCREENING_FINISHED):
            return []
        return domain_slots

    async def validate_answer(
        self,
        value: Any,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> Slots:
        text = value if isinstance(value, str) else ""
        screening = await _screening(tracker)
        trial = screening.trial
        question_id = tracker.get_slot(PENDING_QUESTION)
        if not (isinstance(question_id, str) and trial.has_question(question_id)):
            question_id = screening.step.question_id
        if question_id is None:
            return {ANSWER: None, SCREENING_FINISHED: True}
        question = trial.question(question_id)

        if await runtime.in_thread(detect_red_flags, text):
            dispatcher.utter_message(text=messages.render("red_flag"))
        parsed = await runtime.in_thread(parse, question.expects, text)
        misses = int(tracker.get_slot(MISSES) or 0)

        if question.phase == "consent":
            return await self._consent(
                dispatcher, tracker, screening, question, text, parsed, misses
            )
        if question.phase == "contact":
            return await self._contact(dispatcher, tracker, screening, question, parsed, misses)
        if not parsed.understood and misses == 0:
            return _missed(misses, parsed)
        if not parsed.understood:
            parsed = Parsed.not_understood()  # second miss: unknown, and move on
        await self._store_answer(tracker, screening, question.id, text, parsed)
        return self._moved_on(dispatcher, tracker, screening)

    # -- the phases --------------------------------------------------------------------

    async def _consent(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        screening: Screening,
        question: Question,
        text: str,
        parsed: Parsed,
        misses: int,
    ) -> Slots:
        if parsed.value not in ("yes", "no"):
            return _missed(misses, parsed)  # consent is never assumed: ask until yes or no
        agreed = parsed.value == "yes"
        trial, sender_id, channel = screening.trial, tracker.sender_id, channel_of(tracker)

        def record(store: ScreeningStore) -> None:
            with store.transaction():
                store.record_consent(
                    sender_id,
                    trial.id,
                    version=trial.consent.version,
                    agreed=agreed,
                    channel=channel,
                )
                if agreed:
                    store.record_answer(sender_id, trial.id, question.id, text, parsed)

        await with_store(record)
        if not agreed:
            dispatcher.utter_message(text=messages.render("consent_declined"))
            return {
                ANSWER: None,
                PENDING_QUESTION: None,
                SCREENING_CLOSED: DECLINED,
                SCREENING_FINISHED: True,
            }
        screening.answers[question.id] = Answer(question.id, text, parsed)
        return self._moved_on(dispatcher, tracker, screening)

    async def _contact(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        screening: Screening,
        question: Question,
        parsed: Parsed,
        misses: int,
    ) -> Slots:
        sender_id, trial_id = tracker.sender_id, screening.trial.id
        contact = screening.contact
        if question.id == "future_contact":
            if parsed.value not in ("yes", "no") and not parsed.is_dont_know and misses == 0:
                return _missed(misses, parsed)
            wanted = parsed.value == "yes"  # unsure or not understood twice: no
            await with_store(
                lambda store: store.save_contact(sender_id, trial_id, future_contact=wanted)
            )
            contact[question.id] = "yes" if wanted else "no"
            return self._moved_on(dispatcher, tracker, screening)

        skipped = parsed.is_dont_know or parsed.value == SKIPPED
        if parsed.understood and not skipped:
            detail = str(parsed.value)
            await with_store(
                lambda store: save_contact_detail(store, sender_id, trial_id, question.id, detail)
            )
            contact[question.id] = GIVEN
        elif skipped or misses + 1 >= CONTACT_ATTEMPTS:
            contact[question.id] = SKIPPED
        else:
            return _missed(misses, parsed)

        if all(contact.get(q) == SKIPPED for q in REACH):
            dispatcher.utter_message(text=messages.render("contact_need_one"))
            for q in REACH:
                contact.pop(q)  # the plan asks for the phone number again
        return self._moved_on(dispatcher, tracker, screening)

    # -- helpers -----------------------------------------------------------------------

    def _not_an_answer(self, tracker: Tracker) -> bool:
        """The form runs on the candidate's message, but Rasa took no answer from it (its
        intent is a question, a correction, a command...). Returning slot events here,
        such as those of asking a question, would make Rasa's form accept the message."""
        if tracker.active_loop.get("name") != self.form_name():
            return False  # the form is being activated
        if ANSWER in tracker.slots_to_validate():
            return False
        return _runs_on_user_message(tracker)

    @staticmethod
    def _ask_pending_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
        """After a failure, the question on screen again, from the slots alone: the
        store may be what failed."""
        try:
            trial = runtime.trial()
            question_id = tracker.get_slot(PENDING_QUESTION)
            if isinstance(question_id, str) and trial.has_question(question_id):
                dispatcher.utter_message(**question_message(trial, trial.question(question_id)))
        except Exception:
            logger.exception("Could not ask the pending question again")

    @staticmethod
    async def _ask(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
        """Ask the plan's next question (again, in its re-ask wording, after a miss)."""
        screening = await _screening(tracker)
        trial = screening.trial
        question_id = screening.step.question_id
        if question_id is None:  # nothing left: ending the form submits the screening
            return [SlotSet(SCREENING_FINISHED, True), SlotSet(REQUESTED_SLOT, None)]
        question = trial.question(question_id)
        same = tracker.get_slot(PENDING_QUESTION) == question_id
        misses = int(tracker.get_slot(MISSES) or 0) if same else 0
        reask = same and bool(tracker.get_slot(REASK))
        sender_id, channel = tracker.sender_id, channel_of(tracker)

        def record(store: ScreeningStore) -> None:
            with store.transaction():
                store.start(sender_id, trial.id, channel)
                store.record_question_asked(sender_id, trial.id, question_id, attempt=misses + 1)

        await with_store(record)
        dispatcher.utter_message(
            **question_message(
                trial, question, reask=reask, problem=tracker.get_slot(ANSWER_PROBLEM)
            )
        )
        return [
            SlotSet(PENDING_QUESTION, question_id),
            SlotSet(MISSES, misses),
            SlotSet(REASK, False),
            SlotSet(ANSWER_PROBLEM, None),
        ]

    @staticmethod
    async def _store_answer(
        tracker: Tracker, screening: Screening, question_id: str, text: str, parsed: Parsed
    ) -> None:
        sender_id, trial_id = tracker.sender_id, screening.trial.id
        screening.answers[question_id] = Answer(question_id, text, parsed)
        evaluation = screening.step.evaluation

        def record(store: ScreeningStore) -> None:
            with store.transaction():
                store.record_answer(sender_id, trial_id, question_id, text, parsed)
                store.save_evaluation(sender_id, trial_id, evaluation)

        await with_store(record)

    @staticmethod
    def _moved_on(
        dispatcher: CollectingDispatcher, tracker: Tracker, screening: Screening
    ) -> Slots:
        """The answer is settled: tell a final outcome once, and let the form go on."""
        step = screening.step
        return {
            ANSWER: None,
            MISSES: 0,
            REASK: False,
            ANSWER_PROBLEM: None,
            CONTACT_GIVEN: screening.contact,
            OUTCOME_TOLD: tell_outcome(dispatcher, step, tracker.get_slot(OUTCOME_TOLD)),
            SCREENING_FINISHED: step.question_id is None,
        }


class ActionFinishScreening(GuardedAction):
    """Completes the screening (handoff for likely/possibly eligible) and says what next."""

    def name(self) -> str:
        return "action_finish_screening"

    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(SCREENING_CLOSED) in (DECLINED, STOPPED):
            return []
        screening = await Screening.load(tracker)
        trial, step = screening.trial, screening.step
        if not step.screening_done:
            return []
        evaluation = step.evaluation
        sender_id, channels = tracker.sender_id, runtime.notify_channels()
        await with_store(
            lambda store: store.complete(sender_id, trial.id, evaluation, notify_channels=channels)
        )
        if evaluation.outcome.hands_off:
            dispatcher.utter_message(
                text=messages.render("finish_handoff", contact_name=trial.contact.name)
            )
            details = ", ".join(d for d in (trial.contact.phone, trial.contact.email) if d)
            if details:
                dispatcher.utter_message(
                    text=messages.render("study_contact_details", contact_details=details)
                )
        else:
            if screening.contact.get("future_contact") == "yes":
                dispatcher.utter_message(text=messages.render("future_contact_kept"))
            dispatcher.utter_message(text=messages.render("finish_not_eligible"))
        return [SlotSet(SCREENING_CLOSED, COMPLETED), SlotSet(SCREENING_FINISHED, True)]

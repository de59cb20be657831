"""What the actions share: the candidate's screening as the core sees it, the question
message, telling the outcome, and the guard that turns a failure into an apology.

Answers come from the screening store (the source of truth); which contact questions
were answered comes from a slot that holds only markers ("given", "skipped", "yes",
"no"), never the details themselves — those go only to the store.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from trialbot import messages
from trialbot.conversation import Step, next_step
from trialbot.criteria import Question, Trial
from trialbot.store import ScreeningStore
from trialbot.verdicts import Answer, Outcome

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Slots (see bot/domain/screening.yml).
ANSWER = "answer"
PENDING_QUESTION = "pending_question"
MISSES = "misses"
REASK = "reask"
ANSWER_PROBLEM = "answer_problem"
CONTACT_GIVEN = "contact_given"
OUTCOME_TOLD = "outcome_told"
SCREENING_FINISHED = "screening_finished"
SCREENING_CLOSED = "screening_closed"
REQUESTED_SLOT = "requested_slot"

# Values of SCREENING_CLOSED.
DECLINED = "declined"
STOPPED = "stopped"
COMPLETED = "completed"

GIVEN = "given"  # a contact detail was stored (the slot never holds the detail)

CONTACT_DETAILS = ("contact_name", "contact_phone", "contact_email")


def save_contact_detail(
    store: ScreeningStore, sender_id: str, trial_id: str, question_id: str, value: str
) -> None:
    """Store one contact detail (name, phone or e-mail) in the store's contact table."""
    store.save_contact(
        sender_id,
        trial_id,
        name=value if question_id == "contact_name" else None,
        phone=value if question_id == "contact_phone" else None,
        email=value if question_id == "contact_email" else None,
    )


async def with_store(work: Callable[[ScreeningStore], T]) -> T:
    """Run store work in a worker thread: the store is synchronous."""
    return await runtime.in_thread(lambda: work(runtime.store()))


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "unknown"


@dataclass
class Screening:
    """One candidate's screening for the bot's trial."""

    sender_id: str
    trial: Trial
    answers: dict[str, Answer] = field(default_factory=dict)
    contact: dict[str, str] = field(default_factory=dict)

    @property
    def step(self) -> Step:
        return next_step(self.trial, self.answers, self.contact)

    @classmethod
    async def load(cls, tracker: Tracker) -> Screening:
        trial = runtime.trial()
        answers = await with_store(lambda store: store.answers(tracker.sender_id, trial.id))
        contact = tracker.get_slot(CONTACT_GIVEN)
        return cls(
            tracker.sender_id,
            trial,
            answers,
            dict(contact) if isinstance(contact, dict) else {},
        )


def question_message(
    trial: Trial, question: Question, *, reask: bool = False, problem: str | None = None
) -> dict[str, Any]:
    """``utter_message`` arguments asking ``question``: its text, its options as buttons,
    and the payload a rich client needs (question id, answer type, options)."""
    if reask:
        text = f"{problem} {question.reask}" if problem else question.reask
    elif question.phase == "consent":
        text = trial.consent.text
    else:
        text = question.text
    return {
        "text": text,
        "buttons": [{"title": option, "payload": option} for option in question.options],
        "json_message": {
            "question_id": question.id,
            "expects": question.expects,
            "options": list(question.options),
        },
    }


def tell_outcome(dispatcher: CollectingDispatcher, step: Step, told: str | None) -> str | None:
    """Tell the candidate the screening's outcome once it is final and not yet told.

    Returns the outcome now told (the value for the ``outcome_told`` slot).
    """
    evaluation = step.evaluation
    outcome = evaluation.outcome
    if not step.screening_done or outcome is Outcome.DECLINED or outcome.value == told:
        return told
    if outcome is Outcome.NOT_ELIGIBLE:
        reason = evaluation.failed[0].reason if evaluation.failed else ""
        dispatcher.utter_message(text=messages.render("outcome_not_eligible", reason=reason))
    elif outcome.hands_off:
        dispatcher.utter_message(text=messages.render("outcome_may_suit"))
    return outcome.value


def apologise(dispatcher: CollectingDispatcher, action: str, tracker: Tracker) -> None:
    """Log the failure; the candidate reads a plain apology, never a traceback."""
    logger.exception("Action %s failed (sender %s)", action, tracker.sender_id)
    dispatcher.utter_message(text=messages.render("something_went_wrong"))


class GuardedAction(Action, ABC):
    """An action whose failure the candidate sees as "sorry, please try again".

    Subclasses implement :meth:`act`. Stored answers are never lost by a failure: every
    store call is its own transaction.
    """

    @abstractmethod
    async def act(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """What the action does; the events it returns."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            return await self.act(dispatcher, tracker, domain)
        except Exception:
            apologise(dispatcher, self.name(), tracker)
            return []

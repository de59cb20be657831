"""The interview's Rasa adapter: one action for every candidate message.

``action_interview`` reads the interview state from its one slot and the answers from
the store, calls :func:`trialbot.interview.turn` (the whole policy lives there), applies
the store operations it returns in one transaction, and sends the replies. The NLU
model's reading (intent, FAQ pick, small-talk reply) goes in only as a hint: the
interview reads every message as an answer first.

A failure (the store unavailable, a bug) leaves the state as it was and the candidate
reads a plain apology: their message can simply be sent again.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Sequence
from datetime import date
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import runtime
from trialbot import buttons, interview, messages, tracker_privacy
from trialbot.criteria import Trial
from trialbot.interview import (
    AskedQuestion,
    Complete,
    Erase,
    Incoming,
    Operation,
    RecordAnswer,
    RecordConsent,
    RecordFlags,
    Resume,
    SaveContact,
    SaveEvaluation,
    Start,
    Stop,
)
from trialbot.store import ScreeningStore
from trialbot.store.erasure import erase_candidate
from trialbot.verdicts import Answer

logger = logging.getLogger(__name__)

STATE_SLOT = "interview"  # bot/domain/interview.yml
PRIVACY_SLOT = tracker_privacy.PRIVACY_SLOT  # what the tracker store may keep of a message
ACTION_NAME = "action_interview"
# Below this ResponseSelector confidence a pick is no answer ("purple" is no question).
MIN_SELECTOR_CONFIDENCE = 0.3
# Phases in which the store holds answers worth loading.
_ANSWERING = ("screening", "contact", "done", "stopped")


def _selection(latest_message: dict[str, Any], retrieval_intent: str) -> dict[str, Any] | None:
    selectors = latest_message.get("response_selector") or {}
    selected = selectors.get(retrieval_intent) or selectors.get("default") or {}
    response = selected.get("response") or {}
    if float(response.get("confidence") or 0.0) < MIN_SELECTOR_CONFIDENCE:
        return None
    key = str(response.get("intent_response_key") or "")
    intent, _, entry = key.partition("/")
    if intent != retrieval_intent or not entry:
        return None
    return {"entry": entry, "responses": response.get("responses") or []}


def faq_id(latest_message: dict[str, Any]) -> str | None:
    """The FAQ entry id the ResponseSelector picked for the message, if confident."""
    picked = _selection(latest_message, "faq")
    return picked["entry"] if picked else None


def chitchat_reply(latest_message: dict[str, Any]) -> str | None:
    """The small-talk reply the ResponseSelector picked, if confident."""
    picked = _selection(latest_message, "chitchat")
    if not picked:
        return None
    texts = [r.get("text") for r in picked["responses"] if isinstance(r, dict) and r.get("text")]
    return str(texts[0]) if texts else None


def new_session(events: Sequence[dict[str, Any]]) -> bool:
    """Did a new Rasa session start (after a break) since the interview last ran?"""
    for event in reversed(events):
        if event.get("event") == "session_started":
            return True
        if event.get("event") == "action" and event.get("name") == ACTION_NAME:
            return False
    return False


def _received_at(latest: dict[str, Any]) -> float | None:
    metadata = latest.get("metadata") or {}
    value = metadata.get("received_at") if isinstance(metadata, dict) else None
    return float(value) if isinstance(value, (int, float)) and value > 0 else None


def incoming_of(tracker: Tracker, now: float | None = None) -> Incoming:
    latest = tracker.latest_message or {}
    intent = latest.get("intent") or {}
    text = str(latest.get("text") or "")
    button = buttons.answer_of(text)
    return Incoming(
        text=button[1] if button else text,
        intent=intent.get("name"),
        intent_confidence=float(intent.get("confidence") or 0.0),
        faq_id=faq_id(latest),
        chitchat=chitchat_reply(latest),
        new_session=new_session(tracker.events),
        question_id=button[0] if button else None,
        received_at=_received_at(latest),
        now=time.time() if now is None else now,
    )


def apply(
    store: ScreeningStore,
    trial: Trial,
    sender_id: str,
    channel: str,
    operations: Sequence[Operation],
    notify_channels: Sequence[str],
) -> None:
    """Apply a turn's store operations, all in one transaction."""
    if not operations:
        return
    erase = any(isinstance(op, Erase) for op in operations)
    if erase:
        # The tracker store deletes this conversation's own events at the end of the turn.
        erase_candidate(store, sender_id, actor="candidate", erase_tracker=False)
        return
    with store.transaction():
        for op in operations:
            if isinstance(op, Start):
                if op.restart:
                    store.restart(sender_id, trial.id, channel)
                else:
                    store.start(sender_id, trial.id, channel)
            elif isinstance(op, RecordConsent):
                store.record_consent(
                    sender_id,
                    trial.id,
                    version=trial.consent.version,
                    agreed=op.agreed,
                    channel=channel,
                )
            elif isinstance(op, AskedQuestion):
                store.start(sender_id, trial.id, channel)
                store.record_question_asked(sender_id, trial.id, op.question_id, attempt=op.attempt)
            elif isinstance(op, RecordAnswer):
                store.record_answer(sender_id, trial.id, op.question_id, op.text, op.parsed)
            elif isinstance(op, SaveEvaluation):
                store.save_evaluation(sender_id, trial.id, op.evaluation)
            elif isinstance(op, SaveContact):
                _save_contact(store, trial.id, sender_id, op)
            elif isinstance(op, RecordFlags):
                store.record_flags(
                    sender_id,
                    trial.id,
                    red_flags=op.red_flags,
                    answered_by=op.answered_by,
                    relationship=op.relationship,
                    call_whom=op.call_whom,
                )
            elif isinstance(op, Complete):
                store.complete(sender_id, trial.id, op.evaluation, notify_channels=notify_channels)
            elif isinstance(op, Stop):
                store.stop(sender_id, trial.id)
            elif isinstance(op, Resume):
                store.resume(sender_id, trial.id)


def _save_contact(store: ScreeningStore, trial_id: str, sender_id: str, op: SaveContact) -> None:
    if op.role == "future_contact":
        store.save_contact(sender_id, trial_id, future_contact=bool(op.value))
        return
    detail = str(op.value)
    store.save_contact(
        sender_id,
        trial_id,
        name=detail if op.role == "name" else None,
        phone=detail if op.role == "phone" else None,
        email=detail if op.role == "email" else None,
    )


def privacy_rule(trial: Trial, state: dict[str, Any], operations: Sequence[Operation]) -> str:
    """The ``privacy`` slot's value for the candidate's next message (what the tracker
    store may keep of it: ``trialbot.tracker_privacy``), from the interview's state."""
    pending = state.get("pending")
    pending_is_contact = (
        isinstance(pending, str)
        and trial.has_question(pending)
        and trial.question(pending).phase == "contact"
    )
    return tracker_privacy.rule_for(
        str(state.get("phase") or "new"),
        pending_is_contact=pending_is_contact,
        erased=any(isinstance(op, Erase) for op in operations),
    )


def without_contact_text(result: interview.Turn, typed: str) -> interview.Turn:
    """A turn on a message typed while a contact detail was asked for, with the message's
    words kept out of the interview slot and the answers: a correction made then ("earlier
    I said 2 years, it's 5 months, my number is ...") keeps only the words that decided
    it (the reading's evidence), never the whole message."""
    state = dict(result.state)
    confirm = state.get("confirm")
    if isinstance(confirm, dict) and confirm.get("text"):
        state["confirm"] = {**confirm, "text": str(confirm.get("evidence") or "")}
    typed = typed.strip()
    operations = tuple(
        dataclasses.replace(op, text=op.parsed.evidence or "")
        if isinstance(op, RecordAnswer) and typed and (op.text in typed or typed in op.text)
        else op
        for op in result.operations
    )
    return dataclasses.replace(result, state=state, operations=operations)


class ActionInterview(Action):
    def name(self) -> str:
        return ACTION_NAME

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        try:
            trial = runtime.trial()
            state = interview.State.from_dict(tracker.get_slot(STATE_SLOT))
            sender_id = tracker.sender_id
            channel = tracker.get_latest_input_channel() or "unknown"
            answers: dict[str, Answer] = {}
            if state.phase in _ANSWERING:
                answers = await runtime.in_thread(
                    lambda: runtime.store().answers(sender_id, trial.id)
                )
            incoming = incoming_of(tracker)
            result = await runtime.in_thread(
                interview.turn, trial, state, incoming, answers, date.today()
            )
            typed_under = privacy_rule(trial, state.to_dict(), ())
            if typed_under == tracker_privacy.CONTACT:
                result = without_contact_text(result, incoming.text)
            privacy = privacy_rule(trial, result.state, result.operations)
            notify = runtime.notify_channels()
            await runtime.in_thread(
                lambda: apply(runtime.store(), trial, sender_id, channel, result.operations, notify)
            )
        except Exception:
            logger.exception("The interview failed on a message")
            dispatcher.utter_message(text=messages.render("something_went_wrong"))
            return []
        for reply in result.replies:
            message: dict[str, Any] = {"text": reply.text}
            if reply.buttons:
                named = (reply.payload or {}).get("question_id")
                message["buttons"] = [
                    {"title": b, "payload": buttons.payload(named, b) if named else b}
                    for b in reply.buttons
                ]
            if reply.payload is not None:
                message["json_message"] = dict(reply.payload)
            dispatcher.utter_message(**message)
        return [SlotSet(STATE_SLOT, result.state), SlotSet(PRIVACY_SLOT, privacy)]

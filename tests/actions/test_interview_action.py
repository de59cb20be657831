"""``action_interview``: the Rasa adapter over the interview, on a real SQLite store.

The interview's policy is tested without Rasa in tests/test_interview.py; these check
what the adapter adds: the state slot, the NLU hints, the store transaction, the
question payload as Rasa sends it, and failures turned into an apology.
"""

from __future__ import annotations

from typing import Any

import pytest

from actions import runtime
from actions.interview import (
    ActionInterview,
    chitchat_reply,
    faq_id,
    new_session,
)
from trialbot import buttons
from trialbot.store import ScreeningStore

from .conftest import ELIGIBLE_ANSWERS, Chat, make_tracker, payloads, run, texts


def question(messages: list[dict[str, Any]]) -> str | None:
    found = [p["question_id"] for p in payloads(messages)]
    return found[-1] if found else None


def test_an_eligible_candidate_ends_with_a_handoff_in_the_store(store: ScreeningStore) -> None:
    chat = Chat("eligible-1")
    messages = chat.say("hi")
    assert question(messages) == "consent"
    for question_id, text in ELIGIBLE_ANSWERS:
        assert question(messages) == question_id, texts(messages)
        messages = chat.say(text)
    for text in ("Jana Novak", "+420 601 123 456", "jana@example.com", "no"):
        messages = chat.say(text)
    report = store.report("eligible-1")
    assert report is not None
    assert report["outcome"] == "likely_eligible"
    assert report["handoff"] is not None
    assert set(report["criteria"].values()) == {"pass"}
    # One slot holds the whole interview state; one tells the tracker store what to keep.
    assert set(chat.slots) == {"interview", "privacy"}
    assert chat.slots["privacy"] == "normal"
    assert chat.state["phase"] == "done"


def test_the_state_slot_never_holds_contact_details(store: ScreeningStore) -> None:
    chat = Chat("private-1")
    chat.say("hi")
    for _, text in ELIGIBLE_ANSWERS:
        chat.say(text)
    chat.say("Jana Novak")
    chat.say("+420 601 123 456")
    assert "Novak" not in repr(chat.slots)
    assert "601" not in repr(chat.slots)


def test_a_question_message_carries_its_payload_and_buttons(store: ScreeningStore) -> None:
    chat = Chat("payload-1")
    messages = chat.say("hi")
    consent = messages[-1]
    assert consent["custom"] == {
        "question_id": "consent",
        "expects": "yes_no",
        "options": ["Yes, I agree", "No, thanks"],
    }
    assert [b["title"] for b in consent["buttons"]] == ["Yes, I agree", "No, thanks"]


def test_an_excluding_answer_is_confirmed_before_it_is_stored(store: ScreeningStore) -> None:
    chat = Chat("confirm-1")
    chat.say("hi")
    chat.say("yes")
    messages = chat.say("I'm 80")
    assert payloads(messages)[-1]["question_id"] == "confirm"
    assert payloads(messages)[-1]["verdicts"] == {"inc_age": "fail"}
    assert "age" not in store.answers("confirm-1", "spinus2")
    chat.say("yes")
    report = store.report("confirm-1")
    assert report is not None and report["outcome"] == "not_eligible"


def test_the_intent_model_does_not_decide_what_an_answer_is(store: ScreeningStore) -> None:
    chat = Chat("intent-1")
    chat.say("hi")
    chat.say("yes")
    messages = chat.say("52", intent="correct")
    assert question(messages) == "low_back_pain"
    assert store.answers("intent-1", "spinus2")["age"].parsed.value == 52


def test_the_faq_pick_answers_a_question_that_is_not_an_answer(store: ScreeningStore) -> None:
    chat = Chat("faq-1")
    chat.say("hi")
    chat.say("yes")
    latest = {
        "text": "who is behind this study?",
        "intent": {"name": "faq", "confidence": 0.9},
        "response_selector": {
            "default": {
                "response": {
                    "intent_response_key": "faq/who_runs_it",
                    "confidence": 0.8,
                    "responses": [{"text": "ignored"}],
                }
            }
        },
    }
    messages = chat.say("who is behind this study?", latest_message=latest)
    assert "Military University Hospital" in texts(messages)[0]
    assert question(messages) == "age"


def test_the_selectors_picks_are_read_only_when_confident() -> None:
    pick = {
        "response_selector": {
            "default": {
                "response": {
                    "intent_response_key": "chitchat/how_are_you",
                    "confidence": 0.9,
                    "responses": [{"text": "I'm fine, thank you for asking!"}],
                }
            }
        }
    }
    assert chitchat_reply(pick) == "I'm fine, thank you for asking!"
    assert faq_id(pick) is None
    pick["response_selector"]["default"]["response"]["confidence"] = 0.1
    assert chitchat_reply(pick) is None


def test_a_new_session_is_noticed_once() -> None:
    assert new_session(
        [{"event": "action", "name": "action_interview"}, {"event": "session_started"}]
    )
    assert not new_session(
        [{"event": "session_started"}, {"event": "action", "name": "action_interview"}]
    )


def test_a_store_failure_is_an_apology_and_keeps_the_state(
    store: ScreeningStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    chat = Chat("broken-1")
    chat.say("hi")
    before = dict(chat.state)

    def unavailable() -> ScreeningStore:
        raise RuntimeError("database is down")

    monkeypatch.setattr(runtime, "store", unavailable)
    events, messages = run(ActionInterview(), make_tracker("broken-1", chat.slots, text="yes"))
    assert events == []
    assert texts(messages) == ["Sorry, something went wrong on my side. Please try again."]
    assert chat.state == before


def test_buttons_send_a_payload_that_names_their_question(store: ScreeningStore) -> None:
    chat = Chat("buttons-1")
    consent = chat.say("hi")[-1]
    payloads_sent = [b["payload"] for b in consent["buttons"]]
    assert payloads_sent == [
        '/answer{"question_id": "consent", "value": "Yes, I agree"}',
        '/answer{"question_id": "consent", "value": "No, thanks"}',
    ]
    messages = chat.say(payloads_sent[0], intent="answer")
    assert question(messages) == "age"
    assert store.answers("buttons-1", "spinus2")["consent"].text == "Yes, I agree"
    # The consent button tapped again, now that the age is asked: nothing changes.
    messages = chat.say(payloads_sent[1], intent="answer")
    assert texts(messages)[0].startswith("That button was for an earlier question")
    assert question(messages) == "age"
    assert chat.state["phase"] == "screening"


@pytest.mark.parametrize(
    "text",
    [
        "/answer",
        "/answer{",
        '/answer{"question_id": 3, "value": "x"}',
        '/answer{"question_id": "age"}',
        '/answer["age", "52"]',
        "/answerx{}",
        'answer{"question_id": "age", "value": "52"}',
        "/answer{" + "x" * 2000 + "}",
    ],
)
def test_anything_else_than_a_well_formed_payload_is_plain_text(text: str) -> None:
    assert buttons.answer_of(text) is None


def test_a_payload_reads_back_what_it_was_made_of() -> None:
    text = buttons.payload("pain_duration", "More than a year — více než rok")
    assert buttons.answer_of(text) == ("pain_duration", "More than a year — více než rok")


def test_the_channel_s_receipt_time_reaches_the_interview(store: ScreeningStore) -> None:
    chat = Chat("double-1")
    chat.say("hi")
    chat.say("yes")
    latest = {"text": "52", "intent": {"name": "inform", "confidence": 1.0}, "entities": []}
    chat.say("52", latest_message={**latest, "metadata": {"received_at": 1.0}})
    assert chat.state["last_answer"]["at"] > 1.0
    # The same message, received before the first was handled: a double tap.
    messages = chat.say("52", latest_message={**latest, "metadata": {"received_at": 2.0}})
    assert texts(messages)[0] == "I have that answer already."
    assert "low_back_pain" not in store.answers("double-1", "spinus2")

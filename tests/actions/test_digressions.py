"""FAQ answers, corrections, starting over and stopping."""

from __future__ import annotations

from actions import runtime
from actions.corrections import ActionApplyCorrection
from actions.faq import ActionCheckFaq
from actions.session import ActionIntroduceStudy, ActionRestart, ActionStopScreening
from trialbot import messages
from trialbot.store import ScreeningStore

from .conftest import (
    ELIGIBLE_ANSWERS,
    Chat,
    apply,
    keys,
    make_tracker,
    payloads,
    run,
    values,
)
from .conftest import texts as texts_of


def faq_message(key: str, confidence: float = 0.9) -> dict:
    return {
        "text": "what is spinal fusion?",
        "intent": {"name": "faq", "confidence": 0.97},
        "entities": [],
        "response_selector": {
            "all_retrieval_intents": ["faq", "chitchat"],
            "faq": {
                "response": {"intent_response_key": key, "confidence": confidence},
                "ranking": [],
            },
        },
    }


def faq_known(events: list[dict]) -> object:
    return next(e["value"] for e in events if e.get("name") == "faq_known")


def test_a_confident_faq_pick_is_known_and_left_to_the_rules_to_say(
    store: ScreeningStore,
) -> None:
    tracker = make_tracker("c1", {}, latest_message=faq_message("faq/what_is_fusion"))

    events, said = run(ActionCheckFaq(), tracker)

    assert faq_known(events) is True
    assert said == []  # utter_faq says the answer (bot/domain/faq.yml, from the criteria)


def test_an_unknown_or_weak_faq_pick_is_not_known(store: ScreeningStore) -> None:
    for message in (
        faq_message("faq/parking"),  # not an entry of the trial's FAQ
        faq_message("faq/why_study", confidence=0.2),  # too weak a pick
        {"text": "purple", "intent": {"name": "faq", "confidence": 0.5}, "entities": []},
    ):
        tracker = make_tracker("c1", {}, latest_message=message)

        events, said = run(ActionCheckFaq(), tracker)

        assert faq_known(events) is False  # the rules say utter_faq_unknown
        assert said == []


def correct(chat: Chat, text: str) -> list[dict]:
    tracker = make_tracker(chat.sender_id, chat.slots, text=text, intent="correct")
    events, said = run(ActionApplyCorrection(), tracker)
    apply(chat.slots, events)
    return said


def test_a_correction_that_makes_the_candidate_ineligible_tells_the_outcome(
    store: ScreeningStore,
) -> None:
    chat = Chat()
    chat.start()
    for _, text in ELIGIBLE_ANSWERS[:6]:  # up to conservative care
        chat.say(text)

    said = correct(chat, "sorry, my pain actually started only 4 months ago")

    assert keys(said) == ["correction_saved", "outcome_not_eligible"]
    assert values(said[0])["question"] == runtime.trial().question("pain_duration").text
    assert "6 months" in values(said[1])["reason"]
    stored = store.answers(chat.sender_id, "spinus2")["pain_duration"]
    assert stored.text == "sorry, my pain actually started only 4 months ago"
    assert store.report(chat.sender_id, "spinus2")["outcome"] == "not_eligible"
    # The form goes on with the plan: the future-contact question.
    assert payloads(chat.ask())[-1]["question_id"] == "future_contact"


def test_a_correction_of_the_age(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")
    chat.say("52")

    said = correct(chat, "I'm actually 80")

    assert keys(said) == ["correction_saved", "outcome_not_eligible"]
    assert store.answers(chat.sender_id, "spinus2")["age"].parsed.value == 80


def test_a_correction_without_a_topic_asks_which_answer(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")

    said = correct(chat, "sorry, that was wrong")

    assert texts_of(said) == [messages.render("correction_which")]


def test_restart_opens_a_new_screening_and_resets_the_conversation(
    store: ScreeningStore,
) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")
    chat.say("52")

    events, said = run(ActionRestart(), make_tracker(chat.sender_id, chat.slots, intent="restart"))

    assert texts_of(said) == [messages.render("restarting")]
    assert {"event": "reset_slots", "timestamp": None} in events
    assert store.answers(chat.sender_id, "spinus2") == {}
    fresh = Chat(chat.sender_id)
    assert payloads(fresh.start())[-1]["question_id"] == "consent"


def test_stop_closes_the_screening_and_the_form(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")

    events, said = run(
        ActionStopScreening(), make_tracker(chat.sender_id, chat.slots, intent="stop")
    )

    assert texts_of(said) == [messages.render("stopped")]
    assert {"event": "active_loop", "name": None, "timestamp": None} in events
    assert store.answers(chat.sender_id, "spinus2")["consent"]  # kept, not erased


def test_greeting_after_a_stop_starts_a_new_screening(store: ScreeningStore) -> None:
    events, said = run(
        ActionIntroduceStudy(), make_tracker("c9", {"screening_closed": "stopped"}, intent="greet")
    )

    trial = runtime.trial()
    assert texts_of(said) == [
        messages.render("study_intro", short_title=trial.short_title, summary=trial.summary)
    ]
    assert trial.summary in said[0]["text"]
    assert {"event": "slot", "name": "screening_closed", "value": None, "timestamp": None} in events


def test_a_failing_action_apologises_and_keeps_the_answers(
    store: ScreeningStore, monkeypatch
) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")

    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(ScreeningStore, "record_answer", broken)
    said = chat.say("52")

    assert said[0]["text"] == messages.render("something_went_wrong")
    assert "Traceback" not in str(said)
    assert payloads(said)[-1]["question_id"] == "age"  # asked again
    assert "consent" in store.answers(chat.sender_id, "spinus2")


def test_a_correction_about_nothing_answered_yet_is_the_answer_on_screen(
    store: ScreeningStore,
) -> None:
    chat = Chat()
    chat.start()
    for _, text in ELIGIBLE_ANSWERS[:7]:  # up to spinal pathology
        chat.say(text)
    assert payloads(chat.ask())[-1]["question_id"] == "spect_intolerance"

    # Read by the model as a correction; it names the SPECT/CT scan, not yet asked.
    said = correct(chat, "yes, I had a bad reaction to the tracer at my last bone scan")

    answers = store.answers(chat.sender_id, "spinus2")
    assert "spect_ct" not in answers
    assert answers["spect_intolerance"].parsed.value == "yes"
    assert keys(said) == ["outcome_not_eligible"]  # no "changed your answer"
    assert store.report(chat.sender_id, "spinus2")["outcome"] == "not_eligible"

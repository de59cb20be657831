"""The screening form's actions: what the candidate is asked, what is stored, and
what they are told at the end."""

from __future__ import annotations

from rasa.shared.core.domain import Domain
from rasa_sdk import Tracker

from actions import runtime
from actions.screening import ValidateScreeningForm
from trialbot import messages
from trialbot.devtools.train import ROOT
from trialbot.store import ScreeningStore
from trialbot.verdicts import Outcome

from .conftest import ELIGIBLE_ANSWERS, Chat, keys, make_tracker, payloads, run, texts, values


def answer_all(chat: Chat, answers: list[tuple[str, str]]) -> list[dict]:
    said = chat.start()
    for question_id, text in answers:
        assert payloads(said)[-1]["question_id"] == question_id, (question_id, texts(said))
        said = chat.say(text)
    return said


def test_first_question_is_consent_with_its_payload_and_buttons(store: ScreeningStore) -> None:
    said = Chat().start()

    assert len(said) == 1
    message = said[0]
    assert message["text"].startswith("Before we start")
    assert message["custom"] == {
        "question_id": "consent",
        "expects": "yes_no",
        "options": ["Yes, I agree", "No, thanks"],
    }
    assert [b["title"] for b in message["buttons"]] == ["Yes, I agree", "No, thanks"]


def test_every_question_carries_id_type_and_options(store: ScreeningStore) -> None:
    chat = Chat()
    said = chat.start()
    said = chat.say("yes")

    assert payloads(said) == [{"question_id": "age", "expects": "age", "options": []}]
    assert said[-1]["text"] == "How old are you?"
    said = chat.say("52")
    assert payloads(said)[-1]["question_id"] == "low_back_pain"
    assert payloads(said)[-1]["options"] == ["Yes", "No", "I'm not sure"]


def test_a_miss_is_asked_again_in_other_words_then_recorded_as_unknown(
    store: ScreeningStore,
) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")

    first_miss = chat.say("purple elephants")
    assert first_miss[-1]["custom"]["question_id"] == "age"
    assert first_miss[-1]["text"].startswith("Sorry, I didn't catch your age.")
    assert "age" not in store.answers(chat.sender_id, "spinus2")

    second_miss = chat.say("banana")
    assert second_miss[-1]["custom"]["question_id"] == "low_back_pain"
    stored = store.answers(chat.sender_id, "spinus2")["age"]
    assert stored.parsed.understood is False
    assert stored.text == "banana"


def test_dont_know_is_stored_as_unknown_at_once(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")
    chat.say("52")

    said = chat.say("I don't know")

    assert payloads(said)[-1]["question_id"] == "radicular_pain"
    assert store.answers(chat.sender_id, "spinus2")["low_back_pain"].parsed.is_dont_know


def test_refusing_consent_stores_nothing_else_and_ends_politely(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()

    said = chat.say("no")

    assert texts(said) == [messages.render("consent_declined")]
    assert chat.form_done
    assert store.answers(chat.sender_id, "spinus2") == {}
    assert store.report(chat.sender_id, "spinus2")["outcome"] == "declined"
    assert chat.finish() == []  # nothing to complete


def test_consent_is_asked_again_until_yes_or_no(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()

    for _ in range(3):
        said = chat.say("hmm what")
        assert said[-1]["custom"]["question_id"] == "consent"
    assert store.answers(chat.sender_id, "spinus2") == {}


def test_too_old_is_told_which_requirement_and_why(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")

    said = chat.say("I'm 80")

    assert keys(said) == ["outcome_not_eligible"]
    reason = values(said[0])["reason"]
    assert "aged 18 to 75" in reason and "80" in reason
    assert payloads(said)[-1]["question_id"] == "future_contact"  # the plan goes on


def test_ineligible_without_future_contact_completes_without_handoff(
    store: ScreeningStore,
) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")
    chat.say("80")

    said = chat.say("no")
    assert chat.form_done and said == []

    finish = chat.finish()
    assert texts(finish) == [messages.render("finish_not_eligible")]
    report = store.report(chat.sender_id, "spinus2")
    assert report["outcome"] == Outcome.NOT_ELIGIBLE.value
    assert report["handoff"] is None


def test_eligible_candidate_gives_contact_details_and_is_handed_off(
    store: ScreeningStore,
) -> None:
    chat = Chat()
    said = answer_all(chat, ELIGIBLE_ANSWERS)

    assert keys(said) == ["outcome_may_suit"]
    assert payloads(said)[-1]["question_id"] == "contact_name"
    said = chat.say("Jana Novak")
    assert payloads(said)[-1]["question_id"] == "contact_phone"
    said = chat.say("+420 601 123 456")
    assert payloads(said)[-1]["question_id"] == "contact_email"
    said = chat.say("skip")
    assert payloads(said)[-1]["question_id"] == "future_contact"
    said = chat.say("yes please")
    assert chat.form_done

    finish = chat.finish()
    contact = runtime.trial().contact
    assert keys(finish)[0] == "finish_handoff"
    assert values(finish[0])["contact_name"] == contact.name  # the study contact is named
    if contact.phone or contact.email:
        assert keys(finish) == ["finish_handoff", "study_contact_details"]
    report = store.report(chat.sender_id, "spinus2")
    assert report["outcome"] in (Outcome.LIKELY_ELIGIBLE.value, Outcome.POSSIBLY_ELIGIBLE.value)
    assert report["handoff"] is not None
    # The contact details went to the contact table, not into the answers.
    assert not {"contact_name", "contact_phone", "contact_email"} & set(report["answers"])
    assert "Jana" not in str(chat.slots)


def test_finishing_twice_creates_one_handoff(store: ScreeningStore) -> None:
    chat = Chat()
    answer_all(chat, ELIGIBLE_ANSWERS)
    for text in ("Jana Novak", "+420 601 123 456", "jana@example.com", "no"):
        chat.say(text)
    chat.finish()
    first = store.report(chat.sender_id, "spinus2")["handoff"]["id"]

    chat.finish()

    assert store.report(chat.sender_id, "spinus2")["handoff"]["id"] == first


def test_invalid_contact_details_are_asked_again_with_the_reason(store: ScreeningStore) -> None:
    chat = Chat()
    answer_all(chat, ELIGIBLE_ANSWERS)
    chat.say("Jana Novak")

    said = chat.say("12")

    assert said[-1]["custom"]["question_id"] == "contact_phone"
    reask = said[-1]["text"]
    assert reask.endswith('for example "+420 601 123 456".')
    assert len(reask) > len("Please write your phone number with the country code, ")


def test_phone_and_email_cannot_both_be_skipped(store: ScreeningStore) -> None:
    chat = Chat()
    answer_all(chat, ELIGIBLE_ANSWERS)
    chat.say("Jana Novak")
    chat.say("skip")

    said = chat.say("skip")

    assert keys(said) == ["contact_need_one"]
    assert payloads(said)[-1]["question_id"] == "contact_phone"


def test_a_red_flag_in_an_answer_gets_urgent_advice_and_the_screening_goes_on(
    store: ScreeningStore,
) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")
    chat.say("52")
    chat.say("yes")

    said = chat.say("it goes down to my foot and I can't control my bladder since yesterday")

    assert said[0]["text"] == messages.render("red_flag")
    assert payloads(said)  # the next question follows


def test_rasa_sends_the_action_server_no_domain() -> None:
    """The actions run with an empty domain (conftest.DOMAIN); Rasa must send none, or
    each request carries the whole domain for nothing."""
    endpoints = (ROOT / "bot" / "endpoints.yml").read_text()
    assert "enable_selective_domain: true" in endpoints
    domain = Domain.load(str(ROOT / "bot" / "domain"))
    assert not any(domain.does_custom_action_explicitly_need_domain(a) for a in domain.user_actions)


def test_the_form_has_no_ask_action_so_each_turn_is_one_call() -> None:
    """The validation action asks the next question itself. If the domain had an ask
    action or response for the form's slot, Rasa would ask again, in a second call."""
    from rasa.core.actions.forms import FormAction

    domain = Domain.load(str(ROOT / "bot" / "domain"))
    form = FormAction("screening_form", None)
    assert form._name_of_utterance(domain, "answer") is None


def _form_run(chat: Chat, *before_form: dict, text: str, intent: str) -> Tracker:
    """The tracker Rasa sends when the form runs: the events since the candidate's
    message, then the form's own run (and no slot candidates)."""
    return make_tracker(
        chat.sender_id,
        chat.slots,
        text=text,
        intent=intent,
        events=[
            *before_form,
            {"event": "slot", "name": "requested_slot", "value": "answer"},
            {"event": "action", "name": "screening_form"},
        ],
    )


def test_a_message_the_form_did_not_take_is_left_to_the_rules(store: ScreeningStore) -> None:
    """Rasa took no answer from the message (a correction, a question): the validation
    returns nothing, so Rasa's form rejects the run and the rules answer the message."""
    chat = Chat()
    chat.start()
    chat.say("yes")
    tracker = _form_run(chat, text="sorry, I meant 4 months", intent="correct")

    events, said = run(ValidateScreeningForm(), tracker)

    assert events == [] and said == []
    assert "age" not in store.answers(chat.sender_id, "spinus2")


def test_coming_back_after_a_digression_asks_the_pending_question(store: ScreeningStore) -> None:
    chat = Chat()
    chat.start()
    chat.say("yes")
    tracker = _form_run(
        chat,
        {"event": "action", "name": "action_check_faq"},
        {"event": "slot", "name": "faq_known", "value": True},
        {"event": "action", "name": "utter_faq"},
        text="how long does the study last?",
        intent="faq",
    )

    events, said = run(ValidateScreeningForm(), tracker)

    assert payloads(said) == [payloads(chat.ask())[-1]]
    assert payloads(said)[0]["question_id"] == "age"
    assert {"event": "slot", "name": "pending_question", "value": "age"} in [
        {k: e[k] for k in ("event", "name", "value")} for e in events if e["event"] == "slot"
    ]

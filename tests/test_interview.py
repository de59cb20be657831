"""The interview, without Rasa and without a database: how each message is treated.

Every test is a conversation with :class:`interview_helpers.Talk`, asserting on what the
candidate reads, what is asked next and what would be stored.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from interview_helpers import ELIGIBLE, TRIAL, Talk, play

from trialbot.answers import Parsed
from trialbot.interview import MAX_MESSAGE_CHARS, State, command_of, describe


def answered(**overrides: str) -> dict[str, str]:
    return {**ELIGIBLE, **overrides}


# --- consent -----------------------------------------------------------------------------


def test_a_first_message_of_any_kind_gets_the_study_and_the_consent_question() -> None:
    talk = Talk()
    talk.say("Good afternoon. My daughter told me to try this")
    assert talk.pending == "consent"
    assert TRIAL.consent.text in talk.text()
    assert "which answer" not in talk.text().lower()


def test_how_do_i_sign_up_starts_the_screening_and_then_means_yes() -> None:
    talk = Talk()
    talk.say("How do I sign up?")
    assert talk.pending == "consent"
    assert "fine, thank you" not in talk.text()
    talk.say("I want to take part")
    assert talk.consent is True
    assert talk.pending == "age"


@pytest.mark.parametrize(
    "refusal",
    [
        "no thanks, I'd rather not give out medical details",
        "no",
        "nope not interested",
        "I don't agree",
        "no thank you",
    ],
)
def test_refusal_in_any_words_ends_politely_and_keeps_no_answers(refusal: str) -> None:
    talk = Talk()
    talk.say("hi")
    replies = talk.say(refusal)
    assert talk.consent is False
    assert talk.outcome == "declined"
    assert talk.pending is None
    assert "thank you for your time" in " ".join(replies).lower()


def test_someone_who_declined_and_then_agrees_can_start() -> None:
    talk = Talk()
    talk.say("hi")
    talk.say("no")
    talk.say("ok, fine, I agree")
    assert talk.consent is True
    assert talk.pending == "age"


def test_a_question_at_consent_is_answered_and_the_short_question_follows() -> None:
    talk = Talk()
    talk.say("hi")
    talk.say("what is spinal fusion?")
    assert "joins two or more" in talk.text()
    assert talk.pending == "consent"
    assert TRIAL.consent.text not in talk.text(), "the long consent text is not repeated"


def test_consent_is_never_assumed_and_never_asked_forever() -> None:
    talk = Talk()
    talk.say("hi")
    tries = 0
    while talk.pending is not None and tries < 6:
        talk.say("purple elephants")
        tries += 1
    assert talk.consent is None
    assert talk.pending is None, "gave up asking after three tries"
    assert tries <= 3


# --- answer first ------------------------------------------------------------------------


def test_several_answers_in_one_message_fill_every_question_they_answer() -> None:
    talk = Talk()
    talk.start()
    talk.say(
        "I'm 62, my back has hurt for 5 years and it goes into my left buttock but not past the knee"
    )
    assert talk.value("age") == 62
    assert talk.value("pain_duration")["months"] == 60
    assert talk.value("radicular_pain") == "above_knee"
    assert talk.text().startswith("Got it:")
    assert talk.pending not in ("age", "pain_duration", "radicular_pain")


def test_an_ordinary_answer_is_taken_whatever_the_intent_model_says() -> None:
    talk = Talk()
    talk.start()
    for question in ("age", "low_back_pain", "radicular_pain", "pain_duration"):
        assert talk.pending == question
        talk.say(ELIGIBLE[question], intent="correct", intent_confidence=0.99)
    assert talk.pending == "conservative_care"
    talk.say("suppose so, the physio was pretty useless", intent="faq", faq_id="what_is_study")
    assert talk.value("conservative_care")["tried"] == ["physiotherapy"]
    assert "SPINUS II is a study" not in talk.text()


def test_a_time_inside_an_answer_is_not_a_correction() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spect_intolerance")
    duration = talk.value("pain_duration")
    talk.say("No reason, I had the scan with the injection 2 years ago", intent="correct")
    assert talk.value("spect_intolerance") == "no"
    assert talk.value("pain_duration") == duration


def test_an_answer_that_also_asks_gets_both() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spect_ct")
    talk.say("yes at 2 levels - what is a SPECT/CT scan exactly?")
    assert talk.value("spect_ct")["levels"] == 2
    assert "bone scan" in talk.text()


def play_until(talk: Talk, question: str) -> None:
    for _ in range(20):
        if talk.pending == question:
            return
        talk.say(ELIGIBLE[talk.pending or "age"])
    raise AssertionError(f"{question} was never asked")


# --- confirm before excluding ------------------------------------------------------------


def test_an_excluding_reading_is_confirmed_with_its_verdicts_first() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "radicular_pain")
    talk.say("it goes down past my knee into my calf")
    assert talk.pending == "confirm"
    payload = talk.payload
    assert payload == {
        "question_id": "confirm",
        "confirms": "radicular_pain",
        "verdicts": {"inc_low_back_pain": "fail"},
        "expects": "yes_no",
        "options": ["Yes", "No"],
    }
    assert "below your knee" in talk.text()
    assert "radicular_pain" not in talk.answers, "nothing stored before the yes"
    talk.say("yes")
    assert talk.value("radicular_pain") == "below_knee"
    assert "not a good fit" in talk.text()
    assert talk.pending == "future_contact", "no more screening questions after a fail"


def test_no_to_a_confirmation_asks_again_with_buttons_and_the_next_answer_replaces() -> None:
    talk = Talk()
    talk.start()
    talk.say("I'm 80")
    assert talk.pending == "confirm"
    talk.say("no, that's not right")
    assert talk.pending == "age"
    talk.say("58")
    assert talk.value("age") == 58
    assert talk.pending == "low_back_pain"


def test_a_new_answer_instead_of_yes_or_no_replaces_the_reading() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "radicular_pain")
    talk.say("down to my calf")
    assert talk.pending == "confirm"
    talk.say("no, sorry, it only goes into my thigh")
    assert talk.value("radicular_pain") == "above_knee"


def test_a_reading_refused_twice_is_recorded_as_not_known() -> None:
    talk = Talk()
    talk.start()
    talk.say("I'm 80")
    talk.say("no")
    talk.say("80")
    assert talk.pending == "confirm"
    talk.say("no")
    assert "age" in talk.answers and talk.value("age") is None
    assert talk.pending == "low_back_pain"


# --- never loops --------------------------------------------------------------------------


def test_the_first_reask_offers_buttons_then_the_bot_notes_not_sure_and_moves_on() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "pain_duration")
    talk.say("banana")
    assert talk.pending == "pain_duration"
    assert talk.buttons == (
        "Less than 6 months",
        "6 to 12 months",
        "More than a year",
        "I'm not sure",
    )
    talk.say("purple")
    assert "not sure" in talk.text()
    assert talk.pending == "conservative_care"
    assert "pain_duration" in talk.answers and not talk.answers["pain_duration"].parsed.understood


@pytest.mark.parametrize(
    "option", ["Less than 6 months", "6 to 12 months", "More than a year", "I'm not sure"]
)
def test_every_reask_button_for_the_duration_is_understood(option: str) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "pain_duration")
    talk.say("??")
    talk.say(option)
    if talk.pending == "confirm":  # "less than 6 months" excludes: confirmed first
        talk.say("yes")
    assert talk.answers["pain_duration"].parsed.understood


def test_questions_in_a_row_cannot_hold_a_question_open_forever() -> None:
    talk = Talk()
    talk.start()
    asked = 0
    for _ in range(6):
        talk.say("what is an MRI?")
        if talk.pending != "age":
            break
        asked += 1
    assert talk.pending == "low_back_pain"
    assert asked <= 2


# --- commands -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("stop", "stop"),
        ("please stop", "stop"),
        ("STOP!", "stop"),
        ("start over", "restart"),
        ("can we start again", "restart"),
        ("go back", "back"),
        ("help", "help"),
        ("talk to a person", "human"),
        ("can I speak to a real person please", "human"),
        ("delete my data", "erase"),
        ("forget me", "erase"),
        ("remove everything I said", "erase"),
        ("please delete all my data", "erase"),
        ("it doesn't stop hurting", None),
        ("I need help with my back pain, it goes to my calf", None),
        ("my back", None),
        ("no", None),
    ],
)
def test_commands_are_whole_messages(text: str, command: str | None) -> None:
    assert command_of(text) == command


def test_stop_then_coming_back_continues_where_we_left_off() -> None:
    talk = Talk()
    talk.start()
    talk.say("58")
    talk.say("stop")
    assert talk.status == "stopped"
    assert talk.pending is None
    talk.say("hello again")
    assert "Welcome back" in talk.text()
    talk.say("yes")
    assert talk.status == "in_progress"
    assert talk.pending == "low_back_pain"
    assert talk.value("age") == 58


def test_go_back_asks_the_previous_question_again_without_restarting() -> None:
    talk = Talk()
    talk.start()
    talk.say("58")
    talk.say("go back")
    assert talk.pending == "age"
    talk.say("59")
    assert talk.value("age") == 59
    assert talk.pending == "low_back_pain"


def test_help_explains_and_does_not_skip() -> None:
    talk = Talk()
    talk.start()
    talk.say("help")
    assert talk.pending == "age"
    assert "own words" in talk.text()
    talk.say("60")
    assert talk.value("age") == 60


def test_start_over_opens_a_new_screening_at_consent() -> None:
    talk = Talk()
    talk.start()
    talk.say("58")
    talk.say("start over")
    assert talk.pending == "consent"
    assert talk.answers == {}


def test_talk_to_a_person_gives_the_study_contact_and_the_question_again() -> None:
    talk = Talk()
    talk.start()
    talk.say("talk to a person")
    assert TRIAL.contact.name in talk.text()
    assert talk.pending == "age"


def test_delete_my_data_asks_first_then_erases() -> None:
    talk = Talk()
    talk.start()
    talk.say("58")
    talk.say("please delete my data")
    assert talk.pending == "erase"
    assert not talk.erased
    talk.say("yes")
    assert talk.erased
    assert "deleted" in talk.text()


def test_bye_in_the_middle_is_not_an_answer() -> None:
    talk = Talk()
    talk.start()
    talk.say("bye")
    assert "age" not in talk.answers
    assert talk.pending == "age"


# --- corrections ---------------------------------------------------------------------------


def test_a_correction_is_applied_to_its_question_and_the_pending_one_comes_back() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "conservative_care")
    talk.say("sorry, I'm actually 63")
    assert talk.value("age") == 63
    assert "63" in talk.text()
    assert talk.pending == "conservative_care"


def test_an_excluding_correction_is_confirmed_then_ends_the_screening() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "conservative_care")
    talk.say("hang on, earlier I said two years but it's really just 5 months")
    assert talk.payload.get("confirms") == "pain_duration"
    talk.say("yes")
    assert talk.value("pain_duration")["months"] == 5
    assert "not a good fit" in talk.text()


# --- questions about the study and the bot's words ------------------------------------------


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("what is an MRI?", "strong magnet"),
        ("what does radiate mean?", "spreads from one place"),
        ("what is spondylolisthesis?", "slipped forward"),
        ("how many questions are left?", "more question"),
    ],
)
def test_a_question_gets_a_short_answer_then_the_pending_question(
    question: str, words: str
) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "radicular_pain")
    talk.say(question)
    assert words in talk.text()
    assert talk.pending == "radicular_pain"
    assert "radicular_pain" not in talk.answers


@pytest.mark.parametrize(
    ("pending", "question", "words"),
    [
        ("spect_ct", "what is this?", "radioactive tracer"),
        ("mri", "what's that?", "strong magnet"),
        ("radicular_pain", "sorry, what does that mean?", "spreads from one place"),
        ("spect_ct", "what is it? i never had", "radioactive tracer"),
    ],
)
def test_what_is_this_explains_the_word_of_the_question_on_screen(
    pending: str, question: str, words: str
) -> None:
    # The intent model may take "what is this?" for a question about the study.
    talk = Talk()
    talk.start()
    play_until(talk, pending)
    said = " ".join(talk.say(question, intent="faq", faq_id="what_is_study"))
    assert words in said
    assert "Military University Hospital" not in said
    assert talk.asked[-1] == pending or talk.pending == pending or pending in talk.answers


@pytest.mark.parametrize(
    "question", ["why do you need that?", "why?", "why are you asking me this?"]
)
def test_why_do_you_need_that_says_why_the_question_is_asked_and_asks_it_again(
    question: str,
) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "radicular_pain")
    said = " ".join(talk.say(question))
    assert "where the pain goes" in said  # the question's topic from the trial file
    assert "don't know the answer" not in said
    assert talk.pending == "radicular_pain"
    talk.say("it stays in my back")
    assert talk.answers["radicular_pain"].parsed.value == "none"


def test_saying_mid_way_that_the_answers_are_for_a_relative_is_not_a_miss() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "low_back_pain")
    said = " ".join(talk.say("sorry, it's my dad who has the pain, I'm his son"))
    assert talk.answered_by == "relative"
    assert talk.flags.get("relationship") == "father"
    assert "not sure" not in said
    assert talk.pending == "low_back_pain"
    talk.say("hmm")  # one real miss: asked again with buttons, not given up
    assert talk.pending == "low_back_pain"
    talk.say("yes")
    assert talk.answers["low_back_pain"].parsed.value == "yes"


def test_a_yes_or_no_taken_back_at_once_keeps_the_second_answer() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "low_back_pain")
    talk.say("no wait, yes")
    assert talk.answers["low_back_pain"].parsed.value == "yes"
    assert talk.pending != "confirm"


def test_learner_english_for_an_age_is_not_a_duration_too() -> None:
    talk = Talk()
    talk.start()
    talk.say("i have 54 years")
    assert talk.answers["age"].parsed.value == 54
    assert "pain_duration" not in talk.answers


def test_why_do_you_need_my_phone_number_is_answered_in_the_contact_phase() -> None:
    talk = Talk()
    talk.start()
    play(talk, {**ELIGIBLE, "contact_phone": "why do you need my phone number?"}, limit=20)
    # the persona answers the same each time: asked at most three times, then skipped
    assert talk.pending is None
    assert talk.outcome == "likely_eligible"


# --- red flags ----------------------------------------------------------------------------------


def test_a_red_flag_warning_comes_alone_names_the_numbers_and_is_stored() -> None:
    talk = Talk()
    talk.start()
    talk.say("58")
    talk.say("yes. Since yesterday I can't control my bladder")
    warning, *rest = talk.last
    assert "155" in warning.text and "112" in warning.text
    assert warning.payload is None, "the question follows as its own message"
    assert talk.pending == "radicular_pain"
    assert "bladder_bowel" in talk.red_flags


def test_a_red_flag_after_the_outcome_is_noticed() -> None:
    talk = Talk()
    talk.start()
    play(talk, ELIGIBLE)
    talk.say("I lost control of my bladder, what do I do?")
    assert "155" in talk.text()
    assert "bladder_bowel" in talk.red_flags


def test_ordinary_pain_descriptions_are_not_red_flags() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "radicular_pain")
    talk.say("it stays in my back, worst in the mornings and after I work in the garden")
    assert "155" not in talk.text()
    assert talk.red_flags == ()


# --- honest outcomes ---------------------------------------------------------------------------


def test_nine_dont_knows_are_not_possibly_eligible() -> None:
    talk = Talk()
    talk.start()
    play(talk, {"confirm": "yes"}, limit=40)
    assert talk.outcome == "incomplete"
    assert "study team" in talk.text()


def test_a_name_must_look_like_a_name() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spect_ct")
    talk.say(ELIGIBLE["spect_ct"])
    assert talk.pending == "contact_name"
    talk.say("no idea")
    assert "name" not in talk.contact
    assert talk.pending == "contact_name"


def test_an_eligible_candidate_is_handed_off_with_contact_details() -> None:
    talk = Talk()
    talk.start()
    turns = play(talk, ELIGIBLE)
    assert talk.outcome == "likely_eligible"
    assert talk.contact["phone"] == "+420601123456"
    assert talk.contact["name"] == "Jana Novak"
    assert turns <= 16


# --- relatives, long messages, state -------------------------------------------------------------


def test_someone_answering_for_a_relative_is_noticed() -> None:
    talk = Talk()
    talk.start("hi, it's for my mum")
    talk.say("she is 67")
    assert talk.value("age") == 67
    assert talk.answered_by == "relative"


def test_a_relative_is_asked_whom_to_call_before_the_contact_details() -> None:
    talk = Talk()
    talk.start("hello, i'm asking for my mum")
    assert talk.answered_by == "relative"  # noticed before consent, recorded with it
    play(talk, {**ELIGIBLE, "call_whom": "best to ring me, she's hard of hearing"})
    assert talk.outcome == "likely_eligible"
    assert talk.flags["relationship"] == "mother"
    assert talk.flags["call_whom"] == "answerer"
    assert "call_whom" in talk.asked_pseudo
    assert talk.contact["name"]  # the contact questions followed


@pytest.mark.parametrize(
    ("said", "whom"),
    [
        ("Call them", "candidate"),
        ("Call me", "answerer"),
        ("call her directly please", "candidate"),
        ("ring my dad, he can talk fine", "candidate"),
        ("me, i'm his carer", "answerer"),
        ("either is fine", "either"),
        ("doesn't matter", "either"),
    ],
)
def test_whom_to_call_in_people_s_words(said: str, whom: str) -> None:
    talk = Talk()
    talk.start("it's for my father")
    play(talk, {**ELIGIBLE, "call_whom": said})
    assert talk.flags["call_whom"] == whom


def test_whom_to_call_is_asked_at_most_twice() -> None:
    talk = Talk()
    talk.start("it's for my husband")
    play(talk, {**ELIGIBLE, "call_whom": "purple"})
    assert talk.asked_pseudo.count("call_whom") == 2
    assert talk.flags["call_whom"] == "not_said"
    assert talk.outcome == "likely_eligible"


@pytest.mark.parametrize(
    ("opening", "candidate_is"),
    [
        ("hi, it's for my mum", "mother"),
        ("hello, i'm his son", "father"),
        ("i am her husband, she can't type", "wife"),
        ("im asking for my neighbor", "neighbour"),
    ],
)
def test_what_the_candidate_is_to_the_one_answering(opening: str, candidate_is: str) -> None:
    talk = Talk()
    talk.start(opening)
    assert talk.state["relationship"] == candidate_is


def test_not_sure_whom_to_call_moves_on_at_once() -> None:
    talk = Talk()
    talk.start("it's for my wife")
    play(talk, {**ELIGIBLE, "call_whom": "I'm not sure"})
    assert talk.asked_pseudo.count("call_whom") == 1
    assert talk.flags["call_whom"] == "not_said"


@pytest.mark.parametrize("said", ["ok no", "ok, no thanks", "yes no", "ok but not now"])
def test_a_leading_ok_then_no_is_no_consent(said: str) -> None:
    talk = Talk()
    talk.say("hi")
    talk.say(said)
    assert talk.consent is not True
    assert "age" not in talk.asked


@pytest.mark.parametrize("said", ["sure, no problem", "okay no worries", "yes please"])
def test_yes_with_no_problem_is_consent(said: str) -> None:
    talk = Talk()
    talk.say("hi")
    talk.say(said)
    assert talk.consent is True


def test_a_relative_hears_the_check_about_the_person_not_about_themselves() -> None:
    talk = Talk()
    talk.start("it's for my mum")
    talk.say("she is 80")
    assert talk.pending == "confirm"
    assert "they are 80" in talk.text() and "you are" not in talk.text()


@pytest.mark.parametrize("own", ["im 45", "I'm 45 years old", "i was born in 1981"])
def test_a_relative_giving_their_own_age_is_asked_for_the_persons(own: str) -> None:
    talk = Talk()
    talk.start("it's for my mum")
    talk.say(own)
    assert "age" not in talk.answers
    assert "your own age" in talk.text() and talk.pending == "age"
    talk.say("she's 67")
    assert talk.value("age") == 67


def test_someone_answering_for_themselves_hears_you() -> None:
    talk = Talk()
    talk.start()
    talk.say("80")
    assert "you are 80" in talk.text()


def test_a_relative_is_not_asked_whom_to_call_when_no_details_are_noted() -> None:
    """Not eligible, and no to future studies: no contact details, so no "whom to call"."""
    talk = Talk()
    talk.start("it's for my mum")
    play(talk, {**ELIGIBLE, "age": "she is 80", "future_contact": "no"})
    assert talk.outcome == "not_eligible"
    assert "call_whom" not in talk.asked_pseudo


def test_a_relative_is_asked_whom_to_call_once_details_are_to_be_noted() -> None:
    talk = Talk()
    talk.start("it's for my mum")
    play(talk, {**ELIGIBLE, "age": "she is 80", "future_contact": "yes", "call_whom": "me"})
    assert talk.outcome == "not_eligible"
    assert talk.contact["name"]  # details for future studies are noted: whose?
    assert talk.asked.index("future_contact") < talk.asked.index("contact_name")
    assert talk.flags["call_whom"] == "answerer"


def test_someone_answering_for_themselves_is_not_asked_whom_to_call() -> None:
    talk = Talk()
    talk.start()
    play(talk, ELIGIBLE)
    assert "call_whom" not in talk.asked_pseudo
    assert talk.flags.get("call_whom") is None


def test_a_very_long_message_is_cut_with_a_polite_note() -> None:
    talk = Talk()
    talk.start()
    talk.say("52 " + "a" * (MAX_MESSAGE_CHARS * 3))
    assert "only read the first" in talk.text()


@pytest.mark.parametrize("junk", [None, "x", 3, [], {"phase": 7, "asks": "x", "contact": []}])
def test_a_malformed_state_starts_afresh(junk: object) -> None:
    assert State.from_dict(junk) == State()


# --- plain words for every reading ----------------------------------------------------------

READINGS = {
    "age": [52, 80],
    "low_back_pain": ["yes", "no"],
    "radicular_pain": ["none", "above_knee", "below_knee", "leg_unspecified"],
    "pain_duration": [
        {"months": 0.5, "bound": "exact"},
        {"months": 5, "bound": "less_than"},
        {"months": 30, "bound": "more_than"},
    ],
    "conservative_care": [
        {"tried": [], "relief": None},
        {"tried": ["physiotherapy", "injections"], "relief": "temporary"},
        {"tried": ["massage"], "relief": "lasting"},
    ],
    "spinal_pathology": [
        {"conditions": [], "other": []},
        {"conditions": ["tumour", "spondylolisthesis"], "other": []},
    ],
    "spect_intolerance": ["yes", "no"],
    "mri": [
        {"had": "no", "findings": []},
        {"had": "yes", "findings": ["normal"]},
        {"had": "yes", "findings": ["degenerated_disc", "facet_arthropathy"]},
        {"had": "yes", "findings": []},
    ],
    "spect_ct": [
        {"had": "no", "levels": None, "positive": None},
        {"had": "yes", "levels": None, "positive": False},
        {"had": "yes", "levels": 1, "positive": True},
        {"had": "yes", "levels": 3, "positive": True},
        {"had": "yes", "levels": None, "positive": None},
    ],
}


@pytest.mark.parametrize(
    ("question_id", "value"), [(q, v) for q, values in READINGS.items() for v in values]
)
def test_every_reading_can_be_said_back_in_plain_words(question_id: str, value: object) -> None:
    question = TRIAL.question(question_id)
    text = describe(question, Parsed(understood=True, value=value))
    assert text and "{" not in text and "_" not in text
    assert describe(question, Parsed.dont_know())
    assert describe(question, Parsed.not_understood())


# --- never loops -------------------------------------------------------------------------------

NOISE = st.one_of(
    st.sampled_from(
        [
            "",
            "   ",
            "banana",
            "the weather is lovely today",
            "what's the capital of France?",
            "<script>alert(1)</script>",
            "'; DROP TABLE screenings; --",
            "\x00\x01",
            "🙂🙂🙂",
            "?",
            "asdfghjkl",
            "lol",
            "what is an MRI?",
            "how many questions are left?",
            "x" * 3000,
            "hello",
            "thanks",
        ]
    ),
    st.text(max_size=30),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NOISE, min_size=1, max_size=6), st.booleans())
def test_random_noise_always_reaches_an_end_within_a_fixed_number_of_turns(
    noise: list[str], consent_first: bool
) -> None:
    talk = Talk()
    talk.say("hi")
    if consent_first:
        talk.say("yes")
    for turn in range(80):
        if talk.pending is None:
            break
        talk.say(noise[turn % len(noise)])
    assert talk.pending is None, f"still asking {talk.state.get('pending')} after 80 turns"
    if consent_first:
        assert talk.outcome in (
            "not_eligible",
            "incomplete",
            "possibly_eligible",
            "likely_eligible",
        )


def test_coming_back_after_a_break_continues_with_the_answers_kept() -> None:
    talk = Talk()
    talk.start()
    talk.say("58")
    talk.say("hello, it's me again", new_session=True)
    assert "Welcome back" in talk.text()
    assert talk.pending == "low_back_pain"
    assert talk.state["misses"] == 0
    talk.say("yes", new_session=True)
    assert talk.value("low_back_pain") == "yes"


def test_no_thats_not_right_is_not_itself_the_new_answer() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spect_intolerance")
    talk.say("i had a reaction to the tracer once")
    assert talk.payload.get("confirms") == "spect_intolerance"
    talk.say("no, that's not right")
    assert "spect_intolerance" not in talk.answers, "'no' to the check is not 'no reason'"
    assert talk.pending == "spect_intolerance"


@pytest.mark.parametrize("unsure", ["not sure", "not really sure", "dunno tbh", "I can't remember"])
def test_not_sure_to_a_check_keeps_the_reading_as_a_guess(unsure: str) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "pain_duration")
    talk.say("maybe 5 months? not really sure")
    assert talk.pending == "confirm"
    talk.say(unsure)
    assert talk.answers["pain_duration"].parsed.hedged
    assert talk.pending == "conservative_care", "a guess never excludes"


@pytest.mark.parametrize(
    ("question", "for_the_team"),
    [
        ("spinal_pathology", "breast cancer 10 years ago, never spread to the bones"),
        ("spect_intolerance", "allergic to iodine contrast"),  # CT dye, not the tracer
        ("spect_intolerance", "im claustrophobic"),
    ],
)
def test_a_doubt_for_the_team_is_stored_not_confirmed_into_a_fail(
    question: str, for_the_team: str
) -> None:
    """A "yes" to "a tumour?" would turn a cancer elsewhere (which the team must judge)
    into an exclusion: such a reading is stored as doubtful, without the check."""
    talk = Talk()
    talk.start()
    play_until(talk, question)
    talk.say(for_the_team)
    assert talk.pending != "confirm", talk.text()
    assert talk.answers[question].parsed.hedged
    assert talk.outcome != "not_eligible"


def test_a_cancer_in_the_spine_is_still_checked_before_it_excludes() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spinal_pathology")
    talk.say("i had cancer that spread to my spine")
    assert talk.pending == "confirm"


# -- double taps and buttons of earlier questions ------------------------------------------


def test_a_double_tap_is_not_the_answer_to_the_next_question() -> None:
    talk = Talk()
    talk.start()
    talk.say("I'm 52", received_at=100.0, now=100.2)
    assert talk.pending == "low_back_pain"
    # The same words again, sent before the first was handled (a double tap, a resend).
    replies = talk.say("I'm 52", received_at=100.1, now=100.4)
    assert "low_back_pain" not in talk.answers
    assert "I have that answer already." in replies
    assert talk.pending == "low_back_pain"
    assert talk.state["asks"] == 1  # the question shown again is not another ask


def test_the_same_words_after_the_question_was_shown_are_an_answer() -> None:
    talk = Talk()
    talk.start()
    talk.say("52", received_at=10.0, now=10.1)
    talk.say("yes", received_at=20.0, now=20.1)
    assert talk.value("low_back_pain") == "yes"
    pending = talk.pending
    talk.say("yes", received_at=20.5, now=20.6)  # saw the next question, answered it
    assert pending in talk.answers
    assert talk.pending != pending


def test_a_double_tap_is_ignored_only_once() -> None:
    talk = Talk()
    talk.start()
    talk.say("52", received_at=1.0, now=1.5)
    talk.say("52", received_at=1.2, now=1.6)  # ignored
    talk.say("52", received_at=1.3, now=1.7)  # a third time: read as an answer
    assert talk.pending == "low_back_pain"  # "52" is no yes/no: asked again, not stored
    assert "low_back_pain" not in talk.answers
    assert talk.state["misses"] == 1


def test_the_state_keeps_a_digest_of_the_answer_never_its_words() -> None:
    talk = Talk()
    talk.start()
    talk.say("i am fifty two years old", received_at=1.0, now=1.0)
    last = talk.state["last_answer"]
    assert set(last) == {"digest", "at"}
    assert "fifty" not in str(talk.state)


def test_a_button_names_its_question_and_an_old_one_changes_nothing() -> None:
    talk = Talk()
    talk.start()
    talk.say("52")
    talk.say("yes", question_id="low_back_pain")  # the button of the question on screen
    assert talk.value("low_back_pain") == "yes"
    on_screen = talk.pending
    before = dict(talk.answers)
    replies = talk.say("No", question_id="low_back_pain")  # a tap on the old button
    assert (
        replies[0]
        == "That button was for an earlier question, so I have left your answers as they are."
    )
    assert talk.answers == before
    assert talk.pending == on_screen
    assert not any(op for op in talk.last_ops if type(op).__name__ == "RecordAnswer")


def test_an_old_button_during_a_check_shows_the_check_again() -> None:
    talk = Talk()
    talk.start()
    talk.say("I'm 85")
    assert talk.pending == "confirm"
    talk.say("52", question_id="consent")
    assert talk.pending == "confirm" and talk.payload["confirms"] == "age"
    talk.say("Yes", question_id="confirm")
    assert talk.value("age") == 85


def test_a_button_after_the_outcome_is_acknowledged() -> None:
    talk = Talk()
    talk.start()
    play(talk, ELIGIBLE)
    assert talk.outcome is not None
    answers = dict(talk.answers)
    replies = talk.say("Yes", question_id="mri")
    assert replies == [
        "That button was for an earlier question, so I have left your answers as they are."
    ]
    assert talk.answers == answers


def test_a_contact_detail_leaves_no_digest_in_the_state() -> None:
    talk = Talk()
    talk.start()
    while talk.pending and talk.pending != "contact_name":
        talk.say(ELIGIBLE.get(talk.pending, "not sure"), now=2.0)
    assert talk.pending == "contact_name"
    talk.say("Jana Novak", received_at=3.0, now=3.0)
    assert talk.contact["name"] == "Jana Novak"
    assert talk.state["last_answer"] is None


def test_declining_keeps_nothing_but_the_fact() -> None:
    talk = Talk()
    talk.say("hi, i can't control my bladder since yesterday")
    talk.say("no thanks")
    assert talk.state["phase"] == "declined"
    assert talk.state["red_flags"] == []


# --- answers as the fresh personas wrote them (tests/conversations/personas/fresh.yml) ----


@pytest.mark.parametrize(
    "agreement", ["I don't see why not", "i guess so, yes", "i think so. Yes."]
)
def test_agreement_in_everyday_words_starts_the_screening(agreement: str) -> None:
    talk = Talk()
    talk.say("hello")
    talk.say(agreement)
    assert talk.consent is True
    assert talk.pending == "age"


def test_a_question_asked_before_answering_is_answered_and_no_answer_is_stored() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "mri")
    talk.say("before i answer - whats the difference between an mri and a ct?")
    assert "mri" not in talk.answers
    assert "strong magnet" in talk.text()
    assert talk.pending == "mri"
    talk.say("yes, it showed arthritis in the small joints of the spine")
    assert talk.value("mri") == {"had": "yes", "findings": ["facet_arthropathy"]}


def test_an_acknowledged_faq_answer_then_no_is_a_no_without_a_confirmation() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spect_intolerance")
    talk.say("is the radiation safe?")
    assert talk.pending == "spect_intolerance"
    talk.say("alright, then no, nothing")
    assert talk.value("spect_intolerance") == "no"
    assert talk.pending != "confirm"


def test_no_reason_not_to_have_the_scan_is_not_an_exclusion() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spect_intolerance")
    talk.say("no reason I couldnt have it")
    assert talk.value("spect_intolerance") == "no"
    assert talk.pending != "confirm"


def test_a_birthday_already_had_is_confirmed_as_over_the_age_limit() -> None:
    talk = Talk()
    talk.start()
    talk.say("turned 76 in the summer, where does the time go")
    assert talk.pending == "confirm"
    assert talk.payload["verdicts"] == {"inc_age": "fail"}


# --- conversation-level realism (fresh5) ---------------------------------------------------


@pytest.mark.parametrize(
    "refusal",
    ["hmm ok, no, i'd rather not do this online", "well... no thanks", "um, not today"],
)
def test_a_refusal_after_a_filler_is_a_no(refusal: str) -> None:
    talk = Talk()
    talk.say("hi")
    talk.say("who gets to see my answers?")
    talk.say(refusal)
    assert talk.consent is False
    assert talk.outcome == "declined"


@pytest.mark.parametrize("agreement", ["hmm, sure", "ok fair enough, yes", "well ok"])
def test_an_agreement_after_a_filler_is_a_yes(agreement: str) -> None:
    talk = Talk()
    talk.say("hi")
    talk.say(agreement)
    assert talk.consent is True
    assert talk.pending == "age"


@pytest.mark.parametrize(
    ("question", "asked", "defined"),
    [
        ("radicular_pain", "what's radiate mean", "radiates"),
        ("radicular_pain", "what does radicular mean", "radiates"),
        ("spect_intolerance", "whats spect", "bone scan"),
    ],
)
def test_what_a_word_means_without_a_question_mark_is_not_an_answer(
    question: str, asked: str, defined: str
) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, question)
    said = talk.say(asked)
    assert defined in said[0]
    assert question not in talk.answers
    assert talk.pending == question


def test_hello_with_a_question_mark_is_a_greeting_not_an_unknown_question() -> None:
    talk = Talk()
    said = " ".join(talk.say("hello?"))
    assert "don't know the answer" not in said
    assert "Hello" in said
    assert talk.pending == "consent"


@pytest.mark.parametrize("reply", ["no - is that bad?", "none of these, is that a problem?"])
def test_an_answer_with_a_question_back_is_taken_and_the_question_acknowledged_first(
    reply: str,
) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spinal_pathology")
    said = talk.say(reply)
    assert talk.value("spinal_pathology") == {"conditions": [], "other": []}
    assert "noted your answer" in said[0]
    assert talk.pending == "spect_intolerance"


@pytest.mark.parametrize("reply", ["no. why do you ask?", "none of these, does it matter?"])
def test_why_do_you_ask_after_an_answer_says_why_before_the_next_question(reply: str) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "spinal_pathology")
    said = talk.say(reply)
    assert "other spine conditions" in said[0]
    assert talk.pending == "spect_intolerance"


@pytest.mark.parametrize(
    "asked", ["is that important?", "does it matter?", "do you need to know that?"]
)
def test_is_that_important_says_why_the_question_is_asked(asked: str) -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "pain_duration")
    said = talk.say(asked)
    assert "how long you have had the pain" in said[0]
    assert "pain_duration" not in talk.answers
    assert talk.pending == "pain_duration"


@pytest.mark.parametrize(
    "opening",
    [
        "my wife says i should stop complaining and do this",
        "my mum has told me to try this",
        "my husband wants me to do this",
    ],
)
def test_someone_sent_by_a_relative_answers_for_themselves(opening: str) -> None:
    talk = Talk()
    talk.start(opening)
    assert talk.state.get("answered_by") is None
    play(talk, ELIGIBLE)
    assert "call_whom" not in talk.asked_pseudo


def test_a_relative_who_wants_to_take_part_is_noticed() -> None:
    talk = Talk()
    talk.start("my dad wants to do this but hes not good with phones")
    assert talk.state["answered_by"] == "relative"
    assert talk.state["relationship"] == "father"


def test_a_child_mentioned_in_an_answer_does_not_make_a_relative() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "pain_duration")
    talk.say("since my son was born, he's 7 now")
    assert talk.state.get("answered_by") is None


def test_a_relationship_named_before_a_pronoun_is_kept() -> None:
    talk = Talk()
    talk.start("yes, it's for my mum, she is 70")
    assert talk.state["answered_by"] == "relative"
    assert talk.state["relationship"] == "mother"


@pytest.mark.parametrize("opening", ["it's my dad, he's 78", "this is my wife, she can't type"])
def test_it_is_my_relative_names_the_candidate(opening: str) -> None:
    talk = Talk()
    talk.say(opening)
    assert talk.state["answered_by"] == "relative"


def test_a_yes_or_no_is_said_back_without_the_question_mark_of_its_question() -> None:
    talk = Talk()
    talk.start()
    play_until(talk, "low_back_pain")
    said = talk.text() if talk.say("no, its my neck actually") else ""
    assert talk.pending == "confirm"
    assert "?." not in said
    assert "whether you have low back pain, you answered “no”" in said


@pytest.mark.parametrize(
    ("agreement", "answer"),
    [("yes - what's a spect scan?", "bone scan"), ("ok, how many questions are there?", "more")],
)
def test_a_question_with_the_agreement_is_answered_before_the_first_question(
    agreement: str, answer: str
) -> None:
    talk = Talk()
    talk.say("hi")
    said = talk.say(agreement)
    assert talk.consent is True
    assert answer in said[0]
    assert talk.pending == "age"


def test_a_question_back_with_the_agreement_is_not_said_to_be_about_health() -> None:
    talk = Talk()
    talk.say("hi")
    said = " ".join(talk.say("yes - is it anonymous?"))
    assert talk.consent is True
    assert "your health" not in said


def test_okey_is_consent() -> None:
    talk = Talk()
    talk.say("hi")
    talk.say("okey")
    assert talk.consent is True


@pytest.mark.parametrize(
    "unsure",
    ["not sure i want to take part", "maybe i'll take part later", "i might sign up, not sure"],
)
def test_a_wish_to_take_part_with_a_maybe_is_not_consent(unsure: str) -> None:
    talk = Talk()
    talk.say("hi")
    talk.say(unsure)
    assert talk.consent is not True
    assert "age" not in talk.asked


@pytest.mark.parametrize(
    "later",
    [
        "i'd like to join but not now",
        "yes but not right now",
        "ok, maybe later",
        "not today thanks",
    ],
)
def test_consent_put_off_is_declined_not_given(later: str) -> None:
    talk = Talk()
    talk.say("hi")
    talk.say(later)
    assert talk.consent is False and talk.outcome == "declined"
    assert "age" not in talk.asked


@pytest.mark.parametrize(
    "opening", ["i have terrible pain, neck and shoulders mostly, can i join?", "How do I sign up?"]
)
def test_an_opening_asking_to_join_gets_the_introduction_not_i_dont_know(opening: str) -> None:
    talk = Talk()
    said = " ".join(talk.say(opening))
    assert "don't know the answer" not in said
    assert talk.pending == "consent"

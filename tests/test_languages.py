"""Languages plug in without touching the interview (issue 9, section 1).

The interview looks up everything it reads by the trial's language: the parser of each
answer type, the red flags, the facts a message states, and its own phrases (commands,
consent words). A toy language proves it: its words are not English, and the interview
understands them only through the language it is given. A trial's questions name the
fact they ask about, so several answers in one message work whatever the question ids.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
from interview_helpers import TRIAL, Talk

from trialbot import languages, messages
from trialbot.answers import ANSWER_TYPES, FACTS, Parsed
from trialbot.criteria import CriteriaFileError, parse_trial, trial_path
from trialbot.languages import Language, UnsupportedLanguage
from trialbot.parsing import detect_red_flags, parse, parsers, topics_of

SPINUS2 = trial_path("spinus2").read_text()


def test_english_is_there_and_reads_every_answer_type() -> None:
    assert "en" in languages.available()
    english = languages.get("en")
    assert set(english.parsers) == set(ANSWER_TYPES) == set(parsers("en"))
    assert parse("age", "I'm 62", today=date(2026, 12, 1), language="en").value == 62
    assert detect_red_flags("I can't control my bladder since yesterday", "en")
    assert set(topics_of("I'm 62 and it has hurt for 5 years", "en")) <= set(FACTS)


def test_a_language_without_a_module_is_refused_by_name() -> None:
    with pytest.raises(UnsupportedLanguage) as refused:
        languages.get("cs")
    assert "'cs'" in str(refused.value) and "en" in str(refused.value)
    with pytest.raises(UnsupportedLanguage):
        parse("age", "je mi 62", language="cs")


def test_a_language_must_read_every_answer_type() -> None:
    english = languages.get("en")
    fewer = {k: v for k, v in english.parsers.items() if k != "duration"}
    with pytest.raises(ValueError, match="no parser for duration"):
        dataclasses.replace(english, code="xx", parsers=fewer)


def test_a_trial_in_a_language_trialbot_cannot_read_is_refused_when_loaded() -> None:
    with pytest.raises(CriteriaFileError, match="cannot read 'cs' yet"):
        parse_trial(SPINUS2.replace("language: en", "language: cs"))


# -- a toy language, played through the unchanged interview ---------------------------------

_YES = re.compile(r"^\W*(?:ano|jo)\b")
_NO = re.compile(r"^\W*(?:ne)\b")


def _toy_yes_no(text: str, today: date) -> Parsed:
    lowered = text.lower()
    if _YES.match(lowered):
        return Parsed(understood=True, value="yes")
    if _NO.match(lowered):
        return Parsed(understood=True, value="no")
    return Parsed.not_understood()


def _toy_age(text: str, today: date) -> Parsed:
    found = re.search(r"je mi (\d{1,3})", text.lower())
    return Parsed(understood=True, value=int(found.group(1))) if found else Parsed.not_understood()


@pytest.fixture
def toy(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Language:
    english = languages.get("en")
    phrases = dataclasses.replace(
        english.phrases,
        commands={"stop": re.compile(r"^\W*konec\W*$")},
        leading_yes=_YES,
        leading_no=_NO,
    )
    toy = dataclasses.replace(
        english,
        code="xx",
        parsers={**english.parsers, "yes_no": _toy_yes_no, "age": _toy_age},
        facts_of=lambda text: [],
        phrases=phrases,
    )
    real_get = languages.get
    monkeypatch.setattr(languages, "get", lambda code: toy if code == "xx" else real_get(code))
    # Its catalog: the English texts under the toy's code (the keys are what matter).
    catalogs = tmp_path / "messages"
    catalogs.mkdir()
    shutil.copy(messages.catalog_path("en"), catalogs / "xx.yml")
    shutil.copy(messages.catalog_path("en"), catalogs / "en.yml")
    monkeypatch.setattr(messages, "CATALOGS", catalogs)
    messages.catalog.cache_clear()
    yield toy
    messages.catalog.cache_clear()


def test_the_interview_reads_through_the_trials_language(toy: Language) -> None:
    talk = Talk(trial=TRIAL.copy(update={"language": "xx"}))
    talk.say("dobrý den")
    assert talk.pending == "consent"
    talk.say("ano")  # the toy's yes: English's parsers would not know it
    assert talk.consent is True and talk.pending == "age"
    talk.say("je mi 52")
    assert talk.value("age") == 52
    talk.say("konec")  # the toy's stop command
    assert talk.status == "stopped"


def test_english_words_mean_nothing_in_another_language(toy: Language) -> None:
    talk = Talk(trial=TRIAL.copy(update={"language": "xx"}))
    talk.say("hello")
    talk.say("yes")
    assert talk.consent is None and talk.pending == "consent"


# -- facts, not question ids ---------------------------------------------------------------


def test_several_answers_in_one_message_follow_the_questions_facts_not_their_ids() -> None:
    renamed = SPINUS2.replace("  - id: pain_duration\n", "  - id: how_long\n").replace(
        "question: pain_duration\n", "question: how_long\n"
    )
    assert renamed != SPINUS2
    trial = parse_trial(renamed)
    assert trial.questions_about(["pain_duration", "age"]) == ["how_long", "age"]
    talk = Talk(trial=trial)
    talk.start()
    talk.say("I'm 62 and my back has hurt for 5 years")
    assert talk.value("age") == 62
    assert talk.value("how_long")["months"] == 60


def test_a_question_without_a_fact_is_only_answered_when_asked() -> None:
    no_fact = SPINUS2.replace("    fact: pain_duration\n", "")
    talk = Talk(trial=parse_trial(no_fact))
    talk.start()
    talk.say("I'm 62 and my back has hurt for 5 years")
    assert talk.value("age") == 62
    assert talk.value("pain_duration") is None

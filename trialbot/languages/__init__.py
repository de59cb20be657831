"""Everything trialbot reads in one language, looked up by language code.

A :class:`Language` bundles what depends on the candidate's language:

* ``parsers``: one per answer type (``age``, ``duration``, ``yes_no``, …), each turning the
  candidate's words into a :class:`trialbot.answers.Parsed`;
* ``red_flags`` and ``facts_of``: readers of any message (urgent symptoms; which facts a
  message states, for several answers in one message and for corrections);
* ``asks_back``, ``taken_back``, ``figure``, ``new_figure``: what :func:`trialbot.parsing.parse`
  does around every parser in every language (drop the sentences that ask something
  back; read a figure taken back within the answer, "74. sorry, 75");
* ``phrases``: what the interview recognises itself (commands, consent words, relatives,
  questions back), see :class:`Phrases`.

The bot's own texts are not here: they are in the message catalog of the same language
(``bot/messages/<code>.yml``, :mod:`trialbot.messages`).

A language is the module ``trialbot.languages.<code>`` defining ``LANGUAGE``; it is
imported on first use. English (``en``) is the only one so far; Czech is next: add
``cs.py`` with its parsers and phrases and ``bot/messages/cs.yml`` with the same keys,
and a trial whose criteria file says ``language: cs`` is interviewed in Czech without a
change to the interview. :func:`get` refuses a code without a module, naming the ones
there are.
"""

from __future__ import annotations

import functools
import importlib
import pkgutil
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date

from trialbot.answers import ANSWER_TYPES, Parsed

AnswerParser = Callable[[str, date], Parsed]


class UnsupportedLanguage(ValueError):
    """No parsers and phrases for this language code."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(
            f"trialbot cannot read {code!r} yet (languages: {', '.join(available())}); "
            f"a language is a module trialbot/languages/<code>.py and a catalog "
            f"bot/messages/<code>.yml"
        )


@dataclass(frozen=True)
class Phrases:
    """What the interview recognises itself, as patterns over the lower-cased message
    (typographic apostrophes made plain, whitespace collapsed)."""

    # Whole-message commands: name (stop, restart, back, help, human, erase, continue) ->
    # pattern of the whole message, politeness included.
    commands: Mapping[str, re.Pattern[str]]
    go: re.Pattern[str]  # at the start: "let's begin" (consent is still asked)
    leading_no: re.Pattern[str]  # a message that opens with a refusal
    not_now: re.Pattern[str]  # "I'd like to join but not now": consent put off is a no
    leading_yes: re.Pattern[str]  # ... with agreement not taken back ("ok but")
    confirm_reply: re.Pattern[str]  # the words of a reply to "is that right?" only
    unsure: re.Pattern[str]  # "not sure", "no idea"
    correction: re.Pattern[str]  # the message corrects an earlier answer
    correction_turn: re.Pattern[str]  # where the corrected value starts ("but", "I meant")
    filler: re.Pattern[str]  # openers with no meaning ("sorry, um, so")
    question_start: re.Pattern[str]  # a message that starts as a question
    progress: re.Pattern[str]  # "how many questions are left?"
    glossary_ask: re.Pattern[str]  # "what is …", "what does … mean"
    deictic_ask: re.Pattern[str]  # "what is this?": the pending question's own word
    contact_why: re.Pattern[str]  # "why do you need my phone number?"
    why_ask: re.Pattern[str]  # "why do you need that?": why the question is asked
    greeting: re.Pattern[str]
    goodbye: re.Pattern[str]
    thanks: re.Pattern[str]
    # Someone answering for another person ("it's for my mum", "I'm his son"). Named
    # groups: ``rel``/``rel2`` the candidate's relationship word, ``rel3`` the
    # answerer's own ("son") with a possessive (``his``/``her``/``their``) in the match.
    relative: re.Pattern[str]
    relationship: Mapping[str, str]  # relationship word -> what staff read ("mum": mother)
    own_age: re.Pattern[str]  # an age in the first person ("i'm 45", "i was born in 1980")
    candidate_is: Mapping[tuple[str, str], str]  # ("son", "his") -> "father"
    # "Whom should the study team call?": candidate | answerer | either.
    whom: tuple[tuple[str, re.Pattern[str]], ...]

    def command_of(self, text: str) -> str | None:
        """The command a whole message gives ("stop", "restart", ...), or None."""
        lowered = " ".join(text.lower().replace("\u2019", "'").split())
        return next((name for name, p in self.commands.items() if p.match(lowered)), None)

    def whom_of(self, lowered: str) -> str | None:
        """candidate | answerer | either, or None when the words say neither or both."""
        found = {whom for whom, pattern in self.whom if pattern.search(lowered)}
        if "either" in found:
            return "either"
        return found.pop() if len(found) == 1 else None

    def candidate_is_of(self, match: re.Match[str]) -> str | None:
        """What the candidate is to someone who said "I'm his son" (None when unclear)."""
        if "rel3" not in match.re.groupindex or not match.group("rel3"):
            return None
        pronoun = re.search(r"\b(his|her|their)\b", match.group(0))
        return self.candidate_is.get((match.group("rel3"), pronoun.group(1) if pronoun else ""))


@dataclass(frozen=True)
class Language:
    code: str
    parsers: Mapping[str, AnswerParser]  # answer type -> parser
    red_flags: Callable[[str], list[str]]  # the red flags a message states
    # The facts a message states (of :data:`trialbot.answers.FACTS`), for several answers
    # in one message and for corrections. A trial's question names the fact it asks about
    # (``fact:`` in the criteria file).
    facts_of: Callable[[str], list[str]]
    asks_back: re.Pattern[str]  # a sentence (ending in "?") that asks something back
    taken_back: re.Pattern[str]  # "no wait", "sorry", "I mean" after a figure
    figure: re.Pattern[str]  # a figure in words or digits
    new_figure: re.Pattern[str]  # a correction that opens with the new figure
    phrases: Phrases

    def __post_init__(self) -> None:
        missing = sorted(set(ANSWER_TYPES) - set(self.parsers))
        if missing:
            raise ValueError(f"language {self.code!r} has no parser for {', '.join(missing)}")


def available() -> tuple[str, ...]:
    """The language codes there is a module for."""
    return tuple(
        sorted(m.name for m in pkgutil.iter_modules(__path__) if re.fullmatch(r"[a-z]{2}", m.name))
    )


@functools.cache
def get(code: str) -> Language:
    """The language ``code`` (imported on first use); :class:`UnsupportedLanguage` when
    trialbot has no parsers for it."""
    if code not in available():
        raise UnsupportedLanguage(code)
    language = importlib.import_module(f"{__name__}.{code}").LANGUAGE
    assert isinstance(language, Language) and language.code == code
    return language

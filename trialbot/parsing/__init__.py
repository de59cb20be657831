"""Understanding candidates' free-text answers, in the trial's language.

``parse(expects, text, language=...)`` turns one answer into a
:class:`trialbot.answers.Parsed` with the parser the language has for that answer type
(:mod:`trialbot.languages`); ``detect_red_flags`` and ``topics_of`` read any message.
The English parsers share one spaCy pipeline (blank English + clinical patterns +
negation and hedging), built on first use; importing this package does no work.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
from datetime import date

from trialbot import languages
from trialbot.answers import ANSWER_TYPES, Parsed
from trialbot.languages import AnswerParser, Language, UnsupportedLanguage
from trialbot.parsing.once import one_message

__all__ = [
    "UnsupportedLanguage",
    "detect_red_flags",
    "one_message",
    "parse",
    "parsers",
    "topics_of",
    "without_questions",
]

log = logging.getLogger(__name__)
DEFAULT_LANGUAGE = "en"


def parsers(language: str = DEFAULT_LANGUAGE) -> dict[str, AnswerParser]:
    """The language's parser for each answer type."""
    return dict(languages.get(language).parsers)


def detect_red_flags(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The red flags (urgent symptoms) a message states."""
    return languages.get(language).red_flags(text)


def topics_of(text: str, language: str = DEFAULT_LANGUAGE) -> list[str]:
    """The facts a message states ("age", "pain_duration", ...): the language's ``facts``."""
    return languages.get(language).facts_of(text)


_CONTACT_TYPES = frozenset({"name", "phone", "email"})
_SENTENCES = re.compile(r"[^.!?]*(?:[.!?]+|$)")


def without_questions(text: str, language: str = DEFAULT_LANGUAGE) -> str:
    """``text`` without the sentences that ask something back ("what's that? no, I
    don't think so" -> "no, I don't think so"); empty when it only asks."""
    asks_back = languages.get(language).asks_back
    kept = [
        sentence
        for sentence in _SENTENCES.findall(text)
        if sentence.strip()
        and not (sentence.rstrip().endswith("?") and asks_back.match(sentence.lower()))
    ]
    return "".join(kept).strip()


# Answer types whose figure may be taken back within the answer ("74. sorry, 75").
_CORRECTABLE = frozenset({"age", "duration"})


def _taken_back(language: Language, parser: AnswerParser, text: str, today: date) -> Parsed | None:
    """The reading of what follows the last "no wait" / "sorry" / "I mean" after a
    figure, when that part says one; None otherwise."""
    markers = list(language.taken_back.finditer(text.lower()))
    if not markers or not language.figure.search(text[: markers[-1].start()].lower()):
        return None
    rest = text[markers[-1].end() :]
    if not language.new_figure.match(rest.lower()) or len(rest.split()) > 6:
        return None  # a short correction only
    reading = parser(rest, today)
    return reading if reading.understood and reading.value is not None else None


@functools.cache
def _takes_age(parser: AnswerParser) -> bool:
    return "age" in inspect.signature(parser).parameters


def parse(
    expects: str,
    text: str,
    *,
    today: date | None = None,
    language: str = DEFAULT_LANGUAGE,
    age: int | None = None,
) -> Parsed:
    """Understand ``text`` as an answer of type ``expects`` in ``language``.

    ``age``: the candidate's age when already known, for the parsers that read relative
    to it (a duration "since my 50th birthday"; such a parser takes an ``age`` keyword).

    Raises ValueError for an unknown ``expects`` and :class:`UnsupportedLanguage` for a
    language trialbot cannot read (programming or configuration errors: the criteria file
    is checked for both when it is loaded); any text, however hostile, gives a
    :class:`Parsed`.
    """
    if expects not in ANSWER_TYPES:
        raise ValueError(f"unknown answer type {expects!r}; expected one of {ANSWER_TYPES}")
    reader = languages.get(language)
    parser = reader.parsers[expects]
    if age is not None and _takes_age(parser):
        parser = functools.partial(parser, age=age)  # type: ignore[call-arg]
    if not isinstance(text, str) or not text.strip():
        return Parsed.not_understood()
    if expects not in _CONTACT_TYPES:
        answer = without_questions(text, language)
        if not answer:
            return Parsed.not_understood()  # only a question back: "what's a tracer?"
        text = answer
    try:
        if expects in _CORRECTABLE:
            corrected = _taken_back(reader, parser, text, today or date.today())
            if corrected is not None:
                return corrected
        return parser(text, today or date.today())
    except Exception:  # a parser bug must not end the conversation
        log.exception("parser %s failed on a %d-character answer", expects, len(text))
        return Parsed.not_understood()

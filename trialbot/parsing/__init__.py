"""Understanding candidates' free-text answers.

``parse(expects, text)`` turns one answer into a :class:`trialbot.answers.Parsed`;
``detect_red_flags`` and ``topics_of`` read any message. All share one spaCy
pipeline (blank English + clinical patterns + negation and hedging), built on first
use; importing this package does no work.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date

from trialbot.answers import ANSWER_TYPES, Parsed
from trialbot.parsing.age import parse_age
from trialbot.parsing.contact import parse_email, parse_name, parse_phone
from trialbot.parsing.duration import parse_duration
from trialbot.parsing.imaging import parse_mri, parse_spect_ct, parse_spect_intolerance
from trialbot.parsing.pain import parse_pain_location
from trialbot.parsing.pathology import parse_spinal_pathology
from trialbot.parsing.red_flags import detect_red_flags
from trialbot.parsing.therapies import parse_therapies
from trialbot.parsing.topics import topics_of
from trialbot.parsing.yes_no import parse_yes_no

__all__ = ["PARSERS", "detect_red_flags", "parse", "topics_of", "without_questions"]

log = logging.getLogger(__name__)

PARSERS: dict[str, Callable[[str, date], Parsed]] = {
    "yes_no": parse_yes_no,
    "age": parse_age,
    "duration": parse_duration,
    "pain_location": parse_pain_location,
    "therapies": parse_therapies,
    "mri": parse_mri,
    "spect_ct": parse_spect_ct,
    "spinal_pathology": parse_spinal_pathology,
    "spect_intolerance": parse_spect_intolerance,
    "name": parse_name,
    "phone": parse_phone,
    "email": parse_email,
}
assert set(PARSERS) == set(ANSWER_TYPES), "every answer type needs a parser"


_CONTACT_TYPES = frozenset({"name", "phone", "email"})
# A sentence that asks something back: it ends with "?" and opens, after a few words of
# lead-in ("before I answer -", "sorry,"), with a question word.
_SENTENCES = re.compile(r"[^.!?]*(?:[.!?]+|$)")
_LEAD_IN = (
    r"(?:before i (?:answer|reply|say)|quick question|one question|sorry|um+|uh+|hmm+|ok(?:ay)?|so|"
    r"but|and|wait|first(?:ly)?|out of interest|just wondering|btw|by the way|also|oh|well|"
    r"actually|hang on|hi|hello|excuse me|can i ask|may i ask|i have a question)"
)
_ASKS_BACK = re.compile(
    r"^\W*(?:" + _LEAD_IN + r"\b\W*)*"
    r"(?:what|whats|what's|how|who|whom|why|when|where|which|does|do|is|are|can|could|will|"
    r"would|should|shall|did|has|have|am|may|must|isn't|doesn't|don't)\b"
)


def without_questions(text: str) -> str:
    """``text`` without the sentences that ask something back ("what's that? no, I
    don't think so" -> "no, I don't think so"); empty when it only asks."""
    kept = [
        sentence
        for sentence in _SENTENCES.findall(text)
        if sentence.strip()
        and not (sentence.rstrip().endswith("?") and _ASKS_BACK.match(sentence.lower()))
    ]
    return "".join(kept).strip()


# A figure taken back within the answer: "half a year. no wait, more like 9 months",
# "I'm 74. sorry, 75". What follows the last such marker counts, when it says a figure.
_CORRECTABLE = frozenset({"age", "duration"})
_TAKEN_BACK = re.compile(
    r"(?:^|(?<=[\s,.;:!\-]))(?:(?:no\s*,?\s*wait|wait\s*,?\s*no|no\s*,?\s*sorry|sorry\s*,?\s*no|"
    r"sorry|i\s+mean|i\s+meant|correction|or\s+rather|scratch\s+that|make\s+that|my\s+mistake|"
    r"oops|actually\s*,?\s*no|actually|no\s+i\s+mean)\b|no\s*,)[\s,.;:!\-]*"
)
_FIGURE = re.compile(
    r"\d|\b(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b"
)

# The correction opens with the new figure: "more like 9 months", "it's 75", "2018".
_NEW_FIGURE = re.compile(
    r"\W*(?:(?:more like|it's|it is|its|it was|about|around|maybe|rather|closer to|nearer|"
    r"i am|i'm|im|make it|like|only|just|really|since|for|in)\s+){0,3}"
    r"(?:\d|(?:a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half|"
    r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety)\b)"
)


def _taken_back(parser: Callable[[str, date], Parsed], text: str, today: date) -> Parsed | None:
    """The reading of what follows the last "no wait" / "sorry" / "I mean" after a
    figure, when that part says one; None otherwise."""
    markers = list(_TAKEN_BACK.finditer(text.lower()))
    if not markers or not _FIGURE.search(text[: markers[-1].start()].lower()):
        return None
    rest = text[markers[-1].end() :]
    if not _NEW_FIGURE.match(rest.lower()) or len(rest.split()) > 6:  # a short correction only
        return None
    reading = parser(rest, today)
    return reading if reading.understood and reading.value is not None else None


def parse(expects: str, text: str, *, today: date | None = None) -> Parsed:
    """Understand ``text`` as an answer of type ``expects``.

    Raises ValueError only for an unknown ``expects`` (a programming error); any text,
    however hostile, gives a :class:`Parsed`.
    """
    parser = PARSERS.get(expects)
    if parser is None:
        raise ValueError(f"unknown answer type {expects!r}; expected one of {ANSWER_TYPES}")
    if not isinstance(text, str) or not text.strip():
        return Parsed.not_understood()
    if expects not in _CONTACT_TYPES:
        answer = without_questions(text)
        if not answer:
            return Parsed.not_understood()  # only a question back: "what's a tracer?"
        text = answer
    try:
        if expects in _CORRECTABLE:
            corrected = _taken_back(parser, text, today or date.today())
            if corrected is not None:
                return corrected
        return parser(text, today or date.today())
    except Exception:  # a parser bug must not end the conversation
        log.exception("parser %s failed on a %d-character answer", expects, len(text))
        return Parsed.not_understood()

"""Understanding candidates' free-text answers.

``parse(expects, text)`` turns one answer into a :class:`trialbot.answers.Parsed`;
``detect_red_flags`` and ``topics_of`` read any message. All share one spaCy
pipeline (blank English + clinical patterns + negation and hedging), built on first
use; importing this package does no work.
"""

from __future__ import annotations

import logging
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

__all__ = ["PARSERS", "detect_red_flags", "parse", "topics_of"]

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
    try:
        return parser(text, today or date.today())
    except Exception:  # a parser bug must not end the conversation
        log.exception("parser %s failed on a %d-character answer", expects, len(text))
        return Parsed.not_understood()

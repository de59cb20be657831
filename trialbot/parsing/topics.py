"""Which questions a free-text message talks about, so that corrections can be routed.

"sorry, my pain actually started only 4 months ago" -> ["pain_duration"]; the engine
then re-parses the message as the answer to that question.
"""

from __future__ import annotations

import re

from trialbot.parsing.nlp import analyse
from trialbot.parsing.numbers import words_to_digits

QUESTION_IDS = (
    "age",
    "low_back_pain",
    "pain_duration",
    "radicular_pain",
    "conservative_care",
    "mri",
    "spect_ct",
    "spinal_pathology",
    "spect_intolerance",
)

_AGE = re.compile(
    r"\b(?:years?|yrs?) old\b|\bborn\b|\bmy age\b|\bbirthday\b|\bturned \d{1,3}\b"
    r"|\bi am (?:\w+ ){0,2}?\d{1,3}\b(?!\s*(?:months?|weeks?|days?|years?|%|kg|cm))"
    r"|\b(?:early|mid|late) (?:twenties|thirties|forties|fifties|sixties|seventies|eighties)\b"
)
_DURATION = re.compile(
    r"\bago\b|\bstarted\b|\bbegan\b|\bsince\b|\bhow long\b|\bfor (?:the (?:last|past) )?"
    r"(?:about |over |almost |nearly )?(?:\d+(?:\.\d+)?|a|an|a few|a couple of) "
    r"(?:days?|weeks?|months?|years?)\b|\b(?:had|have had) (?:it|the pain|this) for\b"
)
_LOW_BACK = re.compile(
    r"\b(?:lower|low) back\b|\bback pain\b|\bbackache\b|\bmy back (?:hurts|aches|is sore)\b"
)
_CARE = re.compile(r"\btreatments?\b|\btherapy\b|\btried\b")
_INTOLERANCE = re.compile(r"\btracer\b|\bradioactive\b|\bcontrast\b|\bdye\b|\bisotope\b")
_SPECT = re.compile(r"\blit up\b|\bhot ?spots?\b|\blevels?\b")

_BY_LABEL = {
    "THERAPY": "conservative_care",
    "FINDING": "mri",
    "CONDITION": "spinal_pathology",
    "OTHER_PATHOLOGY": "spinal_pathology",
    "SPECT_RESULT": "spect_ct",
    "INTOLERANCE": "spect_intolerance",
    "RADIATE": "radicular_pain",
    "LIMIT": "radicular_pain",
}


def topics_of(text: str) -> list[str]:
    """Question ids the message speaks to, in questionnaire order."""
    if not isinstance(text, str) or not text.strip():
        return []
    analysis = analyse(text)
    norm, _ = words_to_digits(analysis.norm)
    found: set[str] = set()
    for mention in analysis.mentions:  # denied ones too: "it doesn't go to my foot"
        if mention.label in _BY_LABEL:
            found.add(_BY_LABEL[mention.label])
        elif mention.label == "IMAGING":
            found.add(mention.value)
        elif mention.label == "BODY" and mention.value != "back":
            found.add("radicular_pain")
    for question, pattern in (
        ("age", _AGE),
        ("pain_duration", _DURATION),
        ("low_back_pain", _LOW_BACK),
        ("conservative_care", _CARE),
        ("spect_intolerance", _INTOLERANCE),
    ):
        if pattern.search(norm):
            found.add(question)
    # "it lit up at two levels" is about the SPECT/CT, unless an MRI is named.
    if _SPECT.search(norm) and "mri" not in found:
        found.add("spect_ct")
    return [q for q in QUESTION_IDS if q in found]

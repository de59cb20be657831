"""Yes/no answers, and the answer polarity other parsers start from.

Works on :attr:`Analysis.norm`, where chat spellings are already normalized
("yeah" -> "yes", "nope" -> "no", "dunno" -> "do not know", "don't" -> "do not").
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, analyse


def _words(*phrases: str) -> re.Pattern[str]:
    # Longest first, so "of course not" wins over "of course".
    ordered = sorted(phrases, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(re.escape(p) for p in ordered) + r")\b")


DONT_KNOW = _words(
    "do not know",
    "no idea",
    "not sure",
    "unsure",
    "can not remember",
    "cannot remember",
    "do not remember",
    "not certain",
    "no clue",
    "can not recall",
    "do not recall",
    "can not say",
    "hard to say",
    "who knows",
    "forgot",
    "i forget",
    "not remember",
    "rather not say",
    "prefer not to say",
    "would rather not",
    "no comment",
    "have to check",
    "need to check",
    "not know",
)
HEDGED_NO = _words(
    "do not think so",
    "probably not",
    "i doubt it",
    "i doubt",
    "not that i know",
    "not that i remember",
    "not that i am aware",
    "not as far as i know",
    "i think not",
    "maybe not",
    "do not believe so",
    "do not think",
    "unlikely",
    "not really sure but no",
    "not that i recall",
    "possibly not",
    "i guess not",
    "i suppose not",
)
HEDGED_YES = _words(
    "i guess so",
    "i think so",
    "probably",
    "i believe so",
    "maybe",
    "possibly",
    "i suppose",
    "i think",
    "kind of",
    "sort of",
    "more or less",
    "likely",
    "i reckon",
    "pretty sure",
    "fairly sure",
    "i guess",
    "perhaps",
    "sometimes",
    "a bit",
    "a little",
)
NO = _words(
    "no",
    "never",
    "none",
    "not really",
    "not at all",
    "i do not",
    "i have not",
    "i did not",
    "i am not",
    "it does not",
    "it is not",
    "it did not",
    "nothing",
    "negative",
    "no way",
    "not",
    "of course not",
    "definitely not",
    "absolutely not",
    "certainly not",
    "not yet",
    "n",
)
YES = _words(
    "yes",
    "sure",
    "of course",
    "definitely",
    "absolutely",
    "certainly",
    "correct",
    "indeed",
    "affirmative",
    "i do",
    "i have",
    "i did",
    "i am",
    "it does",
    "it is",
    "that is right",
    "true",
    "ok",
    "okay",
    "always",
    "y",
    "no doubt",
    "that is correct",
    "i have had",
    "for sure",
    "yes please",
)
_NOT_A_NO = _words("no problem", "no problems", "no worries", "no doubt")
# "yes and no", "yes ... no": a contradiction, not an answer.
BOTH = _words("yes and no", "yes or no", "either way")


def polarity(norm: str) -> Parsed:
    """Classify normalized text as yes / no / don't know (``value`` None) / not understood."""
    if not norm.strip() or BOTH.search(norm):
        return Parsed.not_understood()
    # Set phrases whose "no" is not an answer: "yes, no problem", "no doubt".
    norm = _NOT_A_NO.sub(lambda m: "yes" if m.group() == "no doubt" else " ", norm)
    for pattern, value, hedged in ((HEDGED_NO, "no", True), (HEDGED_YES, "yes", True)):
        # A lean beats "I don't know": "dunno, probably not" is a hedged no.
        match = pattern.search(norm)
        if match:
            return Parsed(understood=True, value=value, hedged=hedged, evidence=match.group())
    dont_know = DONT_KNOW.search(norm)
    if dont_know:
        return Parsed.dont_know(evidence=dont_know.group())
    no = NO.search(norm)
    # Cut the no-phrases out first: "i have not" must not also count as "i have".
    yes = YES.search(NO.sub(" ", norm))
    if no and yes:
        return Parsed.not_understood()
    if no:
        return Parsed(understood=True, value="no", evidence=no.group())
    if yes:
        return Parsed(understood=True, value="yes", evidence=yes.group())
    return Parsed.not_understood()


_LEADING = re.compile(
    r"^\W*(?P<word>yes|no|sure|of course|definitely|never|none|not really|nothing|n|y)"
    r"\s*(?:[,.!;:\-]|$)"
)


def leading_answer(norm: str) -> str | None:
    """ "yes" / "no" when the message opens with a bare answer word ("no, it stays...")."""
    match = _LEADING.match(norm)
    if not match:
        return None
    return "yes" if match.group("word") in {"yes", "sure", "of course", "definitely", "y"} else "no"


def parse_yes_no(text: str, today: date) -> Parsed:
    return read_yes_no(analyse(text))


def read_yes_no(analysis: Analysis) -> Parsed:
    return polarity(analysis.norm)

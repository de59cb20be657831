"""Red-flag symptoms in any message: signs that need urgent medical care.

These need urgent attention whatever question was asked, so detection errs on the side
of flagging. The flags (phrasings in :data:`trialbot.parsing.lexicon.RED_FLAG_PATTERNS`,
reviewable by clinicians) follow the bot's urgent-care message: new weakness or
numbness in the legs, numbness around the bottom or genitals, trouble controlling the
bladder or bowels, back pain with fever, or after a fall.

``bladder_bowel``
    loss of bladder or bowel control, incontinence, wetting oneself, being unable to
    pass urine or empty the bladder, not feeling the need to go (cauda equina).
``saddle_numbness``
    numbness or lost feeling between the legs, around the bottom, anus or genitals,
    "saddle" numbness, not feeling the toilet paper (cauda equina).
``leg_weakness``
    legs giving way, buckling or weak, foot drop, a dragging or floppy foot, unable to
    lift or move a foot or leg.
``leg_numbness``
    *sudden*, spreading or both-sided numbness of the legs or feet, lost feeling in the
    legs. Pins and needles or numbness in one foot ("pins and needles in my foot
    sometimes") is ordinary radicular pain, not a red flag.
``fever``
    fever, a high temperature, night sweats (spinal infection).
``trauma``
    a (bad) fall, an accident, being hit (fracture).

Decisions:

* Not flagged: a history of cancer and unexplained weight loss. They call for a review
  by the candidate's doctor, not emergency care, and the spinal-pathology question
  records a cancer for the study team. Bladder or bowel words without a loss of control
  ("I get up to pee at night", "an overactive bladder", "a bladder infection", "bowel
  cancer screening was fine", "IBS") and tiredness ("my legs get tired walking",
  "weak from lack of sleep") are not flagged either.
* A denial shortly before the symptom in the same clause ("no numbness between my
  legs", "I don't have any weakness in my legs") or after it ("my bladder is fine")
  suppresses it; phrases that only look like denials ("I can't control my bladder",
  "no feeling down there") do not.
* A symptom the same sentence calls old, explained or unrelated is not flagged: "I had
  a fall years ago but that's not related", "a high temperature last month with flu",
  "my knee gave way once while hiking years ago", "exercises to strengthen weak legs".
"""

from __future__ import annotations

import re

from trialbot.parsing import lexicon
from trialbot.parsing.nlp import analyse

RED_FLAGS = ("bladder_bowel", "saddle_numbness", "leg_weakness", "leg_numbness", "fever", "trauma")

_PATTERNS = {
    flag: [re.compile(pattern) for pattern in lexicon.RED_FLAG_PATTERNS[flag]] for flag in RED_FLAGS
}
_SENTENCE_PATTERNS = {
    flag: [re.compile(pattern) for pattern in patterns]
    for flag, patterns in lexicon.RED_FLAG_SENTENCE_PATTERNS.items()
}
_DENIAL = re.compile(lexicon.RED_FLAG_DENIALS)
_PSEUDO_DENIAL = re.compile(lexicon.RED_FLAG_PSEUDO_DENIALS)
_LONG_AGO = re.compile(lexicon.RED_FLAG_LONG_AGO)
_UNRELATED = re.compile(lexicon.RED_FLAG_UNRELATED)
_FINE_AFTER = re.compile(lexicon.RED_FLAG_FINE_AFTER)
# Flags that an "unrelated" elsewhere in the sentence never suppresses (cauda equina).
_ALWAYS = frozenset({"bladder_bowel", "saddle_numbness"})
# Clauses for denials and "years ago"; sentences for "that's not related".
_CLAUSE_BREAK = re.compile(
    r"[,;]|\b(?:but|however|though|although|while|then)\b"
    r"|\band (?=(?:i|my|it|now|since|the|they|i am|also)\b)"
)
_SENTENCE_BREAK = re.compile(r"[.!?]")
# How many words before a symptom a denial reaches ("i do not have any weakness").
_DENIAL_REACH = 6


def detect_red_flags(text: str) -> list[str]:
    """Red flags mentioned and not denied, in the order of :data:`RED_FLAGS`."""
    if not isinstance(text, str) or not text.strip():
        return []
    norm = analyse(text).norm
    found: set[str] = set()
    for sentence in _SENTENCE_BREAK.split(norm):
        if sentence.strip():
            found.update(_flags_in(sentence))
    return [flag for flag in RED_FLAGS if flag in found]


def _flags_in(sentence: str) -> set[str]:
    found: set[str] = set()
    breaks = [(m.start(), m.end(), m.group()) for m in _CLAUSE_BREAK.finditer(sentence)]
    for flag in RED_FLAGS:
        patterns = _PATTERNS[flag] + _SENTENCE_PATTERNS.get(flag, [])
        for pattern in patterns:
            if any(_raised(flag, match, sentence, breaks) for match in pattern.finditer(sentence)):
                found.add(flag)
                break
    return found


def _raised(
    flag: str, match: re.Match[str], sentence: str, breaks: list[tuple[int, int, str]]
) -> bool:
    start, end = match.span()
    if match.re not in _SENTENCE_PATTERNS.get(flag, []) and any(
        start <= b_start and b_end <= end for b_start, b_end, _ in breaks
    ):
        return False  # a clause-level phrasing must not run across clauses
    # The clause the symptom starts in, and the next one when it starts with "while"
    # ("my knee gave way once while hiking years ago").
    left = max((b_end for _, b_end, _ in breaks if b_end <= start), default=0)
    following = [b for b in breaks if b[0] >= end]
    right = following[0][0] if following else len(sentence)
    clause = sentence[left:right]
    nxt = ""
    if following and following[0][2] == "while":
        nxt_end = following[1][0] if len(following) > 1 else len(sentence)
        nxt = sentence[following[0][1] : nxt_end]
    before = _PSEUDO_DENIAL.sub(" ", sentence[left:start])
    if _DENIAL.search(" ".join(before.split()[-_DENIAL_REACH:])):
        return False
    if _FINE_AFTER.match(sentence[end:]):
        return False
    if _LONG_AGO.search(clause) or _LONG_AGO.search(nxt):
        return False
    return not (flag not in _ALWAYS and _UNRELATED.search(sentence))

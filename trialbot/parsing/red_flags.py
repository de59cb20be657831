"""Red-flag symptoms in any message: signs of cauda equina syndrome or nerve damage.

These need urgent medical attention whatever question was asked, so detection errs on
the side of flagging; only a clear denial ("no problems with my bladder", "my bladder
is fine") suppresses one.
"""

from __future__ import annotations

import re

from trialbot.parsing.nlp import analyse

RED_FLAGS = ("bladder_bowel", "saddle_numbness", "leg_weakness")

# "my bladder is fine": a denial that follows the symptom, which NegEx does not cover
# (a following "fine" would wrongly deny treatments and findings elsewhere).
_FINE_AFTER = re.compile(
    r"^\W*(?:and (?:my )?(?:bowels?|bladder) )?(?:is|are|was|were|feels?|seems?)\s+"
    r"(?:totally |completely |perfectly )?(?:fine|ok|okay|normal|good|alright|all right)\b"
)


def detect_red_flags(text: str) -> list[str]:
    """Red flags mentioned and not denied, in a fixed order."""
    if not isinstance(text, str) or not text.strip():
        return []
    analysis = analyse(text)
    found: set[str] = set()
    for mention in analysis.of("RED_FLAG"):
        end = analysis.text.find(mention.text) + len(mention.text)
        if _FINE_AFTER.match(analysis.text[end:].lower()):
            continue
        found.add(mention.value)
    return [flag for flag in RED_FLAGS if flag in found]

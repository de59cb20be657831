"""Whether back pain spreads into the leg, and how far.

Radicular pain, which SPINUS II excludes, is pain radiating *below the knee*; pain
into the buttock, groin, hip or thigh is allowed. So the furthest non-negated body
part decides:

* calf, shin, ankle, foot, toes, "below/past the knee" -> ``below_knee``
* buttock, groin, hip, thigh, knee (pain reaching the knee is not below it)
  -> ``above_knee``; so are limits that are denied: "it doesn't go below the knee",
  "not past my thigh"
* leg, legs, "radiates", "sciatica" with no level -> ``leg_unspecified``
* "no", "it stays in my back", "it doesn't go into my legs" -> ``none``

Body parts that are only denied ("no pain in my foot") never count as reached. If the
only words are denied lower-leg parts, the level is unclear: not understood.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, Mention, analyse
from trialbot.parsing.yes_no import DONT_KNOW, leading_answer, polarity

_STAYS = re.compile(
    r"\b(?:stays?|only|just|mainly|mostly|all|purely)\b.*\bback\b|\bback only\b|\bjust (?:in )?"
    r"(?:my|the) back\b|\bdoes not (?:spread|radiate|go|travel|move)\b"
)


def parse_pain_location(text: str, today: date) -> Parsed:
    return read_pain_location(analyse(text))


def read_pain_location(analysis: Analysis) -> Parsed:
    body = analysis.of("BODY") + analysis.of("RADIATE") + analysis.of("LIMIT")
    denied = analysis.of("BODY", negated=True) + analysis.of("RADIATE", negated=True)
    denied_limits = analysis.of("LIMIT", negated=True)
    hedged = bool(analysis.hedge_cues)

    def reached(*levels: str) -> list[Mention]:
        return [m for m in body if _level(m) in levels]

    for level in ("below_knee", "above_knee", "leg_unspecified"):
        found = reached(level)
        if level == "above_knee":
            # "it doesn't go below the knee", "not past my thigh": it stops above the knee.
            found += [m for m in denied_limits if m.value in ("knee", "thigh", "hip")]
        if found:
            return Parsed(
                understood=True,
                value=level,
                hedged=hedged or any(m.hedged for m in found),
                evidence=", ".join(m.text for m in found),
            )

    answer = leading_answer(analysis.norm)
    denied_leg = [m for m in denied if _level(m) in ("leg_unspecified", "above_knee")]
    if denied_leg or answer == "no" or reached("back") or _STAYS.search(analysis.norm):
        return Parsed(understood=True, value="none", hedged=hedged, evidence=analysis.text)
    if denied:
        # Only lower-leg parts denied ("not into my foot"): how far it goes is unclear.
        return Parsed.not_understood()
    answer_parsed = polarity(analysis.norm)
    if answer_parsed.is_dont_know or DONT_KNOW.search(analysis.norm):
        return Parsed.dont_know(evidence=analysis.text)
    if answer_parsed.understood:
        value = "leg_unspecified" if answer_parsed.value == "yes" else "none"
        return Parsed(
            understood=True, value=value, hedged=answer_parsed.hedged, evidence=analysis.text
        )
    return Parsed.not_understood()


def _level(mention: Mention) -> str:
    if mention.label == "LIMIT":
        # Going past the knee or the thigh reaches below the knee; past the hip, the leg.
        return "leg_unspecified" if mention.value == "hip" else "below_knee"
    if mention.label == "RADIATE" or mention.value == "leg":
        return "leg_unspecified"
    return mention.value

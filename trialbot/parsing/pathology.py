"""Other spinal pathology that excludes a candidate from SPINUS II.

Excluding ``conditions``: tumour, congenital defect (spina bifida...), spondylolysis
(pars fracture) and spondylolisthesis (a slipped *vertebra*; "spondy" is taken as
spondylolisthesis, its usual colloquial sense). A slipped, herniated or bulging *disc*,
stenosis or scoliosis is not excluding: it goes to ``other`` under its own name
(``herniated_disc``, ``bulging_disc``, ...), so staff can still see it.

A bare "yes" names no condition: not understood, so the bot asks which one.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.imaging import FINDINGS
from trialbot.parsing.nlp import Analysis, analyse
from trialbot.parsing.yes_no import DONT_KNOW, leading_answer, polarity

CONDITIONS = ("tumour", "congenital_defect", "spondylolysis", "spondylolisthesis")
OTHER = (
    *[f for f in FINDINGS if f != "normal"],
    "scoliosis",
    "fracture",
    "osteoporosis",
    "infection",
)

_NONE = re.compile(
    r"\b(?:none|non|nothing|neither|no|never|not that i know|not that i am aware|"
    r"none of (?:those|these|them|that|the above))\b"
)


def parse_spinal_pathology(text: str, today: date) -> Parsed:
    return read_spinal_pathology(analyse(text))


def read_spinal_pathology(analysis: Analysis) -> Parsed:
    said = analysis.of("CONDITION")
    found_other = analysis.of("FINDING") + analysis.of("OTHER_PATHOLOGY")
    conditions = [c for c in CONDITIONS if any(m.value == c for m in said)]
    other = [o for o in OTHER if any(m.value == o for m in found_other)]
    # A fractured pars is spondylolysis, not a separate "fracture".
    if "spondylolysis" in conditions and "fracture" in other:
        other.remove("fracture")
    hedged = bool(analysis.hedge_cues) or any(m.hedged for m in said)
    evidence = ", ".join(m.text for m in said + found_other)

    if conditions or other:
        value = {"conditions": conditions, "other": other}
        return Parsed(understood=True, value=value, hedged=hedged, evidence=evidence)

    answer = polarity(analysis.norm)
    if answer.understood and answer.value == "no":
        # "no", "I don't think so", "none of those": hedging carries over.
        return Parsed(
            understood=True,
            value={"conditions": [], "other": []},
            hedged=answer.hedged or hedged,
            evidence=answer.evidence,
        )
    denied = analysis.of("CONDITION", negated=True)
    if denied or leading_answer(analysis.norm) == "no" or _NONE.search(analysis.norm):
        return Parsed(
            understood=True,
            value={"conditions": [], "other": []},
            hedged=hedged,
            evidence=", ".join(m.text for m in denied) or analysis.text,
        )
    dont_know = DONT_KNOW.search(analysis.norm)
    if dont_know or answer.is_dont_know:
        return Parsed.dont_know(evidence=analysis.text)
    return Parsed.not_understood()

"""MRI and SPECT/CT answers, and intolerance of the SPECT examination.

Decisions:

* MRI: "normal" is dropped when other findings are named ("mostly normal, some wear
  and tear" is ``degenerated_disc``); bare "arthritis"/"spondylosis" count as
  ``facet_arthropathy`` (spinal osteoarthritis is mostly of the facet joints).
  "slipped vertebra" is not an MRI finding here: it belongs to the pathology question.
* SPECT/CT levels: distinct spinal segments are counted ("L4-L5 and L5-S1" -> 2,
  "L3 to S1" -> 3). "multiple"/"several"/"more than one" level(s) -> ``levels=2`` as a
  lower bound, ``positive=True``, not hedged (the candidate is not in doubt; the exact
  count is simply unknown).
* Intolerance: claustrophobia that stopped the scan counts as intolerance — a
  SPECT/CT means lying still in a scanner for a long time. An allergy to something
  else ("allergic to penicillin") does not.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, analyse
from trialbot.parsing.numbers import words_to_digits
from trialbot.parsing.yes_no import DONT_KNOW, leading_answer, polarity

FINDINGS = (
    "degenerated_disc",
    "bulging_disc",
    "facet_arthropathy",
    "modic_changes",
    "herniated_disc",
    "stenosis",
    "normal",
)

_NORMAL = re.compile(
    r"\bnothing\s+(?:was\s+|really\s+)?(?:found|showed|abnormal|wrong|significant|there)\b"
    r"|\bdid not (?:show|find) anything\b|\bcame back (?:fine|clear|normal|ok|okay)\b"
    r"|\bshowed nothing\b|\bfound nothing\b|\bnothing on it\b"
)
_NOT_HAD = re.compile(
    r"\b(?:never|not)\s+(?:had|done|been)\b|\bhave not\b|\bhad none\b|\bno (?:mri|scan|spect)\b"
    r"|\bnever\b|\bdid not have\b|\bnot yet\b"
)
_HAD = re.compile(
    r"\b(?:i had|i have had|had one|had an?|had it|got one|done one|did one|it showed|showed|"
    r"what it showed|the results?|the report)\b"
)
_WHAT_IS_IT = re.compile(
    r"\bwhat(?: is| 's|s)? (?:that|it|this|a spect|spect)\b|\bnever heard\b|\bwhat does that mean\b"
)


def parse_mri(text: str, today: date) -> Parsed:
    return read_mri(analyse(text))


def read_mri(analysis: Analysis) -> Parsed:
    found = analysis.of("FINDING")
    findings = [f for f in FINDINGS if any(m.value == f for m in found)]
    normal = bool(analysis.of("NORMAL")) or bool(_NORMAL.search(analysis.norm))
    if normal and not findings:
        findings = ["normal"]
    hedged = bool(analysis.hedge_cues) or any(m.hedged for m in found)
    evidence = ", ".join(m.text for m in found) or analysis.text
    if findings:
        return _imaging({"had": "yes", "findings": findings}, hedged, evidence)
    had = _had(analysis)
    if had is None:
        dont_know = DONT_KNOW.search(analysis.norm)
        return Parsed.dont_know(dont_know.group()) if dont_know else Parsed.not_understood()
    return _imaging({"had": had, "findings": []}, hedged, evidence)


def _had(analysis: Analysis) -> str | None:
    """ "yes" / "no" for "have you had this scan?", None when not said."""
    norm = analysis.norm
    answer = leading_answer(norm)
    if answer is not None:
        return answer
    if analysis.of("IMAGING", negated=True) or _NOT_HAD.search(norm):
        return "no"
    # Naming a diagnosis ("a slipped vertebra") answers that there was a scan.
    diagnosed = analysis.of("CONDITION") + analysis.of("OTHER_PATHOLOGY")
    if _HAD.search(norm) or analysis.of("IMAGING") or diagnosed:
        return "yes"
    said = polarity(norm)
    return str(said.value) if said.understood and said.value else None


def _imaging(value: dict[str, object], hedged: bool, evidence: str) -> Parsed:
    return Parsed(understood=True, value=value, hedged=hedged, evidence=evidence)


# Vertebrae in order, so a segment's size is a difference: T12 -> 12, L1 -> 13, S1 -> 18.
_VERTEBRA = re.compile(
    r"\b(?P<a>[tls])(?P<an>\d{1,2})(?:\s*(?:-|/|–|to|through)\s*(?P<b>[tls])?"
    r"(?P<bn>\d{1,2}))?\b"
)
_COUNTED = re.compile(
    r"\b(?P<n>\d{1,2})\s*(?:\+\s*|or\s+more\s+)?(?:different\s+|separate\s+|spinal\s+)?(?:levels?|places?|spots?|"
    r"areas?|segments?|hot\s?spots?|discs?|joints?|points?)\b"
)
_SEVERAL = re.compile(
    r"\b(?:multiple|several|many|more than one|various|both|lots of|numerous|a few)\s+"
    r"(?:different\s+)?(?:levels?|places?|spots?|areas?|segments?|hot\s?spots?|discs?|joints?)\b"
    r"|\bmultilevel\b|\bmulti - level\b"
)
_ONE = re.compile(r"\b(?:single|only one|just one)\s+(?:level|place|spot|area|segment)\b")
_POSITIVE_WORDS = re.compile(r"\bpositive\b|\blit up\b")


def _index(letter: str, number: int) -> int | None:
    limits = {"t": (1, 12, 0), "l": (1, 5, 12), "s": (1, 1, 17)}
    low, high, offset = limits[letter]
    return offset + number if low <= number <= high else None


def count_levels(text: str) -> int:
    """Distinct spinal segments named in ``text`` ("L4-L5, L5/S1" -> 2)."""
    segments: set[tuple[int, int]] = set()
    for match in _VERTEBRA.finditer(text.lower()):
        first = _index(match.group("a"), int(match.group("an")))
        if first is None:
            continue
        if match.group("bn") is None:
            segments.add((first, first))
            continue
        second = _index(match.group("b") or match.group("a"), int(match.group("bn")))
        if second is None or second <= first:
            segments.add((first, first))
            continue
        segments.update((v, v + 1) for v in range(first, second))
    return len(segments)


def parse_spect_ct(text: str, today: date) -> Parsed:
    return read_spect_ct(analyse(text))


def read_spect_ct(analysis: Analysis) -> Parsed:
    norm, _ = words_to_digits(analysis.norm)
    hedged = bool(analysis.hedge_cues)
    levels: int | None = count_levels(analysis.text) or None
    # Before words_to_digits turns "several" into a guessed 3.
    if levels is None and _SEVERAL.search(analysis.norm):
        levels = 2
    counted = _COUNTED.search(norm)
    if levels is None and counted:
        levels = int(counted.group("n"))
    if levels is None and _ONE.search(norm):
        levels = 1

    positive_said = analysis.of("SPECT_RESULT")
    negative_said = analysis.of("SPECT_RESULT", negated=True) + analysis.of("NORMAL")
    evidence = ", ".join(m.text for m in positive_said + negative_said) or analysis.text
    if levels == 0 or (negative_said and not positive_said and not levels):
        return _imaging({"had": "yes", "levels": 0, "positive": False}, hedged, evidence)
    if levels or positive_said:
        return _imaging({"had": "yes", "levels": levels, "positive": True}, hedged, evidence)
    if _WHAT_IS_IT.search(norm):
        return Parsed.dont_know(evidence=analysis.text)
    had = _had(analysis)
    if had is None:
        dont_know = DONT_KNOW.search(norm)
        return Parsed.dont_know(dont_know.group()) if dont_know else Parsed.not_understood()
    return _imaging({"had": had, "levels": None, "positive": None}, hedged, evidence)


_CANNOT = re.compile(
    r"\b(?:can not|could not|unable to|was not able to|not able to|can never)\s+"
    r"(?:have|do|tolerate|stand|lie|finish|stay|complete|go through|get through)\b"
)
_FINE = re.compile(
    r"\b(?:was|were|went|felt|it is|i am|i was)\s+(?:totally\s+|completely\s+|absolutely\s+)?"
    r"(?:fine|ok|okay|all right|alright|good|well)\b|\bno (?:problems?|issues?|reactions?|"
    r"trouble)\b|\bfine\b|\ball good\b|\bwent well\b|\bnone\b"
)
_NEVER_HAD = re.compile(r"\bnever had\b|\bhave not had\b|\bnot had\b|\bnever been\b")
_TRACER = {
    "tracer",
    "dye",
    "contrast",
    "radioactive",
    "isotope",
    "injection",
    "iodine",
    "scan",
    "scans",
    "scanner",
    "it",
    "that",
    "them",
    "the",
    "nuclear",
    "technetium",
}
_ALLERGIC_TO = re.compile(r"\ballerg(?:ic|y|ies)\s+to\s+(?P<what>\w+)")


def parse_spect_intolerance(text: str, today: date) -> Parsed:
    return read_spect_intolerance(analysis=analyse(text))


def read_spect_intolerance(analysis: Analysis) -> Parsed:
    norm = analysis.norm
    hedged = bool(analysis.hedge_cues)
    allergic_to = _ALLERGIC_TO.search(norm)
    other_allergy = allergic_to is not None and allergic_to.group("what") not in _TRACER
    reactions = [
        m for m in analysis.of("INTOLERANCE") if not (other_allergy and "allerg" in m.text.lower())
    ]
    cannot = _CANNOT.search(norm)
    if reactions or cannot:
        evidence = ", ".join(m.text for m in reactions) or (cannot.group() if cannot else "")
        return Parsed(understood=True, value="yes", hedged=hedged, evidence=evidence)
    fine = _FINE.search(norm)
    if analysis.of("INTOLERANCE", negated=True) or fine:
        return Parsed(understood=True, value="no", hedged=hedged, evidence=analysis.text)
    if _NEVER_HAD.search(norm):
        # Without a scan so far, nobody can say how they would tolerate one.
        return Parsed.dont_know(evidence=analysis.text)
    if other_allergy:
        return Parsed(understood=True, value="no", hedged=True, evidence=analysis.text)
    return polarity(norm)

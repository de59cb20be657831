"""MRI and SPECT/CT answers, and intolerance of the SPECT examination.

Decisions:

* MRI: "normal" is dropped when other findings are named ("mostly normal, some wear
  and tear" is ``degenerated_disc``); bare "arthritis"/"spondylosis" count as
  ``facet_arthropathy`` (spinal osteoarthritis is mostly of the facet joints).
  Report words: "DDD", "black/dark disc", "desiccation", "osteochondrosis", "loss of
  disc height", "annular tear", "wear and tear", "age-related changes" are
  ``degenerated_disc``; "all clear", "nothing found", "unremarkable", "healthy discs",
  "no abnormalities" are ``normal``. "A spine like an 80 year old's", "the discs of an
  old man", "my back looks older than I am" are ``degenerated_disc``.
* "normal for my age" is *not* a normal scan: radiologists write it of the wear
  expected at that age, which may or may not count ("they said it's my age", "just
  ageing" likewise). No finding is recorded (the
  criterion stays unknown and the study team reads the report). So is "nothing
  serious" / "nothing to worry about": said of mild wear as often as of a clear scan.
* Findings from another scan ("CT showed worn discs, never had an MRI", "no MRI, just an
  x-ray that showed arthritis") are not MRI findings.
* "slipped vertebra" is not an MRI finding here: it belongs to the pathology question.
* SPECT/CT levels: distinct spinal segments are counted ("L4-L5 and L5-S1" -> 2,
  "L3 to S1" -> 3, "only L5 lit up" -> 1). "multiple"/"several"/"more than one"
  level(s) -> ``levels=2`` as a lower bound, ``positive=True``, not hedged (the
  candidate is not in doubt; the exact count is simply unknown). A bare count after the
  question ("yes, 2", "three") is the number of levels.
* Levels named with MRI findings ("degenerated discs at L4-L5") are the MRI's, not a
  SPECT/CT result: as an answer about the SPECT/CT that is not understood.
* Intolerance: a reaction to the tracer, pregnancy, or being unable to have or finish
  the scan is a reason ("yes"). Reasons the study team weighs are a *hedged* yes:
  claustrophobia on its own (a SPECT/CT camera is open, unlike an MRI tunnel; "I
  couldn't do the scanner" is a plain yes), breastfeeding (it can be paused), a fear
  of needles, and a reaction to "dye" or "contrast" (the dye of a CT or MRI is not the
  SPECT tracer). "no, but I'm scared of needles" is a no. An allergy to something else
  ("allergic to penicillin") is a hedged no.
* Any of these answers given to another question ("I'm 48", "physio and pills") or a
  question back ("what's a tracer?") is not understood.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, Mention, analyse, clause_spans
from trialbot.parsing.numbers import words_to_digits
from trialbot.parsing.topics import answers_elsewhere
from trialbot.parsing.yes_no import (
    DONT_KNOW,
    DONT_KNOW_MORE,
    is_question,
    leading_answer,
    polarity,
)

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
    r"|\bshowed nothing\b|\bfound nothing\b|\bnothing on it\b|\bnothing showed up\b"
)
# "normal for my age": the wear expected at that age, not a normal scan.
_NORMAL_FOR_AGE = re.compile(
    r"\bnormal for (?:my|your|his|her|their|someone 's|someone of my|a person of my|people my|"
    r"a man my|a woman my|someone my)?\s*age\b"
    r"|\b(?:fine|ok|okay|good|not bad|alright|all right|as expected|average) (?:for|at) "
    r"(?:my|your|his|her|their|someone 's|someone of my|a person of my|people my) ?age\b"
    r"|\b(?:what you would expect|expected) "
    r"(?:at|for) my age\b|\bnormal (?:for|at) (?:\d+|my years)\b"
    # "nothing serious": the doctor's comfort, not a scan without wear
    r"|\bnothing (?:too |very |really )?(?:serious|major|to worry about|dramatic|alarming)\b"
    # "they said it's my age", "just ageing", "age related": the same verdict of wear
    r"|\b(?:it is|it was|its|just|only|simply|all) (?:down to |because of )?(?:my |your |old )?"
    r"(?:age|ageing|aging)\b|\bage related\b|\bage - related\b"
)
# "my spine is like an 80 year old's", "the discs of an old man", "my back looks older
# than I am": the doctor's plain words for wear (an age of 50 or more, or "old").
_OLDER_SPINE = re.compile(
    r"\b(?:spine|back|discs?|disks?|vertebrae|bones)\b(?:\s+\w+){0,3}?\s+(?:like|of|as)\s+"
    r"(?:that of\s+|those of\s+|in\s+)?(?:an?|someone|somebody|a person)\s+(?:much\s+)?"
    r"(?:[5-9]\d|1[01]\d|old|older|elderly|aged)\b"
    r"|\blike (?:an?|someone) (?:[5-9]\d|1[01]\d|old|older|elderly)\b[^.;,]{0,30}?\b"
    r"(?:spine|back|discs?|disks?|vertebrae)\b"
    r"|\b(?:spine|back|discs?|disks?|vertebrae)\b(?:\s+\w+){0,2}?\s+(?:much\s+|way\s+|a lot\s+)?"
    r"older than (?:me|i am|my age|it should be|they should be|it is|my years)\b"
)
_NOT_HAD = re.compile(
    r"\b(?:never|not)\s+(?:had|done|been)\b|\bhave not\b|\bhad none\b|\bno (?:mri|scan|spect)\b"
    r"|\bnever\b|\bdid not have\b|\bnot yet\b|\b(?:can not|could not|cannot) have\b"
    r"|\bbooked (?:in )?(?:for|next)\b|\bscheduled (?:for|next)\b|\bappointment (?:is |for )?"
    r"(?:next|in)\b|\bwaiting (?:list )?for (?:one|it|the scan|a scan|an mri|a spect)\b"
    r"|\bon the waiting list\b|\bhaving (?:one|it) next\b"
    # still to come: "I'm going to have an MRI next week" (not "another one")
    r"|\b(?:going to|gonna|will|due to|supposed to|about to|meant to) (?:have|get|do)\b"
    r"(?! (?:another|a second|a new|a repeat|one again|it again)\b)"
)
_HAD = re.compile(
    r"\b(?:i had|i have had|had one|had an?|had it|got one|done one|did one|it showed|showed|"
    r"what it showed|the results?|the report|had (?:\d+|two|both))\b"
)
# A result not (yet) given: "haven't had the results yet", "nobody told me the result".
_NO_RESULT = re.compile(
    r"\b(?:have not|has not|had not|did not|do not|not yet|never|still not)\s+(?:yet\s+)?"
    r"(?:had|got|gotten|received|get|seen|heard)\s+(?:back\s+)?(?:the\s+|my\s+|his\s+|her\s+|any\s+)?"
    r"(?:results?|report|letter|feedback)\b|\bwaiting for (?:the\s+)?(?:results?|report)\b"
    r"|\b(?:nobody|no one|no - one)\s+(?:has\s+)?(?:told|explained|gave)\b"
)
# "I don't know if I had that one": not knowing governs the having.
_DONT_KNOW_IF = re.compile(
    r"\b(?:do not know|not sure|no idea|can not remember|do not remember)\s+(?:if|whether|what "
    r"kind|which)\b"
)
# "the SPECT was negative": NegEx reads the following "was negative" as denying the scan,
# but of a scan it is the result. Such a scan was had; its result is read as said.
_RESULT_AFTER = re.compile(
    r"^\s*(?:scan\s+|results?\s+|report\s+|test\s+)?(?:was|were|is|came back|come back|"
    r"turned out|has come back|had come back)\s+(?:all\s+|completely\s+|totally\s+|"
    r"entirely\s+)?(?:negative|clear|normal)\b"
)
_OWN_MRI = frozenset({"mri"})
_OWN_SPECT = frozenset({"spect_ct"})


def parse_mri(text: str, today: date) -> Parsed:
    return read_mri(analyse(text))


def read_mri(analysis: Analysis) -> Parsed:
    norm = analysis.norm
    lead = leading_answer(norm)
    if lead is None and is_question(norm):
        return Parsed.not_understood()  # "what's an MRI?"
    found = analysis.of("FINDING")
    findings = [f for f in FINDINGS if any(m.value == f for m in found)]
    for_age = _NORMAL_FOR_AGE.search(norm)
    normal_words = [
        m
        for m in analysis.of("NORMAL")
        if not (for_age and for_age.start() <= m.start < for_age.end())
    ]
    normal = bool(normal_words) or bool(_NORMAL.search(norm))
    hedged = bool(analysis.hedge_cues) or any(m.hedged for m in found)
    evidence = ", ".join(m.text for m in found) or analysis.text
    older = _OLDER_SPINE.search(words_to_digits(norm)[0])
    if older and "degenerated_disc" not in findings:
        findings.insert(0, "degenerated_disc")  # "a spine like an 80 year old's"
        evidence = ", ".join([older.group(), *(m.text for m in found)])
    imaging = analysis.of("IMAGING", negated=None)
    mri_named = [m for m in imaging if m.value == "mri"]
    mri_denied = any(_denied(m, norm) for m in mri_named)
    other_scan = any(m.value != "mri" and not _denied(m, norm) for m in imaging)
    if (findings or normal) and (mri_denied or (other_scan and not mri_named)):
        # "CT showed worn discs, never had an MRI": not the MRI's findings.
        if mri_denied:
            return _imaging({"had": "no", "findings": []}, hedged, analysis.text)
        return Parsed.not_understood()
    if normal and not findings:
        findings = ["normal"]
    if findings:
        return _imaging({"had": "yes", "findings": findings}, hedged, evidence)
    if for_age:
        # "normal for my age": had one; what it shows is for the study team to read.
        return _imaging({"had": "yes", "findings": []}, hedged, for_age.group())
    had = _had(analysis, _OWN_MRI)
    if had is None:
        return _dont_know_or_not(norm)
    return _imaging({"had": had, "findings": []}, hedged, evidence)


def _dont_know_or_not(norm: str) -> Parsed:
    dont_know = DONT_KNOW.search(norm) or DONT_KNOW_MORE.search(norm)
    return Parsed.dont_know(dont_know.group()) if dont_know else Parsed.not_understood()


def _had(analysis: Analysis, own: frozenset[str]) -> str | None:
    """ "yes" / "no" for "have you had this scan?", None when not said."""
    norm = analysis.norm
    answer = leading_answer(norm)
    named = [m for m in analysis.of("IMAGING", negated=None) if m.value in own]
    if answer == "no" and any(not _denied(m, norm) for m in named) and _HAD.search(norm):
        # "nope, had a nuclear scan last year and was fine" (the no answers another
        # question): the scan was had.
        return "yes"
    if answer is not None:
        return answer
    if _DONT_KNOW_IF.search(norm):
        return None
    no_result = _NO_RESULT.search(norm)
    if no_result:
        # "had one in October but haven't had the results yet": had, result not known.
        rest = norm[: no_result.start()] + " " + norm[no_result.end() :]
        if _HAD.search(rest) and not _NOT_HAD.search(rest):
            return "yes"
    if any(_denied(m, norm) for m in named) or _NOT_HAD.search(norm):
        return "no"
    if _HAD.search(norm) or any(not _denied(m, norm) for m in named):
        return "yes"
    if DONT_KNOW.search(norm) or answers_elsewhere(analysis, own):
        return None
    said = polarity(norm)
    return str(said.value) if said.understood and said.value else None


def _denied(mention: Mention, norm: str) -> bool:
    """Whether the scan named is said not to have been had ("no SPECT yet"), not merely
    to have come back negative ("the SPECT was negative")."""
    return mention.negated and not _RESULT_AFTER.match(norm[mention.end :])


def _imaging(value: dict[str, object], hedged: bool, evidence: str) -> Parsed:
    return Parsed(understood=True, value=value, hedged=hedged, evidence=evidence)


# Vertebrae in order, so a segment's size is a difference: T12 -> 12, L1 -> 13, S1 -> 18.
# Two neighbours with only a space between are one segment too: "L5 S1", "l4 l5 l5 s1".
_VERTEBRA = re.compile(
    r"\b(?P<a>[tls])(?P<an>\d{1,2})(?:(?:\s*(?:-|/|–|to|through)\s*|(?P<space>\s+)(?=[tls]\d))"
    r"(?P<b>[tls])?(?P<bn>\d{1,2}))?\b"
)
_COUNTED = re.compile(
    r"\b(?P<n>\d{1,2})\s*(?:\+\s*|or\s+more\s+)?(?:of\s+(?:the\s+|my\s+)?)?"
    r"(?:different\s+|separate\s+|spinal\s+|active\s+|"
    r"positive\s+|hot\s+|affected\s+|lumbar\s+|bright\s+)?(?:levels?|places?|spots?|areas?|"
    r"segments?|hot\s?spots?|discs?|joints?|points?)\b"
)
_SEVERAL = re.compile(
    r"\b(?<!how )(?:multiple|several|many|more than one|various|both|lots of|numerous|a few|"
    r"a couple of|a couple)\s+(?:different\s+|active\s+|positive\s+)?(?:levels?|places?|spots?|"
    r"areas?|segments?|hot\s?spots?|discs?|joints?)\b|\bmultilevel\b|\bmulti - level\b"
    r"|\bnot (?:only|just) (?:one|1|a single)\b"
)
_ONE = re.compile(
    r"\b(?:single|only one|just one|only 1|just 1|just the 1|just the one|the one)\s+"
    r"(?:level|place|spot|area|segment|hot\s?spot)\b"
)
# Spots counted on one level: "two places on the same level", "both sides of L4/5".
_SAME_LEVEL = re.compile(r"\b(?:on|at|in) (?:the )?same level\b|\bsame level\b")
# A bare count as the whole answer: "yes, 2", "three", "2+".
_BARE_COUNT = re.compile(
    r"^\W*(?:yes\W*)?(?:(?:only|just)\s+(?:the\s+)?)?(?P<n>\d)\s*\+?\s*(?:only)?\W*$"
)
_SPECT_NEGATIVE = re.compile(
    r"\b(?:they |it )?found nothing\b|\bnothing (?:was )?(?:found|showed|lit up|showed up)\b"
    r"|\bshowed nothing\b|\bno (?:hot ?spots?|activity|uptake|active spots?)\b"
)
_SPECT_WORDS = re.compile(
    r"\blit up\b|\blight(?:s|ed)? up\b|\bhot ?spots?\b|\buptake\b|\bactiv\w*\b|\bpositive\b|\bhot\b"
    r"|\btracer\b|\bspect\b|\bbone scan\b|\bnuclear\b"
)


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
        if match.group("space") and second is not None and second != first + 1:
            segments.update({(first, first), (second, second)})  # "L3 L5": two named
            continue
        if second is None or second <= first:
            segments.add((first, first))
            continue
        segments.update((v, v + 1) for v in range(first, second))
    return len(segments)


def parse_spect_ct(text: str, today: date) -> Parsed:
    return read_spect_ct(analyse(text))


def read_spect_ct(analysis: Analysis) -> Parsed:
    norm = analysis.norm
    lead = leading_answer(norm)
    if lead is None and is_question(norm):
        return Parsed.not_understood()  # "whats a spect?"
    hedged = bool(analysis.hedge_cues)
    spect_named = [m for m in analysis.of("IMAGING", negated=None) if m.value == "spect_ct"]
    if any(_denied(m, norm) for m in spect_named):
        # "two levels on MRI, no SPECT yet": the levels are not the SPECT/CT's.
        return _imaging({"had": "no", "levels": None, "positive": None}, hedged, analysis.text)
    about_spect = _spect_clauses(analysis)
    if not about_spect.strip() and lead is None:
        return Parsed.not_understood()  # "my MRI showed bulging discs": about the MRI
    digits, _ = words_to_digits(about_spect)
    levels: int | None = count_levels(about_spect) or None
    # Before words_to_digits turns "several" into a guessed 3.
    if levels is None and _SEVERAL.search(about_spect):
        levels = 2
    counted = [int(m.group("n")) for m in _COUNTED.finditer(digits)]
    if levels is None and counted:
        levels = 1 if _SAME_LEVEL.search(digits) else max(counted)
    if levels is None and _ONE.search(digits):
        levels = 1
    bare = _BARE_COUNT.match(words_to_digits(norm)[0])
    if levels is None and bare:
        levels = int(bare.group("n"))

    positive_said = analysis.of("SPECT_RESULT")
    negative_said = analysis.of("SPECT_RESULT", negated=True) + analysis.of("NORMAL")
    negative_words = _SPECT_NEGATIVE.search(norm)
    evidence = ", ".join(m.text for m in positive_said + negative_said) or analysis.text
    if levels == 0 or ((negative_said or negative_words) and not positive_said and not levels):
        return _imaging({"had": "yes", "levels": 0, "positive": False}, hedged, evidence)
    if levels or positive_said:
        return _imaging({"had": "yes", "levels": levels, "positive": True}, hedged, evidence)
    had = _had(analysis, _OWN_SPECT)
    if had is None:
        return _dont_know_or_not(norm)
    return _imaging({"had": had, "levels": None, "positive": None}, hedged, evidence)


def _spect_clauses(analysis: Analysis) -> str:
    """The clauses that can hold a SPECT/CT result: not those naming MRI findings or
    the MRI ("degenerated discs at L4-L5", "my MRI showed bulging discs")."""
    kept: list[str] = []
    for left, right in clause_spans(analysis.norm):
        clause = analysis.norm[left:right]
        inside = [m for m in analysis.mentions if left <= m.start < right]
        mri = [
            m for m in inside if m.label == "FINDING" or (m.label, m.value) == ("IMAGING", "mri")
        ]
        if mri and not _SPECT_WORDS.search(clause):
            continue
        kept.append(clause)
    return " , ".join(kept)


_CANNOT = re.compile(
    r"\b(?:can not|could not|unable to|was not able to|not able to|can never)\s+"
    r"(?:have|do|tolerate|stand|lie|finish|stay|complete|go through|get through)\b"
)
_CAN = re.compile(
    r"\b(?:i|he|she) (?:can|could|would|will|'d|'ll) (?:have|do|manage|cope|tolerate|be fine|"
    r"be ok)\b(?! to\b)"
    r"|\bhappy to (?:have|do)\b|\bfine (?:by|with) me\b|\bno problems?\b|\bno issues?\b"
    r"|\b(?:am|'m) (?:ok|okay|fine) with\b"
    r"|\b(?:should|would|will|'d|'ll) be (?:fine|ok|okay|alright|all right|no problem)\b"
    # a fear said and waved away: "scared of needles but ok", "claustrophobic, but manageable"
    r"|\bbut (?:(?:it is|it s|i am|i m|that is|that s|still)\s+)?(?:ok|okay|fine|alright|"
    r"all right|manageable|doable|i manage|i cope|i can do it)\b"
)
_FINE = re.compile(
    r"\b(?:was|were|went|felt|it is|i am|i was)\s+(?:totally\s+|completely\s+|absolutely\s+)?"
    r"(?:fine|ok|okay|all right|alright|good|well)\b|\bno (?:problems?|issues?|reactions?|"
    r"trouble)\b|\bfine\b|\ball good\b|\bwent well\b|\bnone\b"
)
# Nothing known against it: "I don't know of any reason", "not aware of any".
_KNOW_OF_NONE = re.compile(
    r"\b(?:do not|does not) know of (?:any|a)\b|\bnot aware of (?:any|a)\b|\bknow of no\b"
    r"|\b(?:can not|could not) think of (?:any|one|a reason)\b|\bno reason\b"
)
# Not known before someone else is asked: "I'd have to ask my doctor".
_ASK_FIRST = re.compile(
    r"\b(?:have to|need to|would need to|must|should|will|'ll|'d have to)\s+(?:ask|check with)\b"
    r"|\bnot sure\b.*\b(?:problems?|trouble|issues?|reactions?|funny turn)\b"
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
# A reaction to the dye or contrast of a CT or MRI, which is not the SPECT tracer.
_DYE = re.compile(r"\b(?:dye|contrast|iodine)\b")
_FIRM = ("reaction", "pregnancy")
_OWN_INTOLERANCE = frozenset({"spect_intolerance", "spect_ct", "mri"})


def parse_spect_intolerance(text: str, today: date) -> Parsed:
    return read_spect_intolerance(analysis=analyse(text))


def read_spect_intolerance(analysis: Analysis) -> Parsed:
    norm = analysis.norm
    lead = leading_answer(norm)
    if lead is None and is_question(norm):
        return Parsed.not_understood()  # "what's a tracer?"
    hedged = bool(analysis.hedge_cues)
    allergic_to = _ALLERGIC_TO.search(norm)
    other_allergy = allergic_to is not None and allergic_to.group("what") not in _TRACER
    reasons = [
        m for m in analysis.of("INTOLERANCE") if not (other_allergy and "allerg" in m.text.lower())
    ]
    firm = [m for m in reasons if m.value in _FIRM]
    soft = [m for m in reasons if m.value not in _FIRM]
    cannot = _CANNOT.search(norm)
    if firm or cannot:
        dye_only = bool(firm) and not cannot and all(_about_dye(m, analysis) for m in firm)
        if not (dye_only and lead == "no"):
            evidence = ", ".join(m.text for m in firm) or (cannot.group() if cannot else "")
            return Parsed(
                understood=True,
                value="yes",
                hedged=hedged or dye_only or any(m.hedged for m in firm),
                evidence=evidence,
                for_team=dye_only,  # CT dye is not the tracer: the team weighs it
            )
    if soft and lead != "no" and not _CAN.search(norm):
        # Claustrophobia, breastfeeding, a fear of needles: the study team weighs them.
        return Parsed(
            understood=True,
            value="yes",
            hedged=True,
            evidence=", ".join(m.text for m in soft),
            for_team=True,
        )
    if lead is not None:
        return Parsed(understood=True, value=lead, hedged=hedged, evidence=analysis.text)
    if _ASK_FIRST.search(norm):
        return Parsed.dont_know(evidence=analysis.text)  # "I'd have to ask my doctor"
    fine = _FINE.search(norm) or _CAN.search(norm) or _KNOW_OF_NONE.search(norm)
    if analysis.of("INTOLERANCE", negated=True) or fine:
        return Parsed(understood=True, value="no", hedged=hedged, evidence=analysis.text)
    if DONT_KNOW.search(norm) or DONT_KNOW_MORE.search(norm):
        return _dont_know_or_not(norm)
    if _NEVER_HAD.search(norm):
        # Without a scan so far, nobody can say how they would tolerate one.
        return Parsed.dont_know(evidence=analysis.text)
    if other_allergy:
        return Parsed(understood=True, value="no", hedged=True, evidence=analysis.text)
    if answers_elsewhere(analysis, _OWN_INTOLERANCE):
        return Parsed.not_understood()  # "I'm 48", "physio and pills"
    return polarity(norm)


def _about_dye(mention: Mention, analysis: Analysis) -> bool:
    return bool(_DYE.search(analysis.clause_of(mention))) and "tracer" not in analysis.norm

"""Other spinal pathology that excludes a candidate from SPINUS II.

Excluding ``conditions``: tumour, congenital defect (spina bifida...), spondylolysis
(pars fracture) and spondylolisthesis (a slipped *vertebra*). A slipped, herniated or
bulging *disc*, degenerated discs, stenosis or scoliosis is not excluding: it goes to
``other`` under its own name (``herniated_disc``, ``degenerated_disc``, ...), so staff
can still see it. So does inflammatory spine disease ("ankylosing spondylitis",
``inflammatory``: not "spondylolysis") and kyphosis.

Decisions:

* Lay words: "slipped vertebra", "my spine slipped forward", "L5 slipped over S1",
  "a small slip of L4", "spondy" (its usual colloquial sense) are spondylolisthesis;
  "a crack in a vertebra" (the question's own gloss), "stress fracture in my back",
  "pars defect" are spondylolysis; "a growth on my spine", "cancer in the spine",
  "schwannoma" are a tumour. "I think the doctor mentioned a slipped disc?" is a
  hedged herniated disc, *not* spondylolisthesis.
* "born with a curved spine": congenital scoliosis is a congenital defect, but lay
  people also say "born with" of the common scoliosis that starts in childhood, so it
  is a *hedged* ``congenital_defect`` (never excludes on its own; the team checks).
  "scoliosis since I was a kid" is ``other``.
* Cancer of another organ ("I had breast cancer 10 years ago", "I had cancer but not in
  the spine") is a *hedged* tumour: it may have spread to the spine, so the team
  checks; it never excludes on its own.
* A condition that was ruled out ("they checked for cancer and it was clear", "it
  turned out to be nothing", "checked for spondylolisthesis and it was negative") or
  belongs to a relative ("my mum had spina bifida, I don't") is not the candidate's.
* A bare "yes" names no condition: not understood, so the bot asks which one (the value
  can only hold named conditions).
* "none, I've never had anything like that", "nope", "n/a" -> none. An answer to another
  question ("physio didn't help", "I'm 62") or a question back ("what is
  spondylolysis?") is not understood.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.imaging import FINDINGS
from trialbot.parsing.nlp import Analysis, Mention, analyse
from trialbot.parsing.topics import OTHER_ORGAN, answers_elsewhere
from trialbot.parsing.yes_no import (
    DONT_KNOW,
    DONT_KNOW_MORE,
    is_question,
    leading_answer,
    polarity,
)

CONDITIONS = ("tumour", "congenital_defect", "spondylolysis", "spondylolisthesis")
OTHER = (
    *[f for f in FINDINGS if f != "normal"],
    "scoliosis",
    "fracture",
    "osteoporosis",
    "infection",
    "cyst",
    "inflammatory",
    "kyphosis",
)

_NONE = re.compile(
    r"\b(?:none|non|nothing|neither|no|never|not that i know|not that i am aware|"
    r"none of (?:those|these|them|that|the above)|n / a|n/a|not applicable)\b"
)
# Said after a condition, these rule it out: "they checked for cancer and it was clear".
_RULED_OUT_AFTER = re.compile(
    r"^[^.;!?]{0,60}?\b(?:(?:it|that|this|they|which|scan|test|results?)\s+)?(?:was|were|came "
    r"back|turned out to be|proved to be)\s+(?:all\s+)?(?:clear|negative|fine|normal|nothing|"
    r"benign cyst|ok|okay)\b|^[^.;!?]{0,40}?\bruled out\b|^[^.;!?]{0,40}?\bscreening was (?:fine|"
    r"clear|negative|normal)\b"
)
_CHECKED_FOR = re.compile(r"\b(?:checked|tested|screened|scanned|looked) for\s+(?:\w+\s+){0,2}$")
_RELATIVE = re.compile(
    r"\b(?:my )?(?:mum|mom|mother|dad|father|sister|brother|son|daughter|wife|husband|"
    r"partner|grandma|grandmother|granny|grandad|grandfather|aunt|uncle|cousin|friend|family|"
    r"relative|parents?|niece|nephew)\b"
)
_SPINE = re.compile(r"\b(?:spine|spinal|vertebra\w*|back|lumbar|bones?|l\d|s1|t\d{1,2})\b")
_SCOLIOSIS_FROM_BIRTH = re.compile(r"\bborn with\b|\bfrom birth\b|\bsince birth\b|\bcongenital\b")
_OWN_TOPICS = frozenset({"spinal_pathology", "mri", "spect_ct"})


def parse_spinal_pathology(text: str, today: date) -> Parsed:
    return read_spinal_pathology(analyse(text))


def read_spinal_pathology(analysis: Analysis) -> Parsed:
    norm = analysis.norm
    lead = leading_answer(norm)
    if lead is None and is_question(norm):
        return Parsed.not_understood()  # "what is spondylolysis?"
    said = [m for m in analysis.of("CONDITION") if _the_candidates(m, analysis)]
    found_other = [
        m
        for m in analysis.of("FINDING") + analysis.of("OTHER_PATHOLOGY")
        if _the_candidates(m, analysis)
    ]
    conditions = [c for c in CONDITIONS if any(m.value == c for m in said)]
    other = [o for o in OTHER if any(m.value == o for m in found_other)]
    hedged = bool(analysis.hedge_cues) or any(m.hedged for m in said)
    # A fractured pars is spondylolysis, not a separate "fracture".
    if "spondylolysis" in conditions and "fracture" in other:
        other.remove("fracture")
    # An infection or cyst of another organ ("a bladder infection") is not spinal.
    other = [
        o
        for o in other
        if o not in ("infection", "cyst")
        or any(m.value == o and not OTHER_ORGAN.search(analysis.clause_of(m)) for m in found_other)
    ]
    tumours = [m for m in said if m.value == "tumour"]
    for_team = False
    if (
        tumours
        and all(_other_organ(m, analysis) for m in tumours)
        and not _spread_to_spine(analysis.norm)
    ):
        hedged = for_team = True  # "I had breast cancer": may have spread; the team checks
    congenital = [m for m in said if m.value == "congenital_defect"]
    if (
        congenital
        and "scoliosis" in other
        and all(_SCOLIOSIS_FROM_BIRTH.fullmatch(m.text.lower()) for m in congenital)
    ):
        hedged = for_team = True  # "born with a curved spine": congenital or childhood
    evidence = ", ".join(m.text for m in said + found_other)

    if conditions or other:
        value = {"conditions": conditions, "other": other}
        return Parsed(
            understood=True, value=value, hedged=hedged, evidence=evidence, for_team=for_team
        )

    if lead == "no":
        return _none(hedged, analysis.text)
    dont_know = DONT_KNOW.search(norm) or DONT_KNOW_MORE.search(norm)
    answer = polarity(norm)
    if dont_know and not (answer.understood and answer.value == "no" and answer.hedged):
        return Parsed.dont_know(evidence=dont_know.group())
    if answers_elsewhere(analysis, _OWN_TOPICS):
        return Parsed.not_understood()  # "physio didn't help", "since 2019"
    if answer.understood and answer.value == "no":
        # "no", "I don't think so", "none of those": hedging carries over.
        return _none(answer.hedged or hedged, answer.evidence)
    denied = analysis.of("CONDITION", negated=True)
    ruled_out = [m for m in analysis.of("CONDITION") if not _the_candidates(m, analysis)]
    if denied or ruled_out or _NONE.search(norm):
        return _none(hedged, ", ".join(m.text for m in denied) or analysis.text)
    if answer.is_dont_know:
        return Parsed.dont_know(evidence=analysis.text)
    return Parsed.not_understood()


# "it spread to one of my vertebrae", "with spine metastases": a cancer elsewhere that
# reached the spine is a spinal tumour; "it never spread to the bones" is not.
_SPREAD = re.compile(
    r"\b(?:spread|spreads|spreading|gone|went|moved|metastas\w*|mets)\b[^.;]{0,30}?"
    r"\b(?:spine|spinal|vertebra\w*|backbone|bones?|skeleton|[lts]\d{1,2})\b"
)
_NOT_SPREAD = re.compile(
    r"\b(?:never|not|no|nt|hasn'?t|has not|didn'?t|did not|without|wasn'?t)\b[^.;,]{0,20}"
    r"\b(?:spread|spreads|gone|went|moved|metastas\w*|mets)\b"
)


def _spread_to_spine(norm: str) -> bool:
    spread = _SPREAD.search(norm)
    return spread is not None and not _NOT_SPREAD.search(norm[: spread.end()])


def _none(hedged: bool, evidence: str) -> Parsed:
    value: dict[str, list[str]] = {"conditions": [], "other": []}
    return Parsed(understood=True, value=value, hedged=hedged, evidence=evidence)


def _the_candidates(mention: Mention, analysis: Analysis) -> bool:
    """Whether a condition named is the candidate's own and not ruled out."""
    norm = analysis.norm
    if _RULED_OUT_AFTER.search(norm[mention.end :]):
        return False
    if _CHECKED_FOR.search(norm[: mention.start]) and re.search(
        r"\b(?:clear|negative|fine|normal|nothing|ruled out)\b", norm[mention.end :]
    ):
        return False
    before = re.split(r"[.,;!?]|\bbut\b", norm[max(0, mention.start - 60) : mention.start])[-1]
    return not _RELATIVE.search(before)


def _other_organ(mention: Mention, analysis: Analysis) -> bool:
    clause = analysis.clause_of(mention)
    if _NOT_THE_SPINE.match(analysis.norm[mention.end :]):
        return True  # "I had cancer, but not in the spine"
    return bool(OTHER_ORGAN.search(clause)) and not _SPINE.search(clause)


_NOT_THE_SPINE = re.compile(
    r"^\W*(?:\w+\W+){0,4}?(?:but\s+)?(?:not|never|nothing)\s+(?:in|on|near|to do with|"
    r"spread to)\s+(?:my\s+|the\s+|his\s+|her\s+)?(?:spine|back|bones?|vertebra\w*)\b"
)

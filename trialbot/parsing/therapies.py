"""Conservative treatments tried, and whether they gave relief.

Decisions:

* An osteopath counts as ``chiropractic`` (both are manual spinal manipulation).
* Relief is the best any treatment gave, ``lasting`` > ``temporary`` > ``none``: one
  treatment that worked for good means conservative care did not fail.
* An unqualified "it helped" / "helped a bit" says neither how much nor how long:
  relief stays ``None`` for the study team to ask.
* "nothing worked" with no treatment named is not understood (what was tried?);
  "nothing", "none", "I haven't tried anything" mean ``tried == []``.
"""

from __future__ import annotations

import re
from datetime import date

from trialbot.answers import Parsed
from trialbot.parsing.nlp import Analysis, analyse
from trialbot.parsing.yes_no import DONT_KNOW, leading_answer

THERAPIES = (
    "physiotherapy",
    "medication",
    "injections",
    "chiropractic",
    "exercise",
    "massage",
    "acupuncture",
    "other",
)

_HELP = r"(?:help|helped|helps|work|worked|works|relief|better|eased|easier|improved)"
RELIEF_NONE = re.compile(
    r"\b(?:(?:did|does|do|has|have|had|would) not|never|none of (?:it|them|these|those))"
    r"\s+(?:really\s+|much\s+|even\s+)?(?:help|helped|work|worked|do anything|make a difference|"
    r"change anything|relieve)\b"
    r"|\bnothing\s+(?:has\s+|really\s+|ever\s+)?(?:helped|worked|works|helps|changed)\b"
    r"|\bno\s+(?:real\s+|lasting\s+)?(?:relief|difference|improvement|help|effect|change|luck|"
    r"use|benefit)\b"
    r"|\bmade no difference\b|\buseless\b|\bwaste of (?:time|money)\b|\bdid nothing\b"
    r"|\bwithout (?:any )?(?:relief|success|improvement)\b|\bmade it worse\b|\bnot helped\b"
    r"|\bnot effective\b|\bineffective\b|\bno good\b"
)
RELIEF_TEMPORARY = re.compile(
    r"\b" + _HELP + r"\b[^.;]{0,40}?\b(?:for a (?:while|bit|short time|(?:few|couple of|"
    r"\d+) (?:hours|days|weeks|months))|for (?:\d+|a few|few|a couple of) (?:hours|days|weeks|"
    r"months)|at first|briefly|temporarily|short term|for a short while)\b"
    r"|\b(?:wore|wears|wearing) off\b|\btemporar(?:y|ily)\b|\bshort[- ]?(?:term|lived)\b"
    r"|\b(?:pain|it) (?:came|comes|always comes) back\b|\bcame back\b|\bonly for\b"
    r"|\bdid not last\b|\bdoes not last\b|\bnot for long\b|\bonly lasted\b|\bonly (?:a|for)"
    r" (?:few|couple)\b|\bat first\b"
)
RELIEF_LASTING = re.compile(
    r"\bfixed\b|\bcured\b|\b(?:pain|it) (?:is|has|was|has been) (?:all )?gone\b|\bgone now\b"
    r"|\bwent away\b|\bresolved\b|\blasting relief\b|\bstill help(?:s|ing)\b"
    r"|\bkeeps? it under control\b|\bno more pain\b|\bpain free\b|\bsorted (?:it|me) out\b"
    r"|\bcompletely better\b"
)
_TRIED_NOTHING = re.compile(
    r"\b(?:nothing|none|no|never|not tried|non|not yet|no treatment|not really)\b"
)


def parse_therapies(text: str, today: date) -> Parsed:
    return read_therapies(analyse(text))


def read_therapies(analysis: Analysis) -> Parsed:
    mentions = analysis.of("THERAPY")
    tried = [t for t in THERAPIES if any(m.value == t for m in mentions)]
    relief, relief_evidence = _relief(analysis.norm)
    hedged = bool(analysis.hedge_cues) or any(m.hedged for m in mentions)

    if tried:
        evidence = ", ".join([m.text for m in mentions] + relief_evidence)
        return Parsed(
            understood=True,
            value={"tried": tried, "relief": relief},
            hedged=hedged,
            evidence=evidence,
        )
    if relief is not None:
        return Parsed.not_understood()
    dont_know = DONT_KNOW.search(analysis.norm)
    if dont_know:
        return Parsed.dont_know(evidence=dont_know.group())
    denied = analysis.of("THERAPY", negated=True)
    if denied or leading_answer(analysis.norm) == "no" or _TRIED_NOTHING.search(analysis.norm):
        return Parsed(
            understood=True,
            value={"tried": [], "relief": None},
            hedged=hedged,
            evidence=analysis.text,
        )
    return Parsed.not_understood()


def _relief(norm: str) -> tuple[str | None, list[str]]:
    for value, pattern in (
        ("lasting", RELIEF_LASTING),
        ("temporary", RELIEF_TEMPORARY),
        ("none", RELIEF_NONE),
    ):
        for match in pattern.finditer(norm):
            # "it never fixed it", "the pain has not gone" deny the relief.
            if value == "lasting" and _DENIED_BEFORE.search(norm[: match.start()]):
                continue
            return value, [match.group()]
    return None, []


_DENIED_BEFORE = re.compile(r"\b(?:not|never|no)\s+(?:\w+\s+)?$")

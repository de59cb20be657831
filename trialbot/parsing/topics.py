"""Which questions a message answers, for routing corrections and reading several facts.

"sorry, my pain actually started only 4 months ago" -> ["pain_duration"]; "I'm 62, my back
has hurt for 5 years and it goes into my left buttock but not past the knee" -> ["age",
"pain_duration", "radicular_pain"]. The interview then re-reads the message as the
answer to each of those questions, so a topic is only given when the message *states*
that fact; a word that merely appears is not enough. Decisions:

* A fact that is the subject of another fact is not a topic of its own: "my back has
  hurt for 5 years" is about the duration, not about having low back pain (the
  ``low_back_pain`` topic needs a statement of the pain itself: "my lower back pain is
  worse", "I don't really have back pain"). Otherwise a correction of the duration
  would be routed to the yes/no question that comes first in the questionnaire.
* A duration is ``pain_duration`` only outside a treatment, scan or relief clause:
  "physio for 3 months", "the injection helped for a few weeks" and "the scan 2 years
  ago" are not about how long the pain has lasted.
* "levels", "active", "positive" are the SPECT/CT only with a spinal level or the scan
  named; "pain levels" and "I'm very active" are not. Findings named with levels
  ("degenerated discs at L4-L5") are the MRI.
* A reaction to the tracer is ``spect_intolerance``; the scan it happened at is not a
  separate ``spect_ct`` answer.
* Cancer or an infection named with another organ ("bowel cancer screening", "a bladder
  infection") is not spinal pathology.

:func:`answers_elsewhere` lets each parser refuse an answer that belongs to another
question ("I'm 48" is not a yes to "do you have low back pain?").
"""

from __future__ import annotations

import re

from trialbot.answers import FACTS
from trialbot.parsing import lexicon
from trialbot.parsing.nlp import Analysis, Mention, analyse, clause_spans
from trialbot.parsing.numbers import words_to_digits

# The facts this module tells (a trial's question names the one it asks: ``fact:``).
QUESTION_IDS = FACTS

_DECADES = (
    r"(?:twenties|thirties|forties|fifties|sixties|seventies|eighties|20s|30s|40s|50s|60s|70s|80s)"
)
AGE = re.compile(
    r"\b(?:years?|yrs?|y) old\b|\b\d{1,3} ?(?:yo|y / o|yrs? old)\b|\bborn (?:in|on|back in)\b"
    r"|\bborn (?:19|20)\d\d\b|\bmy age\b|\bbirthday\b|\bturned \d{1,3}\b|\baged? \d{1,3}\b"
    r"|\b\d{1,3} years of age\b|\b(?:in my )?(?:early|mid|late) " + _DECADES + r"\b"
    r"|\bin my " + _DECADES + r"\b"
    r"|"
    + lexicon.LEARNER_AGE  # learner English: "i have 54 years" is an age
    + r"|\bi (?:am|m) (?:only |just |now |actually |nearly |almost |about |around |over |under )?"
    r"\d{1,3}\b(?!\s*(?:%|kg|cm|weeks?|months?|days?|years? (?!old)|lbs?|kilos?|stone|"
    r"times|levels?|'|\"|ft|feet|foot|inches|tablets|pills|mg))"
)
DURATION = re.compile(
    r"\b(?:\d+(?:\.\d+)?|a|an|a few|few|a couple of|couple of|several|many|some)\s*\+?\s*"
    r"(?:days?|weeks?|months?|years?|decades?)\b(?! old| of age)"
    r"|\bsince\b(?!\s*$)|\bago\b|\b(?:started|began|begun|came on)\b"
    r"|\byears and years\b|\bdecades\b|\bfor ages\b|\bhow long\b|\bforever\b"
    r"|\b(?:had|have had) (?:it|the pain|this|back pain) for\b"
)
LOW_BACK_PAIN = re.compile(
    r"\b(?:lower|low) back\b|\bback ?(?:pain|ache)\b|\bbackache\b|\blumbago\b|\blumbar pain\b"
    r"|\bmy back (?:hurts|aches|is (?:sore|painful|bad|killing me|agony))\b"
    r"|\bpain in (?:my|the) (?:lower |low )?back\b|\bsmall of (?:my|the) back\b"
)
# A location answer ("only the lower back", "it stays in my back"), not a statement of pain.
STAYS = re.compile(
    r"\bstays? (?:in (?:my|the) (?:lower |low )?back|put|there|local)\b|\bstaying put\b"
    r"|\bdoes not (?:spread|radiate|travel|go (?:down|into|anywhere|further|past|below))\b"
    r"|\bdo not (?:spread|radiate)\b|\bnowhere else\b|\bjust sits\b"
    r"|\b(?:only|just|purely|mainly|mostly) (?:in )?(?:my |the )?(?:lower |low )?back\b"
    r"|\bno (?:leg|legs) pain\b|\bnot (?:into|down) (?:my|the) legs?\b"
)
_LOCATION_WORDS = re.compile(r"\b(?:only|just|stays?|nowhere|mainly|mostly|purely|spread|radiat)")
RELIEF = re.compile(
    r"\b(?:nothing|none of (?:it|them|those|these))\s+(?:has\s+|have\s+|really\s+)?"
    r"(?:helped|worked|works|helps|lasted|made)\b"
    r"|\b(?:helped|helps|worked|works)\s+(?:for|a bit|a little|until|at first)\b"
    r"|\bwore off\b|\bwears off\b|\btried (?:everything|anything|nothing|loads|lots|all sorts)\b"
    r"|\b(?:have|has) not tried\b|\bnot tried\b|\bno treatments?\b|\btreatments?\b"
    r"|\b(?:did|does) not (?:help|work)\b|\bno (?:relief|improvement|joy)\b"
    r"|\bcame back\b|\bcomes back\b|\bmade it worse\b|\btake the edge off\b"
)
_RELIEF_CLAUSE = re.compile(
    r"\bhelp(?:s|ed|ing)?\b|\bwork(?:s|ed)\b|\blasted\b|\brelief\b|\bwore off\b|\bcame back\b"
    r"|\bgone\b|\bfixed\b|\bcured\b|\bsorted\b|\bimprove|\btreat|\btried\b|\btaking\b|\btook\b"
    r"|\bsessions?\b|\bappointments?\b"
)
TRACER = re.compile(
    r"\btracer\b|\bradioactive\b|\bradiation\b|\bcontrast\b|\bdye\b|\bisotopes?\b"
    r"|\btechnetium\b|\bnuclear\b|\b(?:no|any) reasons?\b"
)
SPINE_LEVEL = re.compile(
    r"\b[lts]\d{1,2}\b|(?<!pain )(?<!activity )(?<!energy )(?<!stress )(?<!sugar )"
    r"(?<!pain level )\b(?:\d+|one|single|multiple|several|more than one|a couple of|both)"
    r"\s*\+?\s*(?:or more\s+)?(?:levels?|places|spots|segments)\b|\bmultilevel\b"
)
STRONG_SPECT = re.compile(
    r"\blit up\b|\blight(?:s|ed)? up\b|\bhot ?spots?\b|\buptake\b|\bactive spots?\b"
)
# Organs other than the spine: "bowel cancer", "a bladder infection" are not spinal.
OTHER_ORGAN = re.compile(
    r"\b(?:breast|bowel|colon|colorectal|prostate|lungs?|skin|kidneys?|bladder|urinary|"
    r"chest|ear|throat|tooth|teeth|ovarian|ovary|thyroid|blood|stomach|liver|pancreas|"
    r"pancreatic|brain|testicular|womb|uterine|uterus|cervix|mouth|eye|melanoma|"
    r"leukaemia|leukemia|screening|smear)\b"
)
_SCAN = re.compile(r"\bscans?\b|\bscanner\b")
_WEAK_THERAPY = {"walking", "heat", "ice", "spa", "shots", "manipulation", "gym", "rest"}
_THERAPY_CONTEXT = re.compile(
    r"\b(?:tried|try|trying|do|does|doing|did|go|goes|going|went|regular|daily|every day|"
    r"help|helps|helped|work|works|worked|relief|sessions?|programme|program|classes)\b"
)


def topics_of(text: str) -> list[str]:
    """Question ids the message speaks to, in questionnaire order."""
    if not isinstance(text, str) or not text.strip():
        return []
    found = topics_in(analyse(text))
    return [q for q in QUESTION_IDS if q in found]


def answers_elsewhere(analysis: Analysis, own: set[str] | frozenset[str]) -> bool:
    """Whether the message states facts for other questions and none for ``own``.

    Parsers call this before reading a bare yes/no out of an answer: "I'm 48" is an
    age, not a yes; "physio didn't help" is not a no to "have you had an MRI?".
    """
    found = topics_in(analysis)
    return bool(found) and not (found & set(own))


def topics_in(analysis: Analysis) -> set[str]:
    """The question ids of :func:`topics_of`, for an analysed message."""
    whole, _ = words_to_digits(analysis.norm)
    found: set[str] = set()
    if (AGE.search(whole) and not re.search(r"\bborn with\b", whole)) or _born_year(whole):
        found.add("age")

    # Levels belong to the MRI or the diagnosis named with them ("degenerated discs at
    # L4-L5 and L5-S1", "a pars fracture at L5"), unless the SPECT/CT is.
    levels_elsewhere = any(
        m.label in ("FINDING", "CONDITION", "OTHER_PATHOLOGY")
        or (m.label, m.value) == ("IMAGING", "mri")
        for m in analysis.mentions
    )
    for left, right in clause_spans(analysis.norm):
        clause, _ = words_to_digits(analysis.norm[left:right].strip())
        inside = [m for m in analysis.mentions if left <= m.start < right]
        labels = {m.label for m in inside} | {f"{m.label}:{m.value}" for m in inside}
        about_care = bool(_RELIEF_CLAUSE.search(clause)) or bool(labels & _FACT_LABELS)
        if DURATION.search(clause) and not about_care and not AGE.search(clause):
            found.add("pain_duration")
        if (
            LOW_BACK_PAIN.search(clause)
            and not _LOCATION_WORDS.search(clause)
            and not DURATION.search(clause)
            and not about_care
            and not _radiates(clause)
        ):
            found.add("low_back_pain")
        if STAYS.search(clause):
            found.add("radicular_pain")
        if (SPINE_LEVEL.search(clause) and not levels_elsewhere) or STRONG_SPECT.search(clause):
            found.add("spect_ct")
        if TRACER.search(clause):
            found.add("spect_intolerance")
        if RELIEF.search(clause) and not labels & {"IMAGING", "INTOLERANCE"}:
            found.add("conservative_care")
        for mention in inside:  # denied ones too: "it doesn't go to my foot"
            topic = _topic_of(mention, clause, labels, analysis)
            if topic:
                found.add(topic)
    return found


_FACT_LABELS = {"THERAPY", "IMAGING", "FINDING", "SPECT_RESULT", "CONDITION", "INTOLERANCE"}


def _born_year(norm: str) -> bool:
    return bool(re.search(r"\bborn (?:in |on )?(?:\w+ )?(?:19|20)\d\d\b", norm))


def _topic_of(mention: Mention, clause: str, labels: set[str], analysis: Analysis) -> str | None:
    label, value = mention.label, mention.value
    if label == "THERAPY":
        if value == "injections" and (
            TRACER.search(clause) or _SCAN.search(clause) or labels & {"IMAGING", "INTOLERANCE"}
        ):
            return None  # "the scan with the injection", "the radioactive injection"
        if mention.text.lower() in _WEAK_THERAPY and not _THERAPY_CONTEXT.search(clause):
            return None  # "my legs get tired walking"
        return "conservative_care"
    if label == "FINDING":
        if STRONG_SPECT.search(clause) or "IMAGING:spect_ct" in labels:
            return None
        return "mri"
    if label == "NORMAL":
        named = {m.value for m in analysis.of("IMAGING", negated=None)}
        return "mri" if named == {"mri"} else None
    if label in ("CONDITION", "OTHER_PATHOLOGY"):
        if value in ("tumour", "infection", "cyst") and OTHER_ORGAN.search(clause):
            return None
        return "spinal_pathology"
    if label == "IMAGING":
        if value == "spect_ct" and ("INTOLERANCE" in labels or TRACER.search(clause)):
            return "spect_intolerance"
        return value if value in ("mri", "spect_ct") else None
    if label == "SPECT_RESULT":
        if STRONG_SPECT.search(clause) or SPINE_LEVEL.search(clause):
            return "spect_ct"
        return None
    if label == "INTOLERANCE":
        return "spect_intolerance"
    if label in ("RADIATE", "LIMIT"):
        return "radicular_pain"
    if label == "BODY" and value != "back":
        if _saddle(clause):
            return None  # "numb between my legs" is a red flag, not a pain location
        return "radicular_pain"
    return None


def _radiates(clause: str) -> bool:
    return bool(
        re.search(
            r"\b(?:leg|legs|buttocks?|bum|thighs?|knees?|calf|calves|foot|feet|toes?|hips?|"
            r"groin|shin|ankle|spreads?|radiat\w*|shoots?|sciatica)\b",
            clause,
        )
    )


def _saddle(clause: str) -> bool:
    return bool(
        re.search(r"\b(?:numb|numbness|no feeling|can not feel|tingl\w*)\b", clause)
        and re.search(
            r"\bbetween (?:my|the) legs\b|\bgroin\b|\bbottom\b|\bbum\b|\bbuttocks?\b"
            r"|\binner thigh",
            clause,
        )
    )

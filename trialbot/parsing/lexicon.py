"""The clinical vocabulary the parsers recognise, as spaCy EntityRuler patterns.

Data: nothing here is built or read at import time; the clinical phrases are read
from ``clinical_terms.en.yml`` (next to this module, for clinicians to review) on first
use (:func:`phrases`). Every entity has a ``label`` (the family a parser reads) and an ``id`` (the
normalized value it stands for), so a parser reads ``mention.value`` instead of
re-interpreting the words.

Phrase patterns are matched on ``NORM`` (lower case, contractions expanded, chat
misspellings corrected by :mod:`trialbot.parsing.nlp`), so they are written in plain
lower-case English.

Besides the entity vocabulary, this module holds every other word list the parsers
use, so that clinicians can review them in one place: the spelling fixes, the negation
and hedging cues (:data:`NEGATION_TERMSET`, :data:`HEDGES_BEFORE`, ...), the double
negatives undone before reading (:data:`DOUBLE_NEGATIVES`) and the red-flag phrasings
(:data:`RED_FLAG_PATTERNS`; regular expressions over the normalized text).
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

import yaml

Pattern = dict[str, Any]

# label -> value -> phrases: the clinical vocabulary, in a file clinicians can review.
CLINICAL_TERMS = Path(__file__).with_name("clinical_terms.en.yml")


def _load_phrases(path: Path = CLINICAL_TERMS) -> dict[str, dict[str, list[str]]]:
    """The phrases of a clinical-terms file, checked: label -> value -> phrases."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path.name}: expected labels at the top level")
    for label, values in data.items():
        if not re.fullmatch(r"[A-Z_]+", str(label)) or not isinstance(values, dict):
            raise ValueError(f"{path.name}: {label!r} is not an upper-case label of values")
        for value, phrases in values.items():
            if not isinstance(phrases, list) or not phrases:
                raise ValueError(f"{path.name}: {label}.{value} has no list of phrases")
            bad = [p for p in phrases if not isinstance(p, str) or p != p.strip().lower() or not p]
            if bad:
                raise ValueError(f"{path.name}: {label}.{value}: write {bad!r} in lower case")
    return data


@functools.cache
def phrases() -> dict[str, dict[str, list[str]]]:
    """The clinical phrases (label -> value -> phrases), read on first use."""
    return _load_phrases()


_DISC = {"disc", "discs", "disk", "disks"}
_LINK = {"is", "are", "was", "were", "look", "looked", "looks", "seemed", "showed", "show"}
_DEGREE = {
    "a",
    "bit",
    "little",
    "quite",
    "very",
    "really",
    "slightly",
    "mildly",
    "badly",
    "severely",
    "all",
    "pretty",
    "somewhat",
    "of",
}
_DEGENERATED = {
    "worn",
    "degenerated",
    "degenerating",
    "dehydrated",
    "dark",
    "black",
    "desiccated",
    "dried",
    "thin",
    "thinning",
    "narrowed",
    "collapsed",
    "flattened",
    "squashed",
    "crumbling",
    "crumbled",
    "compressed",
}
_BULGING = {"bulging", "bulge", "bulges", "protruding"}
_HERNIATED = {"herniated", "slipped", "prolapsed", "ruptured", "extruded", "herniating"}
# A vertebra named as a word or a level: "vertebra", "L5", "s1".
_VERTEBRA_WORD = r"^(?:vertebrae?|vertebras|bones?|[lts]\d{1,2})$"


def _words(*options: set[str]) -> list[Pattern]:
    """A one-token pattern matching any word in ``options``."""
    return [{"NORM": {"IN": sorted(set().union(*options))}}]


# Token patterns for phrasings where words come in varying order or with fillers.
TOKEN_PATTERNS: list[tuple[str, str, list[Pattern]]] = [
    # "my discs are a bit worn", "discs were dark"
    (
        "FINDING",
        "degenerated_disc",
        [
            {"NORM": {"IN": sorted(_DISC)}},
            # "discs were dark", "the discs have collapsed", "discs have been squashed"
            {"NORM": {"IN": sorted(_LINK | {"have", "has", "had"})}, "OP": "?"},
            {"NORM": "been", "OP": "?"},
            {"NORM": {"IN": sorted(_DEGREE)}, "OP": "*"},
            *_words(_DEGENERATED),
        ],
    ),
    (
        "FINDING",
        "degenerated_disc",
        [
            *_words(_DEGENERATED),
            {"NORM": {"IN": ["out", "down"]}, "OP": "?"},
            {"NORM": {"IN": sorted(_DISC)}},
        ],
    ),
    (
        "FINDING",
        "bulging_disc",
        [
            {"NORM": {"IN": sorted(_DISC)}},
            {"NORM": {"IN": sorted(_LINK)}, "OP": "?"},
            {"NORM": {"IN": sorted(_DEGREE)}, "OP": "*"},
            *_words(_BULGING),
        ],
    ),
    (
        "FINDING",
        "herniated_disc",
        [
            {"NORM": {"IN": sorted(_DISC)}},
            {"NORM": {"IN": sorted(_LINK | {"has", "had"})}, "OP": "?"},
            *_words(_HERNIATED),
        ],
    ),
    # "pain goes past my knee", "not below the knee": a limit the pain passes (or not)
    (
        "LIMIT",
        "knee",
        [
            {"NORM": {"IN": ["below", "past", "beyond", "under", "further than", "lower than"]}},
            {"NORM": {"IN": ["the", "my", "his", "her", "both"]}, "OP": "?"},
            {"NORM": {"IN": ["knee", "knees"]}},
        ],
    ),
    (
        "LIMIT",
        "thigh",
        [
            {"NORM": {"IN": ["below", "past", "beyond", "further", "lower", "under"]}},
            {"NORM": {"IN": ["than"]}, "OP": "?"},
            {"NORM": {"IN": ["the", "my", "both"]}, "OP": "?"},
            {"NORM": {"IN": ["thigh", "thighs", "upper leg", "hamstring", "hamstrings"]}},
        ],
    ),
    (
        "LIMIT",
        "hip",
        [
            {"NORM": {"IN": ["below", "past", "beyond", "further", "lower", "under"]}},
            {"NORM": {"IN": ["than"]}, "OP": "?"},
            {"NORM": {"IN": ["the", "my", "both"]}, "OP": "?"},
            {
                "NORM": {
                    "IN": [
                        "hip",
                        "hips",
                        "buttock",
                        "buttocks",
                        "bum",
                        "bottom",
                        "glute",
                        "glutes",
                        "groin",
                        "waist",
                    ]
                }
            },
        ],
    ),
    # "my discs are shot", "the discs have collapsed"
    (
        "FINDING",
        "degenerated_disc",
        [
            {"NORM": {"IN": sorted(_DISC)}},
            {"NORM": {"IN": sorted(_LINK | {"have", "has"})}, "OP": "?"},
            {"NORM": {"IN": sorted(_DEGREE)}, "OP": "*"},
            {"NORM": {"IN": ["shot", "knackered", "gone", "dried", "drying"]}},
        ],
    ),
    # "L5 slipped over S1", "my vertebra is out of place", "a vertebra has moved forward"
    (
        "CONDITION",
        "spondylolisthesis",
        [
            {"NORM": {"REGEX": _VERTEBRA_WORD}},
            {"NORM": {"IN": ["has", "had", "is", "was", "have", "are", "were"]}, "OP": "?"},
            {"NORM": {"IN": ["slipped", "moved", "shifted", "slid", "slides", "slipping"]}},
            {"NORM": {"IN": ["forward", "forwards", "over", "out", "backward", "backwards"]}},
        ],
    ),
    (
        "CONDITION",
        "spondylolisthesis",
        [
            {"NORM": {"REGEX": _VERTEBRA_WORD}},
            {"NORM": {"IN": ["is", "was", "are", "were"]}, "OP": "?"},
            {"NORM": "out"},
            {"NORM": "of"},
            {"NORM": {"IN": ["place", "line", "alignment"]}},
        ],
    ),
    # "I get very anxious in scanners", "scared of the scanner"
    (
        "INTOLERANCE",
        "claustrophobia",
        [
            {"NORM": {"IN": ["anxious", "anxiety", "scared", "afraid", "nervous", "panicky"]}},
            {"NORM": {"IN": ["in", "of", "about", "inside", "with"]}},
            {"NORM": {"IN": ["the", "a", "those"]}, "OP": "?"},
            {"NORM": {"IN": ["scanner", "scanners", "scans", "tunnel", "tube", "machine"]}},
        ],
    ),
    # "a small slip of L4", "slip at L5"
    (
        "CONDITION",
        "spondylolisthesis",
        [
            {"NORM": {"IN": ["slip", "slippage"]}},
            {"NORM": {"IN": ["of", "at", "in"]}},
            {"NORM": {"REGEX": _VERTEBRA_WORD}},
        ],
    ),
]


def labels() -> frozenset[str]:
    """Every entity label the patterns give."""
    return frozenset(phrases()) | {label for label, _value, _tokens in TOKEN_PATTERNS}


# Words the fuzzy speller may correct towards; drawn from the phrases above plus words
# that decide answers elsewhere. Short words are excluded: too many false friends.
EXTRA_SPELLING_WORDS = (
    "months",
    "weeks",
    "years",
    "decade",
    "physiotherapy",
    "chiropractor",
    "acupuncture",
    "injections",
    "painkillers",
    "killers",
    "vertebra",
    "vertebrae",
    "spondylolisthesis",
    "spondylolysis",
    "degenerated",
    "degenerative",
    "arthropathy",
    "herniated",
    "stenosis",
    "bladder",
    "numbness",
    "weakness",
    "remember",
    "definitely",
    "absolutely",
    "probably",
    "tumour",
    "cancer",
    "tracer",
    "claustrophobic",
    "allergic",
    "reaction",
    "pregnant",
    "breastfeeding",
    "incontinence",
    "incontinent",
    "physiotherapist",
)

# Seven-letter words the fuzzy speller may correct towards (longer words always may).
FUZZY_SHORT_TARGETS = frozenset(
    {
        "bladder",
        "codeine",
        "aspirin",
        "steroid",
        "sciatic",
        "sciatica",
        "pilates",
        "tylenol",
        "allergy",
        "nurofen",
        "tumours",
        "nothing",
        "killers",
        "epidural",
        "scoliosis",
        "stenosis",
    }
)

# Chat spellings the fuzzy speller cannot reach (too short, or two edits away).
SPELLING_FIXES: dict[str, str] = {
    "yr": "year",
    "yrs": "years",
    "yrz": "years",
    "yers": "years",
    "yeras": "years",
    "mnth": "month",
    "mnths": "months",
    "mth": "month",
    "mths": "months",
    "mo": "month",
    "mos": "months",
    "mons": "months",
    "monts": "months",
    "wk": "week",
    "wks": "weeks",
    "thoes": "those",
    "thos": "those",
    "tho": "though",
    "dunno": "do not know",
    "idk": "do not know",
    "dk": "do not know",
    "nope": "no",
    "nah": "no",
    "naw": "no",
    "yeah": "yes",
    "yep": "yes",
    "yup": "yes",
    "ya": "yes",
    "yah": "yes",
    "yea": "yes",
    "yess": "yes",
    "ye": "yes",
    "aye": "yes",
    "tumor": "tumour",
    "tumors": "tumours",
    "physo": "physio",
    "fisio": "physio",
    "physiotherepy": "physiotherapy",
    "chiropracter": "chiropractor",
    "accupuncture": "acupuncture",
    "acupunture": "acupuncture",
    "spondilolisthesis": "spondylolisthesis",
    "mri's": "mris",
    "abt": "about",
    "approx": "about",
    "prob": "probably",
    "probs": "probably",
    "def": "definitely",
    "defo": "definitely",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "disk": "disc",
    "disks": "discs",
    "leggs": "legs",
    "buttox": "buttocks",
    "bak": "back",
    "ano": "yes",
    "ne": "no",
    # German and Slovak/Czech colloquial yes and no, typed by non-native speakers
    "ja": "yes",
    "jo": "yes",
    "nein": "no",
    "ofc": "of course",
    "mhm": "yes",
    "mhmm": "yes",
    "mmhm": "yes",
    "na": "no",
    "nothin": "nothing",
    "nuthin": "nothing",
    "degen": "degenerated",
    "yas": "yes",
    "yh": "yes",
    "yus": "yes",
    "zilch": "nothing",
    "nada": "nothing",
    "lvl": "level",
    "lvls": "levels",
    "spondolysis": "spondylolysis",
    "spondylolis": "spondylolysis",
    "spondilolysis": "spondylolysis",
    "ibuprofin": "ibuprofen",
    "in2": "into",
}


# -- Negation and hedging -------------------------------------------------------------


def _contraction_variants(phrases: list[str]) -> list[str]:
    """Each phrase as typed with "n't", with "nt" and with "not".

    negspacy matches on LOWER, where "didn't" is ``did n't`` and "didnt" ``did nt``.
    """
    out: list[str] = []
    for phrase in phrases:
        out.append(phrase)
        if "n't" in phrase:
            out.append(phrase.replace("n't", "nt"))
            out.append(phrase.replace("n't", " not"))
    return sorted(set(out))


# What ends a negation or hedge scope inside a sentence ("no tumour, just a slipped disc").
TERMINATION = [
    "but",
    "however",
    "although",
    "though",
    "except",
    "apart from",
    "aside from",
    "other than",
    "just",
    "only",
    "still",
    "yet",
    "whereas",
    "instead",
    "which",
    "because",
    ";",
    "and i",
    "and it",
    "and my",
    "and the",
    ", i",
    ", it",
    ", my",
    ", they",
    ", the",
    ", just",
    ", only",
    ", but",
    ", although",
]

NEGATION_TERMSET: dict[str, list[str]] = {
    # Phrases that contain a negation word but do not negate what follows:
    # "no relief from painkillers" still means painkillers were tried.
    "pseudo_negations": _contraction_variants(
        [
            "no further",
            "not only",
            "not just",
            "not sure",
            "not certain",
            "no idea",
            "don't know",
            "no relief",
            "no difference",
            "no improvement",
            "no help",
            "no change",
            "no effect",
            "no use",
            "no good",
            "no luck",
            "no joy",
            "no better",
            "no longer",
            "didn't help",
            "didn't work",
            "doesn't help",
            "doesn't work",
            "haven't helped",
            "hasn't helped",
            "not helped",
            "not much",
            "not really helped",
            "nothing helped",
            "nothing worked",
            "nothing has helped",
            "nothing has worked",
            "neither did",
            "nor did",
            "neither have",
            "no ,",
            "no .",
            "no !",
            "no result",
            "no results",
            "no benefit",
            "no sustained benefit",
            "no lasting benefit",
            "no success",
            "without success",
            "without relief",
            "without any relief",
            "not for long",
            "didn't last",
            "wasn't able to",
            "couldn't tolerate",
            "couldn't stand",
            "can't have",
            "couldn't do",
            # red flags are described with negations that do not deny them
            "can't control",
            "couldn't control",
            "can't hold",
            "couldn't hold",
            "can't feel",
            "couldn't feel",
            "can't empty",
            "can't pee",
            "can't wee",
            "can't go",
            "lost control",
            "no control",
            "no feeling",
            "not able to control",
            "unable to control",
            "can't stop",
            "can't lift",
            "can't move",
        ]
    ),
    "preceding_negations": _contraction_variants(
        [
            "no",
            "not",
            "n't",
            "never",
            "none",
            "none of",
            "non",
            "neither",
            "nor",
            "without",
            "nothing",
            "denies",
            "denied",
            "free of",
            "no sign of",
            "no signs of",
            "negative for",
            "ruled out",
            "zero",
            "nothing like",
        ]
    ),
    "following_negations": [
        "ruled out",
        "was ruled out",
        "were ruled out",
        "excluded",
        "was negative",
        "were negative",
        "- no",
        ": no",
        "? no",
        "? none",
    ],
    "termination": TERMINATION,
}
# "physio, pills - no help": the following cue "- no" must not deny the treatments when
# what it denies is the relief (each relief pseudo-negation also after "-" and ":").
NEGATION_TERMSET["pseudo_negations"] = sorted(
    set(NEGATION_TERMSET["pseudo_negations"])
    | {
        f"{mark} {phrase}"
        for mark in ("-", ":")
        for phrase in NEGATION_TERMSET["pseudo_negations"]
        if phrase.startswith("no ") and phrase not in ("no ,", "no .", "no !")
    }
)

# Doubt about what is said ("I think I had a slipped vertebra").
HEDGES_BEFORE = [
    "i think",
    "i guess",
    "i believe",
    "i suppose",
    "i reckon",
    "suppose so",
    "guess so",
    "probably",
    "maybe",
    "perhaps",
    "possibly",
    "might",
    "may be",
    "might be",
    "may have",
    "could be",
    "not sure",
    "not certain",
    "apparently",
    "sort of",
    "kind of",
    "likely",
    "i would say",
    "if i remember",
    "if i recall",
    "not 100 %",
    "i am not sure",
    "pretty sure",
    "fairly sure",
    "hard to tell",
]
HEDGES_AFTER = [
    "i think",
    "i guess",
    "i believe",
    "or something",
    "maybe",
    "probably",
    "i suppose",
]
# Doubt about a number only ("about 2 years"); kept apart so that "numbness around my
# bottom" does not hedge a red flag.
APPROXIMATORS = [
    "about",
    "around",
    "roughly",
    "approximately",
    "nearly",
    "almost",
    "something like",
    "give or take",
    "more or less",
    "or so",
    "ish",
    "or thereabouts",
    "circa",
]

# -- Double negatives -------------------------------------------------------------------
# Rewritten before anything else reads the text, so that "it's not like it never goes
# past my knee" is read as "it goes past my knee". (pattern, replacement) pairs,
# matched case-insensitively on the candidate's text.
_NEG_AUX = (
    r"(?:never|does(?:n't|nt| not)|do(?:n't|nt| not)|did(?:n't|nt| not)|can(?:'t|t|not| not)"
    r"|won'?t|will not|has(?:n't|nt| not)|have(?:n't|nt| not)|is(?:n't|nt| not)"
    r"|was(?:n't|nt| not))"
)
DOUBLE_NEGATIVES: list[tuple[str, str]] = [
    # "it's not like it never goes past my knee", "not that it doesn't reach my calf"
    (
        r"\b(?:(?:it|that)(?:'s|s| is| was)\s+)?not\s+(?:like|that|as if|as though)\s+"
        r"(it|i|they|the pain)\s+" + _NEG_AUX + r"\s+",
        r"\1 ",
    ),
    # "it's not that nobody mentioned a slipped vertebra"
    (
        r"\b(?:(?:it|that)(?:'s|s| is| was)\s+)?not\s+(?:like|that|as if|as though)\s+"
        r"(?:nobody|no one|no-one)\b",
        "someone",
    ),
    # "I'm not not pregnant"
    (r"\bnot\s+not\b", ""),
    # "I wouldn't say I don't have it", "can't say it doesn't hurt": it does
    (
        r"\b(?:i\s+)?(?:would|could|can)(?:'t|nt|n't| not|not)\s+say\s+(?:that\s+)?"
        r"(i|he|she|they|we|it)\s+" + _NEG_AUX + r"\s+",
        r"\1 ",
    ),
    # "there isn't a day when it doesn't hurt", "not a day goes by without pain"
    (
        r"\bthere(?:'s| is|s)?\s*(?:not|n't|nt|never|no)\s+(?:a|one|a single)?\s*day\s+"
        r"(?:when|that|where)?\s*(?:it|the pain|my back)\s+" + _NEG_AUX + r"\s+(?:hurt|ache)s?\b",
        "it hurts every day",
    ),
    (
        r"\bnot (?:a|one|a single) day (?:goes by |passes )?without (?:pain|it|it hurting)\b",
        "it hurts every day",
    ),
    (
        r"\b(?:i\s+)?can(?:'t|t|not| not) (?:remember|recall) (?:a|one|the last) day without "
        r"(?:it|pain|the pain)\b",
        "it hurts every day",
    ),
    # "no reason I couldn't have it", "I don't see why she couldn't": no reason against.
    (
        r"\b(?:no|not any|can(?:'t|t|not| not) think of any|do(?:n't|nt| not) know of any)\s+"
        r"reasons?\s+(?:why\s+)?(i|he|she|we|they|you)\s+(?:could|can|would|should)(?:n'?t| not|not)"
        r"(?:\s+be able to)?\b",
        r"no reason, \1 could",
    ),
    (
        r"\b(?:i\s+)?(?:do(?:n't|nt| not)|can(?:'t|t|not| not))\s+see\s+(?:any reason\s+)?why\s+"
        r"(i|he|she|we|they|you)\s+(?:could|can|would|should)(?:n'?t| not|not)(?:\s+be able to)?\b",
        r"no reason, \1 could",
    ),
]

# -- Learner word order ------------------------------------------------------------------
# Non-native English puts "not" after the verb or the place ("in the leg it goes not",
# "to legs it not goes", "under the knee not", "it not help"). Rewritten like the double
# negatives, before anything else reads the text, to the order NegEx and the parsers know:
# "it does not go in the leg", "not under the knee", "it does not help".
# Learner English for an age: "i have 54 years" (not how long the pain has lasted). The
# topic reader takes it as an age; the duration parser leaves it out before reading.
LEARNER_AGE = (
    r"\b(?:i|he|she)\s+(?:have|has)\s+(?:1[6-9]|[2-9]\d|1[01]\d)\s+years\b"
    r"(?!\s+(?:of|with|since|already|now|back|pain|in|the|this|it|ago|long)\b)"
)
_LEARNER_PLACE = (
    r"(?:(?:in|into|to|down to|down in|under|below|past|beyond|in to)\s+(?:the\s+|my\s+|his\s+|"
    r"her\s+)?(?:legs?|knees?|foot|feet|calf|calves|thighs?|toes?|ankles?|shins?|buttocks?|"
    r"hips?|groin))"
)
_LEARNER_VERB = r"(?:go|spread|radiate|travel|help|work|hurt|pass)"
_LEARNER_PART = r"(?:legs?|knees?|foot|feet|calf|calves|toes?|ankles?|shins?)"
LEARNER_NEGATIONS: list[tuple[str, str]] = [
    # "in the leg it goes not", "to legs it not goes"
    (
        r"\b(?P<place>" + _LEARNER_PLACE + r")\s+(?P<subj>it|the pain|pain)\s+(?:not\s+"
        r"(?P<v1>" + _LEARNER_VERB + r")(?:e?s)?|(?P<v2>" + _LEARNER_VERB + r")(?:e?s)?\s+not)\b",
        r"\g<subj> does not go \g<place>",
    ),
    # "it not goes", "it not help", "pain not goes"
    (
        r"\b(?P<subj>it|the pain|pain|he|she|this|that)\s+not\s+(?P<verb>"
        + _LEARNER_VERB
        + r")(?:e?s|ed)?\b",
        r"\g<subj> does not \g<verb>",
    ),
    # "it goes not", "it helps not"
    (
        r"\b(?P<subj>it|the pain|pain|this|that)\s+(?P<verb>"
        + _LEARNER_VERB
        + r")(?:e?s|ed)?\s+not\b(?!\s+(?:only|just|sure))",
        r"\g<subj> does not \g<verb>",
    ),
    # "it goes to the knee but under the knee not", "only back, leg not", "to the thigh yes,
    # under the knee no": the place is denied.
    (
        r"\b(?P<place>" + _LEARNER_PLACE + r"|" + _LEARNER_PART + r")\s+(?:not|no)\b"
        r"(?=\s*(?:[.,;:!?)]|$|-|\band\b|\bbut\b))",
        r"not \g<place>",
    ),
]

# -- Red flags --------------------------------------------------------------------------
# Symptoms that need urgent care whatever was asked (see red_flags.py for the rules).
# Regular expressions over the normalized text (lower case, "can't" -> "can not",
# "I'm" -> "i am"); each flag lists the phrasings that raise it.
_BLADDER = r"(?:bladder|bowels?|pee|wee|urine|poo|poop|toilet|peeing|weeing)"
_SADDLE_PART = (
    r"(?:genitals?|genital area|privates|private parts?|private area|groin|bottom(?! of)|bum|butt|"
    r"anus|back passage|crotch|perineum|saddle(?: area| region)?|inner thighs?|"
    r"between (?:my|the) legs|down there|vagina|penis|scrotum|buttocks|rectum|"
    r"the toilet seat|toilet paper|when i wipe)"
)
_NUMB = (
    r"(?:numb|numbness|no feeling|no sensation|lost (?:all )?(?:the )?(?:feeling|sensation)|"
    r"loss of (?:feeling|sensation)|lack of (?:feeling|sensation)|can not feel|could not feel|"
    r"cannot feel|tingling|tingly|pins and needles|dead)"
)
_LEGS = r"(?:legs?|feet|foot|knees?)"
RED_FLAG_PATTERNS: dict[str, list[str]] = {
    # Cauda equina: loss of bladder or bowel control, retention, incontinence.
    "bladder_bowel": [
        r"\b(?:lost|losing|lose|loss of|no|can not|could not|cannot|unable to|not able to|"
        r"trouble|difficulty|problems?|struggling to|struggle to)\s+(?:\w+\s+){0,2}?control"
        r"(?:\s+(?:of|over))?\s+(?:my\s+|the\s+)?" + _BLADDER,
        _BLADDER + r"\s+control\b",
        r"\b(?:bladder|bowel|urinary|faecal|fecal)\s+incontinence\b",
        r"\bincontinen(?:t|ce)\b",
        r"\b(?:wet|soiled|peed|pooed|pooped|messed|wee d|weed)\s+myself\b",
        r"\bwet (?:the|my) bed\b",
        r"\b(?:bladder|bowel|toilet)\s+accidents?\b",
        r"\b(?:keep|kept|been|keeps)\s+having accidents\b",
        r"\b(?:can not|could not|cannot|unable to|not able to|struggling to|struggle to|"
        r"trouble|difficulty|problems?|hard to)\s+(?:\w+\s+){0,1}?(?:pee|peeing|wee|weeing|"
        r"urinate|urinating|pass urine|passing urine|pass water|passing water|empty my bladder|"
        r"emptying my bladder|go to the toilet|hold (?:my )?(?:urine|pee|wee|bowels?|it in))\b",
        r"\b(?:have not|has not|had not|not)\s+(?:been able to\s+)?(?:peed|weed|urinated|"
        r"passed urine|been able to pee|been able to wee)\b",
        r"\bbladder (?:does not|will not|is not|won't) empty",
        r"\burinary retention\b|\bretention of urine\b",
        r"\bleak(?:ing|s|ed)?\s+(?:urine|pee|wee)\b",
        r"\b(?:can not|could not|cannot|do not|don't)\s+(?:feel|tell)\s+(?:when|if)\s+"
        r"(?:i|my bladder)\s+(?:need|needs|have|am|is)\b",
        r"\b(?:can not|could not|cannot)\s+feel\s+(?:myself\s+)?(?:when|while)\s+i\s+"
        r"(?:pee|wee|go|poo)\b",
    ],
    # Cauda equina: numbness of the saddle area (between the legs, around the bottom).
    "saddle_numbness": [
        r"\bsaddle (?:numbness|anaesthesia|anesthesia|area|region)\b",
        r"\bnumb saddle\b",
        r"\b" + _NUMB + r"\b(?:\s+\w+){0,4}?\s+(?:in|around|between|of|on|at|near)?\s*"
        r"(?:my\s+|the\s+)?" + _SADDLE_PART + r"\b",
        r"\b" + _SADDLE_PART + r"\b(?:\s+\w+){0,3}?\s+(?:is|are|feels?|went|gone|has gone|"
        r"have gone|going|goes|got|getting)?\s*(?:totally\s+|completely\s+|really\s+)?"
        r"(?:numb|dead)\b",
        r"\bcauda equina\b",
    ],
    # Sudden or progressive weakness of the legs, foot drop.
    "leg_weakness": [
        r"\b" + _LEGS + r"\b(?:\s+(?:is|are|keep|keeps|kept|have|has|had|just|suddenly|"
        r"sometimes|both|keep on|started|starting|been))*\s+(?:giving|gave|give|gone|going)\s+"
        r"(?:way|out)\b",
        r"\b" + _LEGS + r"\b(?:\s+(?:is|are|keep|keeps|kept|have|has|had|just|suddenly|"
        r"been|feel|feels|felt|getting|got|become|became|went|gone|going|so|very|really|"
        r"quite|a bit|all|of a sudden|both|completely|totally|numb|and|now))*\s+"
        r"(?:weak|weaker|weakness|buckling|buckled|"
        r"buckle|collapsing|collapsed|collapse)\b",
        r"\b(?:weak|weakness|weaker)\s+(?:in\s+|of\s+)?(?:my\s+|both\s+|the\s+)?"
        r"(?:left\s+|right\s+)?" + _LEGS + r"\b",
        r"\bfoot drop\b|\bdrop foot\b|\bdropped foot\b",
        r"\b(?:dragging|drags|drag)\s+(?:my\s+)?(?:left\s+|right\s+)?(?:foot|leg)\b",
        r"\b(?:foot|feet)\s+(?:is\s+|are\s+)?(?:\w+\s+)?(?:floppy|drags|dragging|flopping)\b",
        r"\b(?:can not|could not|cannot|unable to|not able to)\s+(?:lift|move|raise|bend|"
        r"feel)\s+(?:my\s+|the\s+)?(?:left\s+|right\s+)?(?:legs?|foot|feet|toes)\b",
        r"\b" + _LEGS + r"\b\s+(?:will not|won't|would not|do not|does not)\s+"
        r"(?:hold me|work|move|support me)\b",
        r"\b(?:can not|could not|cannot)\s+(?:walk|stand)\s+(?:any ?more|at all|properly)\b",
    ],
    # Sudden, spreading or both-sided loss of feeling in the legs.
    "leg_numbness": [
        r"\b(?:sudden(?:ly)?|all of a sudden)\b(?:\s+\w+){0,4}?\s+" + _NUMB + r"\b",
        r"\b" + _NUMB + r"\s+(?:in\s+)?(?:both|my both)\s+(?:legs|feet)\b",
        r"\bboth\s+(?:legs|feet)\s+(?:are\s+|have\s+|went\s+|gone\s+|going\s+)*"
        r"(?:\w+\s+)?(?:numb|dead)\b",
        r"\b(?:lost|losing|no)\s+(?:all\s+)?(?:feeling|sensation)\s+in\s+(?:my\s+|both\s+)?"
        r"(?:legs|feet)\b",
        r"\b(?:can not|could not|cannot)\s+feel\s+(?:my\s+|both\s+)?(?:legs|feet)\b",
        r"\b(?:numb|numbness)\b(?:\s+\S+){0,6}?\s+(?:spreading|getting worse|worse by the)\b",
    ],
    # Infection: fever with back pain.
    "fever": [
        r"\bfever(?:s|ish)?\b",
        r"\b(?:high|a|running a)\s+temperature\b",
        r"\bnight sweats\b|\bshivering and sweating\b|\bchills and (?:a )?fever\b",
    ],
    # Significant recent trauma: a fall or an accident.
    "trauma": [
        r"\b(?:a|bad|nasty|big|serious)\s+(?:fall|tumble)\b",
        r"\b(?:fell|falling|fallen)\s+(?:off|down|from|over|on|onto|backwards|badly|hard)\b",
        r"\bi\s+(?:fell|have fallen|had fallen)\b(?!\s+(?:asleep|pregnant|in love|ill|behind|"
        r"apart|for))",
        r"\bsince\s+(?:i|the)\s+(?:fell|fall|accident|crash)\b(?!\s+(?:of\s+)?'?\d)",
        r"\b(?:car|road|traffic|motorbike|bike|cycling|skiing|work|riding|horse)\s+"
        r"(?:accident|crash|collision)\b",
        r"\b(?:was|got|been)\s+(?:hit|knocked down|run over)\b",
        r"\blanded\s+(?:hard\s+)?on\s+my\s+(?:back|bottom|bum|tailbone|spine)\b",
        r"\b(?:injured|hurt)\s+my\s+(?:back|spine)\s+(?:in|after|during)\s+(?:a|the)\s+"
        r"(?:fall|accident|crash)\b",
    ],
}
# Phrasings read across a whole sentence: "my legs are numb and weak and it's getting
# worse by the hour".
RED_FLAG_SENTENCE_PATTERNS: dict[str, list[str]] = {
    "leg_numbness": [
        r"\b(?:legs?|feet|foot)\b[^.!?]{0,40}?\b(?:numb|numbness)\b[^.!?]{0,40}?"
        r"\b(?:getting worse|spreading|worse by the)\b",
    ],
}
# Words that deny a red flag when they come shortly before it in the same clause.
RED_FLAG_DENIALS = (
    r"\b(?:no|not|never|without|nor|neither|none|nothing|denies|zero)\b"
    r"|\b(?:do|does|did|have|has|had|am|is|are|was|were)\s+not\b"
)
# Phrases that contain a denial word but do not deny ("not sure", "can't control").
RED_FLAG_PSEUDO_DENIALS = (
    r"\bnot\s+(?:sure|certain|only|just)\b|\bno idea\b|\bdo not know\b"
    r"|\bnot\s+(?:able|been able)\b"
)
# A symptom said to be old or explained, in its own clause or a "while" clause after
# it: "my knee gave way once while hiking years ago", "a high
# temperature last month with flu", "exercises to strengthen weak legs".
RED_FLAG_LONG_AGO = (
    r"\b(?:\d+|a few|few|many|several|two|three|some)\s+years?\s+ago\b|\byears ago\b"
    r"|\blong (?:time )?ago\b|\bdecades? ago\b|\bas a (?:child|kid|teenager|baby)\b"
    r"|\bwhen i was (?:young|little|a child|a kid|a teenager|younger|pregnant)\b"
    r"|\bstrengthen\w*\b|\bwith (?:the |a )?(?:flu|cold|covid|virus|chest infection)\b"
    r"|\b(?:flu|covid|a cold)\b|\bin the past\b|\bback in (?:19|20)\d\d\b"
)
# A sentence that calls the symptom unrelated: "I had a fall years ago but that's not
# related", "I fell over last year, no injury". Never applied to bladder, bowel or
# saddle symptoms.
RED_FLAG_UNRELATED = (
    r"\bnot related\b|\bunrelated\b|\bnothing to do with\b|\bno injury\b|\bno injuries\b"
    r"|\bwas not hurt\b|\bnot hurt\b|\bdid not hurt (?:myself|my back)\b"
)
# Denials that follow the symptom: "my bladder is fine", "bowels are normal".
RED_FLAG_FINE_AFTER = (
    r"^\W*(?:and\s+(?:my\s+)?(?:bowels?|bladder)\s+)?(?:control\s+)?(?:is|are|was|were|"
    r"feels?|seems?)\s+(?:totally\s+|completely\s+|perfectly\s+)?(?:fine|ok|okay|normal|"
    r"good|alright|all right)\b"
)

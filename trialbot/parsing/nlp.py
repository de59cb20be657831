"""The shared spaCy pipeline: spelling, clinical entities, negation and hedging.

One pipeline is built lazily, once per process (:func:`pipeline`); importing this
module does no work. It runs, in order:

1. ``sentencizer`` — negation and hedging never reach across sentences.
2. ``trialbot_spelling`` — sets ``token.norm_`` for chat spellings ("mnths", "tumor",
   "painkilers") so that every later pattern can match on ``NORM``.
3. ``entity_ruler`` — the clinical vocabulary of :mod:`trialbot.parsing.lexicon`.
4. ``negex`` (negspacy) — NegEx with a chat-tuned termset: marks ``ent._.negex``.
5. ``trialbot_hedging`` — the same scope algorithm for uncertainty cues ("I think",
   "probably", "or so"): marks ``ent._.hedged`` and collects ``doc._.hedge_cues``.

Parsers call :func:`analyse` and read :class:`Mention` objects, never spaCy objects.
"""

# No "from __future__ import annotations": spaCy resolves factory signatures at runtime.
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import spacy
from negspacy.negation import Negex  # noqa: F401  (registers the "negex" factory)
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from trialbot.parsing import lexicon

# Longer text is not an answer to one question; cut it so hostile input stays cheap.
MAX_CHARS = 2000
# The fuzzy speller leaves shorter words alone: "cancel" is one edit from "cancer".
_FUZZY_MIN_LEN = 7


def _contraction_variants(phrases: Iterable[str]) -> list[str]:
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

# Doubt about what is said ("I think I had a slipped vertebra").
HEDGES_BEFORE = [
    "i think",
    "i guess",
    "i believe",
    "i suppose",
    "i reckon",
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


@dataclass(frozen=True)
class Mention:
    """One recognised clinical phrase in the candidate's words."""

    label: str  # family, e.g. "THERAPY"
    value: str  # normalized value, e.g. "physiotherapy"
    text: str  # the candidate's own words
    negated: bool
    hedged: bool


@dataclass(frozen=True)
class Analysis:
    """Everything the parsers need from one message."""

    text: str  # the original text (cut to MAX_CHARS)
    norm: str  # normalized tokens joined by spaces: "i do not know", "2 years"
    mentions: tuple[Mention, ...]
    hedge_cues: tuple[str, ...]  # uncertainty cues ("i think", "probably")
    approximators: tuple[str, ...]  # "about", "or so"

    def of(self, label: str, *, negated: bool | None = False) -> list[Mention]:
        """Mentions of ``label``; by default only non-negated ones (None: all)."""
        return [
            m
            for m in self.mentions
            if m.label == label and (negated is None or m.negated == negated)
        ]

    @property
    def hedged(self) -> bool:
        return bool(self.hedge_cues)


class _Speller:
    """Sets ``token.norm_`` for chat spellings so patterns can match on NORM."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.known = {w for w in vocabulary if w.isalpha()}
        # SymSpell-style index: every word and each one-letter deletion of it, so that a
        # typo is found by looking up its own deletions (one edit, or a transposition).
        self.index: dict[str, set[str]] = {}
        for word in self.known:
            if len(word) >= _FUZZY_MIN_LEN:
                for variant in {word, *_deletions(word)}:
                    self.index.setdefault(variant, set()).add(word)

    def __call__(self, doc: Doc) -> Doc:
        for token in doc:
            lower = token.lower_
            fixed = lexicon.SPELLING_FIXES.get(lower)
            if fixed is None and len(lower) >= _FUZZY_MIN_LEN and lower.isalpha():
                fixed = self.correct(lower)
            if fixed is not None:
                token.norm_ = fixed
        return doc

    def correct(self, word: str) -> str | None:
        if word in self.known:
            return None
        candidates: set[str] = set()
        for variant in {word, *_deletions(word)}:
            candidates |= self.index.get(variant, set())
        if len(candidates) > 1:
            candidates = {c for c in candidates if len(c) == len(word)}
        return candidates.pop() if len(candidates) == 1 else None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class _Hedging:
    """ConText-style uncertainty: a cue hedges the entities in its scope.

    The scope is the rest of the sentence after a cue (before it, for trailing cues
    such as "or so"), cut at the same termination words as negation.
    """

    def __init__(self, nlp: Language) -> None:
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        for key, phrases in (
            ("BEFORE", HEDGES_BEFORE),
            ("AFTER", HEDGES_AFTER),
            ("END", TERMINATION),
            ("APPROX", APPROXIMATORS),
        ):
            self.matcher.add(key, [nlp.make_doc(phrase) for phrase in phrases])
        self.approx = nlp.vocab.strings["APPROX"]
        self.before = nlp.vocab.strings["BEFORE"]
        self.after = nlp.vocab.strings["AFTER"]
        self.end = nlp.vocab.strings["END"]

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        cut = sorted(
            {s.start for s in doc.sents}
            | {start for key, start, _ in matches if key == self.end}
            | {len(doc)}
        )
        cues: list[str] = []
        approximators: list[str] = []
        for key, start, end in matches:
            if key == self.approx:
                approximators.append(doc[start:end].text)
            if key not in (self.before, self.after):
                continue
            cues.append(doc[start:end].text)
            scope_start = max([c for c in cut if c <= start], default=0)
            scope_end = min(c for c in cut if c > start)
            for ent in doc.ents:
                in_scope = scope_start <= ent.start and ent.end <= scope_end
                if in_scope and (
                    (key == self.before and ent.start >= end)
                    or (key == self.after and ent.end <= start)
                ):
                    ent._.hedged = True
        doc._.hedge_cues = tuple(dict.fromkeys(cues))
        doc._.approximators = tuple(dict.fromkeys(approximators))
        return doc


@Language.factory("trialbot_spelling")
def _make_speller(nlp: Language, name: str) -> _Speller:
    words: set[str] = set(lexicon.EXTRA_SPELLING_WORDS)
    for values in lexicon.PHRASES.values():
        for phrases in values.values():
            for phrase in phrases:
                words.update(phrase.split())
    for _label, _value, pattern in lexicon.TOKEN_PATTERNS:
        for token in pattern:
            norm = token.get("NORM")
            if isinstance(norm, dict):
                for word in norm.get("IN", []):
                    words.update(word.split())
    return _Speller(words)


@Language.factory("trialbot_hedging")
def _make_hedging(nlp: Language, name: str) -> _Hedging:
    return _Hedging(nlp)


def _entity_patterns() -> list[dict[str, Any]]:
    patterns: list[dict[str, Any]] = []
    for label, values in lexicon.PHRASES.items():
        for value, phrases in values.items():
            for phrase in phrases:
                patterns.append({"label": label, "id": value, "pattern": phrase})
    for label, value, tokens in lexicon.TOKEN_PATTERNS:
        patterns.append({"label": label, "id": value, "pattern": tokens})
    return patterns


def _build() -> Language:
    if not Span.has_extension("hedged"):
        Span.set_extension("hedged", default=False)
    for name in ("hedge_cues", "approximators"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=())
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("trialbot_spelling")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "NORM"})
    ruler.add_patterns(_entity_patterns())  # type: ignore[attr-defined]
    nlp.add_pipe(
        "negex",
        config={"neg_termset": NEGATION_TERMSET, "ent_types": sorted(lexicon.LABELS)},
    )
    nlp.add_pipe("trialbot_hedging")
    return nlp


_nlp: Language | None = None
_lock = threading.Lock()


def pipeline() -> Language:
    """The process-wide pipeline, built on first use."""
    global _nlp
    if _nlp is None:
        with _lock:
            if _nlp is None:
                _nlp = _build()
    return _nlp


_DIGIT_THEN_LETTER = re.compile(r"(?<=\d)(?=[a-z])")


def analyse(text: str) -> Analysis:
    """Run the pipeline over one message."""
    text = text[:MAX_CHARS].replace("\u2019", "'").replace("\u2018", "'")
    doc = pipeline()(text)
    mentions = tuple(
        Mention(
            label=ent.label_,
            value=ent.ent_id_,
            text=ent.text,
            negated=bool(ent._.negex),
            hedged=bool(ent._.hedged),
        )
        for ent in doc.ents
    )
    # "2yrs" is one token: split digits from letters, then fix the spelling of the pieces.
    joined = _DIGIT_THEN_LETTER.sub(" ", " ".join(t.norm_ for t in doc if not t.is_space))
    norm = " ".join(lexicon.SPELLING_FIXES.get(word, word) for word in joined.split())
    return Analysis(
        text=text,
        norm=norm,
        mentions=mentions,
        hedge_cues=doc._.hedge_cues,
        approximators=doc._.approximators,
    )

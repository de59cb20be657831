"""The shared spaCy pipeline: spelling, clinical entities, negation and hedging.

One pipeline is built lazily, once per process (:func:`pipeline`); importing this
module does no work. Before it, :func:`undo_double_negatives` rewrites "it's not like
it never goes past my knee" to "it goes past my knee". It runs, in order:

1. ``sentencizer`` — negation and hedging never reach across sentences.
2. ``trialbot_spelling`` — sets ``token.norm_`` for chat spellings ("mnths", "tumor",
   "painkilers") so that every later pattern can match on ``NORM``.
   Seven-letter words are corrected only towards listed medical words: everyday words
   sit one letter from lexicon words ("feeling"/"feeding", "talking"/"walking").
3. ``entity_ruler`` — the clinical vocabulary of :mod:`trialbot.parsing.lexicon`.
4. ``trialbot_negex`` — negspacy's NegEx (one off-by-one fixed, see :class:`_Negex`)
   with the chat-tuned termset of the lexicon: marks ``ent._.negex``.
5. ``trialbot_hedging`` — the same scope algorithm for uncertainty cues ("I think",
   "probably", "or so"): marks ``ent._.hedged`` and collects ``doc._.hedge_cues``.

Parsers call :func:`analyse` and read :class:`Mention` objects (with their place in
:attr:`Analysis.norm`, so that a parser can look at a mention's clause), never spaCy
objects. All vocabulary — entity phrases, negation and hedge cues, double negatives,
red-flag phrasings — lives in :mod:`trialbot.parsing.lexicon`.
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
from trialbot.parsing.once import cached

# Longer text is not an answer to one question; cut it so hostile input stays cheap.
MAX_CHARS = 2000
# The fuzzy speller leaves shorter words alone: "cancel" is one edit from "cancer".
_FUZZY_MIN_LEN = 7


# The vocabulary lives in the lexicon; these names are kept for readers of this module.
TERMINATION = lexicon.TERMINATION
NEGATION_TERMSET = lexicon.NEGATION_TERMSET
HEDGES_BEFORE = lexicon.HEDGES_BEFORE
HEDGES_AFTER = lexicon.HEDGES_AFTER
APPROXIMATORS = lexicon.APPROXIMATORS
_DOUBLE_NEGATIVES = [
    (re.compile(pattern, re.IGNORECASE), replacement)
    for pattern, replacement in lexicon.DOUBLE_NEGATIVES + lexicon.LEARNER_NEGATIONS
]


@dataclass(frozen=True)
class Mention:
    """One recognised clinical phrase in the candidate's words."""

    label: str  # family, e.g. "THERAPY"
    value: str  # normalized value, e.g. "physiotherapy"
    text: str  # the candidate's own words
    negated: bool
    hedged: bool
    # Where the mention sits in :attr:`Analysis.norm` (character offsets).
    start: int = 0
    end: int = 0


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

    def clause_of(self, mention: Mention) -> str:
        """The part of :attr:`norm` around ``mention`` up to the nearest clause breaks."""
        return clause_around(self.norm, mention.start, mention.end)


# Where a clause ends inside a message: sentence punctuation, commas, and conjunctions
# that start a new statement.
CLAUSE_BREAK = re.compile(
    r"[.;!?]|,|\s[—–]\s|\bbut\b|\band\b|\bso\b|\bbecause\b|\bthough\b|\balthough\b"
    r"|\bwhile\b|\bwhereas\b|\bthen\b"
)


def clause_spans(norm: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each clause of ``norm`` (see :data:`CLAUSE_BREAK`)."""
    spans: list[tuple[int, int]] = []
    left = 0
    for match in CLAUSE_BREAK.finditer(norm):
        spans.append((left, match.start()))
        left = match.end()
    spans.append((left, len(norm)))
    return [(a, b) for a, b in spans if norm[a:b].strip()]


def clause_around(norm: str, start: int, end: int) -> str:
    """The clause of ``norm`` that holds the characters ``start:end``."""
    for left, right in clause_spans(norm):
        if left <= start < right or (start == end == right):
            return norm[left:right].strip()
    return ""


class _Speller:
    """Sets ``token.norm_`` for chat spellings so patterns can match on NORM."""

    def __init__(self, vocabulary: Iterable[str]) -> None:
        self.known = {w for w in vocabulary if w.isalpha()}
        # SymSpell-style index: every word and each one-letter deletion of it, so that a
        # typo is found by looking up its own deletions (one edit, or a transposition).
        self.index: dict[str, set[str]] = {}
        for word in self.known:
            # Seven-letter targets are too close to everyday words ("feeling" ->
            # "feeding", "talking" -> "walking", "passage" -> "massage"): only the
            # listed medical ones are corrected towards.
            if len(word) > _FUZZY_MIN_LEN or word in lexicon.FUZZY_SHORT_TARGETS:
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


class _Negex(Negex):
    """negspacy's NegEx with one fix: a cue that starts right where a pseudo-negation
    ends still counts. negspacy drops it (its span test includes the pseudo-negation's
    exclusive end), so in "no, no allergies" the second "no" was lost behind the pseudo
    "no ," and the allergies read as had."""

    def process_negations(self, doc: Doc) -> tuple[list[Any], list[Any], list[Any]]:
        strings = self.nlp.vocab.strings
        matches = self.matcher(doc)
        pseudo = [(start, end) for match_id, start, end in matches if strings[match_id] == "pseudo"]
        found: dict[str, list[Any]] = {"Preceding": [], "Following": [], "Termination": []}
        for match_id, start, end in matches:
            kind = strings[match_id]
            if kind in found and not any(p_start <= start < p_end for p_start, p_end in pseudo):
                found[kind].append((match_id, start, end))
        return found["Preceding"], found["Following"], found["Termination"]


@Language.factory(
    "trialbot_negex", default_config={"neg_termset": {}, "ent_types": [], "chunk_prefix": []}
)
def _make_negex(
    nlp: Language, name: str, neg_termset: dict, ent_types: list, chunk_prefix: list
) -> _Negex:
    return _Negex(nlp, name, neg_termset, ent_types, "negex", chunk_prefix)


@Language.factory("trialbot_spelling")
def _make_speller(nlp: Language, name: str) -> _Speller:
    words: set[str] = set(lexicon.EXTRA_SPELLING_WORDS)
    for values in lexicon.phrases().values():
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
    for label, values in lexicon.phrases().items():
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
        "trialbot_negex",
        config={"neg_termset": NEGATION_TERMSET, "ent_types": sorted(lexicon.labels())},
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


def undo_double_negatives(text: str) -> str:
    """ "it's not like it never goes past my knee" -> "it goes past my knee"; learner
    word order too: "in the leg it goes not" -> "it does not go in the leg"."""
    for pattern, replacement in _DOUBLE_NEGATIVES:
        text = pattern.sub(replacement, text)
    return text


def analyse(text: str) -> Analysis:
    """Run the pipeline over one message (once per text within the interview's turn:
    :func:`trialbot.parsing.once.one_message`)."""
    return cached(_analyse, text)


def _analyse(text: str) -> Analysis:
    text = text[:MAX_CHARS].replace("\u2019", "'").replace("\u2018", "'")
    doc = pipeline()(undo_double_negatives(text))
    # Each token's normalized words; "2yrs" is one token: split digits from letters,
    # then fix the spelling of the pieces. Token offsets into ``norm`` place mentions.
    words: list[str] = []
    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    length = 0
    for token in doc:
        if token.is_space:
            continue
        pieces = [
            lexicon.SPELLING_FIXES.get(piece, piece)
            for piece in _DIGIT_THEN_LETTER.sub(" ", token.norm_).split()
        ]
        piece_text = " ".join(p for p in pieces if p)
        if not piece_text:
            continue
        if words:
            length += 1
        starts[token.i] = length
        words.append(piece_text)
        length += len(piece_text)
        ends[token.i] = length
    norm = " ".join(words)

    def offsets(ent: Span) -> tuple[int, int]:
        first = next((starts[i] for i in range(ent.start, ent.end) if i in starts), 0)
        last = next((ends[i] for i in reversed(range(ent.start, ent.end)) if i in ends), first)
        return first, last

    mentions = tuple(
        Mention(
            label=ent.label_,
            value=ent.ent_id_,
            text=ent.text,
            negated=bool(ent._.negex),
            hedged=bool(ent._.hedged),
            start=offsets(ent)[0],
            end=offsets(ent)[1],
        )
        for ent in doc.ents
    )
    return Analysis(
        text=text,
        norm=norm,
        mentions=mentions,
        hedge_cues=doc._.hedge_cues,
        approximators=doc._.approximators,
    )

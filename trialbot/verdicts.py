"""Verdicts and outcomes: the vocabulary shared by the engine, store, bot and triage app."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from trialbot.answers import Parsed


class Verdict(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"


class Outcome(str, Enum):
    LIKELY_ELIGIBLE = "likely_eligible"
    POSSIBLY_ELIGIBLE = "possibly_eligible"
    NOT_ELIGIBLE = "not_eligible"
    DECLINED = "declined"  # no consent given
    INCOMPLETE = "incomplete"  # questions still open

    @property
    def hands_off(self) -> bool:
        """Whether a screening ending with this outcome goes to the study contact."""
        return self in (Outcome.LIKELY_ELIGIBLE, Outcome.POSSIBLY_ELIGIBLE)


class Priority(str, Enum):
    HIGH = "high"  # likely eligible
    REVIEW = "review"  # possibly eligible: someone must check the unknowns

    @classmethod
    def for_outcome(cls, outcome: Outcome) -> Priority:
        if outcome is Outcome.LIKELY_ELIGIBLE:
            return cls.HIGH
        if outcome is Outcome.POSSIBLY_ELIGIBLE:
            return cls.REVIEW
        raise ValueError(f"outcome {outcome.value} is not handed off")


@dataclass(frozen=True)
class Answer:
    """One stored answer to a question: the candidate's words and their understanding."""

    question_id: str
    text: str
    parsed: Parsed


@dataclass(frozen=True)
class CriterionResult:
    criterion_id: str
    verdict: Verdict
    reason: str  # plain language, shown to staff and (for failures) to the candidate
    evidence: tuple[str, ...] = ()  # the candidate's own words that decided it


@dataclass(frozen=True)
class Evaluation:
    """The state of a screening: every criterion's verdict and the overall outcome."""

    results: dict[str, CriterionResult] = field(default_factory=dict)
    outcome: Outcome = Outcome.INCOMPLETE
    next_question: str | None = None

    @property
    def failed(self) -> list[CriterionResult]:
        return [r for r in self.results.values() if r.verdict is Verdict.FAIL]

    def verdicts(self) -> dict[str, str]:
        return {cid: r.verdict.value for cid, r in self.results.items()}

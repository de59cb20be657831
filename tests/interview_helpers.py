"""A candidate talking to the pure interview: no Rasa, no database.

:class:`Talk` keeps what the store would keep (answers, contact details, flags, the
outcome) by applying the interview's store operations itself, so a test reads like the
conversation it checks and asserts on what the candidate sees and what is stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from trialbot.criteria import Trial, load_trial, trial_path
from trialbot.interview import (
    AskedQuestion,
    Complete,
    Erase,
    Incoming,
    Operation,
    RecordAnswer,
    RecordConsent,
    RecordFlags,
    Reply,
    Resume,
    SaveContact,
    Start,
    Stop,
    turn,
)
from trialbot.verdicts import Answer

TODAY = date(2026, 12, 1)
TRIAL = load_trial(trial_path("spinus2"))


@dataclass
class Talk:
    trial: Trial = TRIAL
    state: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    contact: dict[str, Any] = field(default_factory=dict)
    consent: bool | None = None
    outcome: str | None = None
    status: str = "new"
    red_flags: tuple[str, ...] = ()
    answered_by: str | None = None
    asked: list[str] = field(default_factory=list)
    asked_pseudo: list[str] = field(default_factory=list)  # the interview's own questions
    flags: dict[str, Any] = field(default_factory=dict)  # relationship, call_whom
    erased: bool = False
    last: tuple[Reply, ...] = ()
    last_ops: tuple[Operation, ...] = ()
    evaluation: Any = None

    def say(self, text: str, **hints: Any) -> list[str]:
        """Send a message; the texts of the bot's replies."""
        result = turn(self.trial, self.state, Incoming(text, **hints), self.answers, TODAY)
        self.state = result.state
        self.last = result.replies
        self.last_ops = result.operations
        self.asked_pseudo += [
            str(r.payload["question_id"])
            for r in result.replies
            if r.payload and not self.trial.has_question(str(r.payload.get("question_id")))
        ]
        for op in result.operations:
            self._apply(op)
        return [r.text for r in result.replies]

    def _apply(self, op: Operation) -> None:
        if isinstance(op, Start):
            if op.restart or self.status == "new":
                self.answers, self.contact, self.consent, self.outcome = {}, {}, None, None
            self.status = "in_progress"
        elif isinstance(op, RecordConsent):
            self.consent = op.agreed
            if not op.agreed:
                self.answers, self.outcome, self.status = {}, "declined", "declined"
        elif isinstance(op, RecordAnswer):
            self.answers[op.question_id] = Answer(op.question_id, op.text, op.parsed)
        elif isinstance(op, AskedQuestion):
            self.asked.append(op.question_id)
        elif isinstance(op, SaveContact):
            self.contact[op.role] = op.value
        elif isinstance(op, RecordFlags):
            self.red_flags = op.red_flags
            self.answered_by = op.answered_by or self.answered_by
            for name in ("relationship", "call_whom"):
                if getattr(op, name) is not None:
                    self.flags[name] = getattr(op, name)
        elif isinstance(op, Complete):
            self.outcome = op.evaluation.outcome.value
            self.evaluation = op.evaluation
            self.status = "completed"
        elif isinstance(op, Stop):
            self.status = "stopped"
        elif isinstance(op, Resume):
            self.status = "in_progress"
        elif isinstance(op, Erase):
            self.erased = True
            self.answers, self.contact, self.consent, self.outcome = {}, {}, None, None

    # -- what the candidate sees ------------------------------------------------------------

    @property
    def pending(self) -> str | None:
        """The question id of the last reply that asks something (the payload's)."""
        for reply in reversed(self.last):
            if reply.payload and reply.payload.get("question_id"):
                return str(reply.payload["question_id"])
        return None

    @property
    def payload(self) -> dict[str, Any]:
        for reply in reversed(self.last):
            if reply.payload and reply.payload.get("question_id"):
                return dict(reply.payload)
        return {}

    @property
    def buttons(self) -> tuple[str, ...]:
        for reply in reversed(self.last):
            if reply.payload and reply.payload.get("question_id"):
                return reply.buttons
        return ()

    def text(self) -> str:
        return "\n".join(r.text for r in self.last)

    def value(self, question_id: str) -> Any:
        answer = self.answers.get(question_id)
        return None if answer is None else answer.parsed.value

    def start(self, opening: str = "hi") -> None:
        self.say(opening)
        assert self.pending == "consent", self.text()
        self.say("yes")
        assert self.pending == "age", self.text()


ELIGIBLE = {
    "age": "52",
    "low_back_pain": "yes",
    "radicular_pain": "it stays in my back",
    "pain_duration": "about 2 years",
    "conservative_care": "physiotherapy and painkillers, they didn't help",
    "spinal_pathology": "none of these",
    "spect_intolerance": "no",
    "mri": "yes, it showed worn discs",
    "spect_ct": "yes, at two levels",
    "contact_name": "Jana Novak",
    "contact_phone": "+420 601 123 456",
    "contact_email": "jana@example.com",
    "future_contact": "no",
    "confirm": "yes",
}


def play(talk: Talk, answers: dict[str, str], *, limit: int = 60) -> int:
    """Answer whatever is asked from ``answers`` until nothing is asked; the turns used."""
    for turns in range(1, limit + 1):
        question = talk.pending
        if question is None:
            return turns
        talk.say(answers.get(question, "not sure"))
    raise AssertionError(f"still asking after {limit} turns: {talk.text()}")

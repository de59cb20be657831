"""Handoffs to the study team: what the triage web app lists, shows and moves along.

The workflow (``TRANSITIONS``)::

    new -> contacted -> scheduled -> enrolled | not_enrolled | unreachable
           contacted -> unreachable | not_enrolled

Every status change and note writes a ``handoff_events`` row and an audit event in the
same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy import case, distinct, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from trialbot.store import audit, contacts
from trialbot.store.contacts import Contact
from trialbot.store.db import StoreError, unit_of_work
from trialbot.store.models import (
    NOTIFY_CHANNELS,
    OUTCOMES,
    AnswerRow,
    ConsentRecord,
    CriterionResultRow,
    Handoff,
    HandoffEvent,
    Notification,
    Screening,
    utcnow,
)
from trialbot.verdicts import Priority


class HandoffStatus(str, Enum):
    NEW = "new"
    CONTACTED = "contacted"
    SCHEDULED = "scheduled"
    ENROLLED = "enrolled"
    NOT_ENROLLED = "not_enrolled"
    UNREACHABLE = "unreachable"


TRANSITIONS: dict[HandoffStatus, frozenset[HandoffStatus]] = {
    HandoffStatus.NEW: frozenset({HandoffStatus.CONTACTED}),
    HandoffStatus.CONTACTED: frozenset(
        {HandoffStatus.SCHEDULED, HandoffStatus.UNREACHABLE, HandoffStatus.NOT_ENROLLED}
    ),
    HandoffStatus.SCHEDULED: frozenset(
        {HandoffStatus.ENROLLED, HandoffStatus.NOT_ENROLLED, HandoffStatus.UNREACHABLE}
    ),
    HandoffStatus.ENROLLED: frozenset(),
    HandoffStatus.NOT_ENROLLED: frozenset(),
    HandoffStatus.UNREACHABLE: frozenset(),
}


class HandoffNotFound(StoreError):
    def __init__(self, handoff_id: int) -> None:
        super().__init__(f"no handoff {handoff_id}")


class InvalidTransition(StoreError):
    def __init__(self, handoff_id: int, from_status: str, to_status: str) -> None:
        allowed = sorted(s.value for s in TRANSITIONS.get(HandoffStatus(from_status), ()))
        then = f"it can go to {', '.join(allowed)}" if allowed else "it is final"
        super().__init__(
            f"handoff {handoff_id} cannot go from {from_status} to {to_status}: {then}"
        )
        self.from_status = from_status
        self.to_status = to_status


@dataclass(frozen=True)
class HandoffSummary:
    id: int
    screening_id: int
    sender_id: str
    trial_id: str
    priority: Priority
    status: HandoffStatus
    outcome: str | None
    name: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class CriterionRecord:
    criterion_id: str
    verdict: str
    reason: str
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class AnswerRecord:
    question_id: str
    text: str
    value: Any
    understood: bool
    hedged: bool
    evidence: str
    answered_at: datetime


@dataclass(frozen=True)
class HandoffEventRecord:
    from_status: str | None
    to_status: str
    note: str
    actor: str
    at: datetime


@dataclass(frozen=True)
class HandoffDetail:
    summary: HandoffSummary
    contact: Contact | None
    criteria: list[CriterionRecord]
    answers: list[AnswerRecord]
    history: list[HandoffEventRecord]
    # Warning signs the candidate mentioned, and "relative" when someone answered for them.
    red_flags: tuple[str, ...] = ()
    answered_by: str | None = None

    @property
    def id(self) -> int:
        return self.summary.id


@dataclass(frozen=True)
class Funnel:
    trial_id: str
    started: int
    consented: int
    answered: dict[str, int]  # question id -> screenings with a current answer
    completed: int
    outcomes: dict[str, int]  # final outcome -> screenings (completed or declined)
    handed_off: int
    enrolled: int


def open_handoff(
    session: Session, screening: Screening, priority: Priority, notify_channels: Sequence[str]
) -> Handoff:
    """A new handoff for a completed screening, and its notifications in the outbox."""
    channels = list(dict.fromkeys(notify_channels))
    unknown = [c for c in channels if c not in NOTIFY_CHANNELS]
    if unknown:
        raise ValueError(f"unknown notify channel(s) {unknown}; use {', '.join(NOTIFY_CHANNELS)}")
    now = utcnow()
    handoff = Handoff(
        screening_id=screening.id,
        sender_id=screening.sender_id,
        trial_id=screening.trial_id,
        priority=priority.value,
        status=HandoffStatus.NEW.value,
        created_at=now,
        updated_at=now,
    )
    session.add(handoff)
    session.flush()
    session.add(
        HandoffEvent(
            handoff_id=handoff.id,
            from_status=None,
            to_status=HandoffStatus.NEW.value,
            note="",
            actor=audit.BOT_ACTOR,
            at=now,
        )
    )
    for channel in channels:
        session.add(
            Notification(
                handoff_id=handoff.id,
                channel=channel,
                status="pending",
                attempts=0,
                next_attempt_at=now,
                created_at=now,
            )
        )
    return handoff


class HandoffDesk:
    """Queries and changes for the triage web app (mixed into ``ScreeningStore``)."""

    _engine: Engine

    def list_handoffs(
        self, status: str | HandoffStatus | None = None, trial_id: str | None = None
    ) -> list[HandoffSummary]:
        """Handoffs, high priority first, then oldest first."""
        query = (
            select(Handoff, Screening.outcome)
            .join(Screening, Screening.id == Handoff.screening_id)
            .order_by(
                case((Handoff.priority == Priority.HIGH.value, 0), else_=1),
                Handoff.created_at,
                Handoff.id,
            )
        )
        if status is not None:
            query = query.where(Handoff.status == HandoffStatus(status).value)
        if trial_id is not None:
            query = query.where(Handoff.trial_id == trial_id)
        with unit_of_work(self._engine, read_only=True) as session:
            rows = session.execute(query).all()
            names = contacts.names(session, [h.screening_id for h, _ in rows])
            return [_summary(h, outcome, names.get(h.screening_id)) for h, outcome in rows]

    def status_counts(self, trial_id: str | None = None) -> dict[str, int]:
        """Handoffs per status; every status present, zero when none."""
        query = select(Handoff.status, func.count()).group_by(Handoff.status)
        if trial_id is not None:
            query = query.where(Handoff.trial_id == trial_id)
        with unit_of_work(self._engine, read_only=True) as session:
            counts = dict(session.execute(query).all())
        return {s.value: int(counts.get(s.value, 0)) for s in HandoffStatus}

    def get_handoff(self, handoff_id: int, *, viewer: str | None = None) -> HandoffDetail | None:
        """Everything staff need about one handoff; ``viewer`` audits who saw the contact."""
        # Only the audit of a viewer writes: without one this is a pure read.
        with unit_of_work(self._engine, read_only=viewer is None) as session:
            row = session.execute(
                select(Handoff, Screening.outcome, Screening.red_flags, Screening.answered_by)
                .join(Screening, Screening.id == Handoff.screening_id)
                .where(Handoff.id == handoff_id)
            ).one_or_none()
            if row is None:
                return None
            handoff, outcome, red_flags, answered_by = row
            contact = contacts.load(session, handoff.screening_id)
            criteria = [
                CriterionRecord(r.criterion_id, r.verdict, r.reason, tuple(r.evidence or ()))
                for r in session.execute(
                    select(CriterionResultRow)
                    .where(CriterionResultRow.screening_id == handoff.screening_id)
                    .order_by(CriterionResultRow.id)
                ).scalars()
            ]
            answers = [
                AnswerRecord(
                    a.question_id,
                    a.raw_text,
                    a.value,
                    a.understood,
                    a.hedged,
                    a.evidence,
                    a.answered_at,
                )
                for a in session.execute(
                    select(AnswerRow)
                    .where(
                        AnswerRow.screening_id == handoff.screening_id,
                        AnswerRow.superseded_at.is_(None),
                    )
                    .order_by(AnswerRow.answered_at, AnswerRow.id)
                ).scalars()
            ]
            history = [
                HandoffEventRecord(e.from_status, e.to_status, e.note, e.actor, e.at)
                for e in session.execute(
                    select(HandoffEvent)
                    .where(HandoffEvent.handoff_id == handoff.id)
                    .order_by(HandoffEvent.at, HandoffEvent.id)
                ).scalars()
            ]
            if viewer is not None:
                audit.write(session, viewer, "handoff.viewed", "handoff", handoff.id)
            name = contact.name if contact else None
            return HandoffDetail(
                _summary(handoff, outcome, name),
                contact,
                criteria,
                answers,
                history,
                red_flags=tuple(red_flags or ()),
                answered_by=answered_by,
            )

    def change_status(
        self, handoff_id: int, to_status: str | HandoffStatus, note: str, actor: str
    ) -> HandoffSummary:
        """Move a handoff along the workflow; raises ``InvalidTransition`` otherwise."""
        target = HandoffStatus(to_status)
        with unit_of_work(self._engine) as session:
            handoff = _locked_handoff(session, handoff_id)
            current = HandoffStatus(handoff.status)
            if target not in TRANSITIONS[current]:
                raise InvalidTransition(handoff_id, current.value, target.value)
            now = utcnow()
            handoff.status = target.value
            handoff.updated_at = now
            session.add(
                HandoffEvent(
                    handoff_id=handoff_id,
                    from_status=current.value,
                    to_status=target.value,
                    note=note,
                    actor=actor,
                    at=now,
                )
            )
            audit.write(
                session,
                actor,
                "handoff.status_changed",
                "handoff",
                handoff_id,
                {"from": current.value, "to": target.value, "note": note},
            )
            outcome = session.execute(
                select(Screening.outcome).where(Screening.id == handoff.screening_id)
            ).scalar_one()
            name = contacts.names(session, [handoff.screening_id]).get(handoff.screening_id)
            return _summary(handoff, outcome, name)

    def add_note(self, handoff_id: int, note: str, actor: str) -> None:
        """A note in the handoff's history without changing its status."""
        with unit_of_work(self._engine) as session:
            handoff = _locked_handoff(session, handoff_id)
            now = utcnow()
            handoff.updated_at = now
            session.add(
                HandoffEvent(
                    handoff_id=handoff_id,
                    from_status=handoff.status,
                    to_status=handoff.status,
                    note=note,
                    actor=actor,
                    at=now,
                )
            )
            audit.write(session, actor, "handoff.noted", "handoff", handoff_id, {"note": note})

    def funnel(self, trial_id: str) -> Funnel:
        """How far candidates got, counting each candidate's current screening once."""
        current = (Screening.trial_id == trial_id, Screening.status != "restarted")
        with unit_of_work(self._engine, read_only=True) as session:
            started = session.execute(
                select(func.count()).select_from(Screening).where(*current)
            ).scalar_one()
            consented = session.execute(
                select(func.count(distinct(Screening.id)))
                .join(ConsentRecord, ConsentRecord.screening_id == Screening.id)
                .where(*current, ConsentRecord.agreed.is_(True))
            ).scalar_one()
            answered = dict(
                session.execute(
                    select(AnswerRow.question_id, func.count(distinct(Screening.id)))
                    .join(Screening, Screening.id == AnswerRow.screening_id)
                    .where(*current, AnswerRow.superseded_at.is_(None))
                    .group_by(AnswerRow.question_id)
                ).all()
            )
            completed = session.execute(
                select(func.count())
                .select_from(Screening)
                .where(*current, Screening.status == "completed")
            ).scalar_one()
            # Final outcomes only: completed screenings, and those declined at consent.
            outcomes = dict(
                session.execute(
                    select(Screening.outcome, func.count())
                    .where(*current, Screening.status.in_(("completed", "declined")))
                    .group_by(Screening.outcome)
                ).all()
            )
            handoff_counts = dict(
                session.execute(
                    select(Handoff.status, func.count())
                    .where(Handoff.trial_id == trial_id)
                    .group_by(Handoff.status)
                ).all()
            )
        return Funnel(
            trial_id=trial_id,
            started=int(started),
            consented=int(consented),
            answered={q: int(n) for q, n in sorted(answered.items())},
            completed=int(completed),
            outcomes={o: int(outcomes.get(o, 0)) for o in OUTCOMES},
            handed_off=int(sum(handoff_counts.values())),
            enrolled=int(handoff_counts.get(HandoffStatus.ENROLLED.value, 0)),
        )


def _locked_handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.execute(
        select(Handoff).where(Handoff.id == handoff_id).with_for_update()
    ).scalar_one_or_none()
    if handoff is None:
        raise HandoffNotFound(handoff_id)
    return handoff


def _summary(handoff: Handoff, outcome: str | None, name: str | None) -> HandoffSummary:
    return HandoffSummary(
        id=handoff.id,
        screening_id=handoff.screening_id,
        sender_id=handoff.sender_id,
        trial_id=handoff.trial_id,
        priority=Priority(handoff.priority),
        status=HandoffStatus(handoff.status),
        outcome=outcome,
        name=name,
        created_at=handoff.created_at,
        updated_at=handoff.updated_at,
    )

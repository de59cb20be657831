"""Handoffs to the study team: what the triage web app lists, shows and moves along.

The workflow (``TRANSITIONS``, each status's next steps in the order staff usually
take them)::

    new            -> contacted | call_attempted
    call_attempted -> contacted | call_attempted | unreachable | not_enrolled
    contacted      -> scheduled | not_enrolled | call_attempted | unreachable
    scheduled      -> enrolled | not_enrolled | unreachable

``call_attempted`` ("called, no answer") counts the attempts and sets the next
follow-up date (``trialbot.worklist.propose_follow_up``, unless staff give one).

Every status change, note and assignment writes a ``handoff_events`` row (assignments:
only the audit event) and an audit event in the same transaction. Erased handoffs
(``screenings.erased_at``) are left out of everything here but the funnel.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

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
    QuestionAsk,
    Screening,
    seal_audit_note,
    utcnow,
)
from trialbot.verdicts import Priority
from trialbot.worklist import ATTEMPTS_BEFORE_UNREACHABLE, propose_follow_up, site_zone


class HandoffStatus(str, Enum):
    NEW = "new"
    CONTACTED = "contacted"
    SCHEDULED = "scheduled"
    ENROLLED = "enrolled"
    NOT_ENROLLED = "not_enrolled"
    UNREACHABLE = "unreachable"
    CALL_ATTEMPTED = "call_attempted"  # called, no answer

    @property
    def is_open(self) -> bool:
        return bool(TRANSITIONS[self])


# The next sensible steps first: the status menu offers them in this order.
TRANSITIONS: dict[HandoffStatus, tuple[HandoffStatus, ...]] = {
    HandoffStatus.NEW: (HandoffStatus.CONTACTED, HandoffStatus.CALL_ATTEMPTED),
    HandoffStatus.CALL_ATTEMPTED: (
        HandoffStatus.CONTACTED,
        HandoffStatus.CALL_ATTEMPTED,
        HandoffStatus.UNREACHABLE,
        HandoffStatus.NOT_ENROLLED,
    ),
    HandoffStatus.CONTACTED: (
        HandoffStatus.SCHEDULED,
        HandoffStatus.NOT_ENROLLED,
        HandoffStatus.CALL_ATTEMPTED,
        HandoffStatus.UNREACHABLE,
    ),
    HandoffStatus.SCHEDULED: (
        HandoffStatus.ENROLLED,
        HandoffStatus.NOT_ENROLLED,
        HandoffStatus.UNREACHABLE,
    ),
    HandoffStatus.ENROLLED: (),
    HandoffStatus.NOT_ENROLLED: (),
    HandoffStatus.UNREACHABLE: (),
}
OPEN_STATUSES = tuple(s for s in HandoffStatus if TRANSITIONS[s])
# How far a handoff got, for the funnel (call attempts are not a step).
STAGES = (HandoffStatus.CONTACTED, HandoffStatus.SCHEDULED, HandoffStatus.ENROLLED)


def next_steps(status: HandoffStatus, attempts: int = 0) -> list[HandoffStatus]:
    """The statuses a handoff may go to, the likeliest first; after several unanswered
    calls "unreachable" comes first."""
    steps = list(TRANSITIONS[status])
    if (
        status is HandoffStatus.CALL_ATTEMPTED
        and attempts >= ATTEMPTS_BEFORE_UNREACHABLE
        and HandoffStatus.UNREACHABLE in steps
    ):
        steps.remove(HandoffStatus.UNREACHABLE)
        steps.insert(0, HandoffStatus.UNREACHABLE)
    return steps


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
    assignee: str | None = None
    attempts: int = 0
    last_contact_at: datetime | None = None
    follow_up_on: date | None = None


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
    attempt: int | None = None  # the number of an unanswered call


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
    relationship: str | None = None  # the candidate, to the one who answered: "mother"
    call_whom: str | None = None  # candidate | answerer | either | not_said
    # Answers the candidate replaced (corrections, re-asked readings), oldest first.
    earlier_answers: list[AnswerRecord] = field(default_factory=list)
    call_time: str | None = None  # the best time to call, as staff noted it

    @property
    def id(self) -> int:
        return self.summary.id


@dataclass(frozen=True)
class WorkItem:
    """One row of the worklist: the handoff and what a caller needs from its screening."""

    summary: HandoffSummary
    contact: Contact | None
    channel: str
    verdicts: dict[str, str]  # criterion id -> pass | fail | unknown
    values: dict[str, Any]  # question id -> the current answer's value (asked ids only)
    hedged: frozenset[str]  # question ids whose current answer was hedged
    red_flags: tuple[str, ...] = ()
    answered_by: str | None = None
    relationship: str | None = None
    call_whom: str | None = None
    last_note: str | None = None  # only when asked for (the call list)
    last_note_at: datetime | None = None
    call_time: str | None = None  # the best time to call, as staff noted it


@dataclass(frozen=True)
class FunnelRecord:
    """One candidate (their current screening) as the funnel counts them."""

    channel: str
    consent: bool | None  # agreed, declined, or not answered
    status: str  # the screening's status
    outcome: str | None
    stage: int  # handed off: 1 + how many of STAGES it reached; not handed off: 0
    stopped_at: str | None = None  # unfinished: the last question asked
    failed: tuple[str, ...] = ()  # not eligible: the criteria not met
    answered: tuple[str, ...] = ()  # questions with a current answer


@dataclass(frozen=True)
class Funnel:
    """How far candidates got. Each step of ``steps`` counts those who reached it, so no
    step is larger than the one before; every started candidate is in exactly one of
    ``declined``, ``not_consented``, ``stopped_at``, ``screened_out``, ``incomplete`` and
    ``handed_off``."""

    trial_id: str
    started: int
    consented: int
    answered: dict[str, int]  # question id -> screenings with a current answer
    completed: int  # finished the questions (any outcome but declined)
    outcomes: dict[str, int]  # final outcome -> screenings (completed or declined)
    handed_off: int
    enrolled: int
    contacted: int = 0
    scheduled: int = 0
    declined: int = 0
    not_consented: int = 0  # never answered the consent question
    stopped_at: dict[str, int] = field(default_factory=dict)  # question id ("" unknown)
    screened_out: int = 0
    screen_outs: dict[str, int] = field(default_factory=dict)  # criterion id ("" unknown)
    incomplete: int = 0  # finished with too many unknowns

    @property
    def steps(self) -> list[tuple[str, int]]:
        return [
            ("Conversations started", self.started),
            ("Consented", self.consented),
            ("Finished the questions", self.completed),
            ("Handed off (likely or possibly eligible)", self.handed_off),
            ("Contacted", self.contacted),
            ("Scheduled", self.scheduled),
            ("Enrolled", self.enrolled),
        ]

    @property
    def unfinished(self) -> int:
        """Consented but stopped before the end (the incomplete conversations)."""
        return sum(self.stopped_at.values())


def count_funnel(trial_id: str, records: Iterable[FunnelRecord]) -> Funnel:
    """The funnel of these candidates (pure: the store reads, this counts)."""
    records = list(records)
    consented = [r for r in records if r.consent is True]
    completed = [r for r in consented if r.status == "completed"]
    handed = [r for r in completed if r.stage >= 1]
    stopped: dict[str, int] = {}
    for r in consented:
        if r.status != "completed":
            stopped[r.stopped_at or ""] = stopped.get(r.stopped_at or "", 0) + 1
    screened = [r for r in completed if r.stage == 0 and r.outcome == "not_eligible"]
    screen_outs: dict[str, int] = {}
    for r in screened:
        for criterion in r.failed or ("",):
            screen_outs[criterion] = screen_outs.get(criterion, 0) + 1
    answered: dict[str, int] = {}
    for r in records:
        for question in r.answered:
            answered[question] = answered.get(question, 0) + 1
    outcomes = {o: 0 for o in OUTCOMES}
    for r in records:
        if r.status in ("completed", "declined") and r.outcome in outcomes:
            outcomes[r.outcome] += 1
    return Funnel(
        trial_id=trial_id,
        started=len(records),
        consented=len(consented),
        answered=dict(sorted(answered.items())),
        completed=len(completed),
        outcomes=outcomes,
        handed_off=len(handed),
        contacted=sum(r.stage >= 2 for r in handed),
        scheduled=sum(r.stage >= 3 for r in handed),
        enrolled=sum(r.stage >= 4 for r in handed),
        declined=sum(r.consent is False for r in records),
        not_consented=sum(r.consent is None for r in records),
        stopped_at=stopped,
        screened_out=len(screened),
        screen_outs=screen_outs,
        incomplete=sum(r.stage == 0 and r.outcome != "not_eligible" for r in completed),
    )


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
            .where(Screening.erased_at.is_(None))  # erased: counted in the funnel only
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
        query = (
            select(Handoff.status, func.count())
            .join(Screening, Screening.id == Handoff.screening_id)
            .where(Screening.erased_at.is_(None))
            .group_by(Handoff.status)
        )
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
                select(
                    Handoff,
                    Screening.outcome,
                    Screening.red_flags,
                    Screening.answered_by,
                    Screening.relationship,
                    Screening.call_whom,
                )
                .join(Screening, Screening.id == Handoff.screening_id)
                .where(Handoff.id == handoff_id, Screening.erased_at.is_(None))
            ).one_or_none()
            if row is None:
                return None
            handoff, outcome, red_flags, answered_by, relationship, call_whom = row
            contact = contacts.load(session, handoff.screening_id)
            criteria = [
                CriterionRecord(r.criterion_id, r.verdict, r.reason, tuple(r.evidence or ()))
                for r in session.execute(
                    select(CriterionResultRow)
                    .where(CriterionResultRow.screening_id == handoff.screening_id)
                    .order_by(CriterionResultRow.id)
                ).scalars()
            ]
            # Current answers, and the ones a correction superseded: one query, split.
            current: list[AnswerRecord] = []
            earlier: list[AnswerRecord] = []
            for a in session.execute(
                select(AnswerRow)
                .where(AnswerRow.screening_id == handoff.screening_id)
                .order_by(AnswerRow.answered_at, AnswerRow.id)
            ).scalars():
                record = AnswerRecord(
                    a.question_id,
                    a.raw_text,
                    a.value,
                    a.understood,
                    a.hedged,
                    a.evidence,
                    a.answered_at,
                )
                (current if a.superseded_at is None else earlier).append(record)
            answers = current
            history = [
                HandoffEventRecord(e.from_status, e.to_status, e.note, e.actor, e.at, e.attempt)
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
                relationship=relationship,
                call_whom=call_whom,
                earlier_answers=earlier,
                call_time=handoff.call_time,
            )

    def change_status(
        self,
        handoff_id: int,
        to_status: str | HandoffStatus,
        note: str,
        actor: str,
        *,
        follow_up_on: date | None = None,
        at: datetime | None = None,
        zone: ZoneInfo | None = None,
    ) -> HandoffSummary:
        """Move a handoff along the workflow; raises ``InvalidTransition`` otherwise.

        ``call_attempted`` counts an attempt and sets the follow-up date (``follow_up_on``,
        else the proposal for this attempt in the site's time zone ``zone``); reaching
        the candidate or a final status clears it. ``at`` is the time (default now).
        """
        target = HandoffStatus(to_status)
        with unit_of_work(self._engine) as session:
            handoff = _locked_handoff(session, handoff_id)
            current = HandoffStatus(handoff.status)
            if target not in TRANSITIONS[current]:
                raise InvalidTransition(handoff_id, current.value, target.value)
            now = at or utcnow()
            attempt = None
            if target is HandoffStatus.CALL_ATTEMPTED:
                handoff.attempts = (handoff.attempts or 0) + 1
                attempt = handoff.attempts
                handoff.last_contact_at = now
                handoff.follow_up_on = follow_up_on or propose_follow_up(
                    now, attempt, zone or site_zone()
                )
            else:
                if target in (HandoffStatus.CONTACTED, HandoffStatus.SCHEDULED):
                    handoff.last_contact_at = now
                handoff.follow_up_on = follow_up_on if target.is_open else None
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
                    attempt=attempt,
                )
            )
            details: dict[str, Any] = {
                "from": current.value,
                "to": target.value,
                "note": seal_audit_note(note),
            }
            if attempt is not None:
                details["attempt"] = attempt
            if handoff.follow_up_on is not None:
                details["follow_up_on"] = handoff.follow_up_on.isoformat()
            audit.write(session, actor, "handoff.status_changed", "handoff", handoff_id, details)
            outcome = session.execute(
                select(Screening.outcome).where(Screening.id == handoff.screening_id)
            ).scalar_one()
            name = contacts.names(session, [handoff.screening_id]).get(handoff.screening_id)
            return _summary(handoff, outcome, name)

    def assign(self, handoff_id: int, assignee: str | None, actor: str) -> HandoffSummary:
        """Give the handoff to a member of staff (their e-mail), or to nobody (``None``)."""
        with unit_of_work(self._engine) as session:
            handoff = _locked_handoff(session, handoff_id)
            before = handoff.assignee
            handoff.assignee = assignee or None
            handoff.updated_at = utcnow()
            audit.write(
                session,
                actor,
                "handoff.assigned",
                "handoff",
                handoff_id,
                {"from": before, "to": handoff.assignee},
            )
            return _summary_of(session, handoff)

    def plan_call(
        self,
        handoff_id: int,
        actor: str,
        *,
        follow_up_on: date | None,
        call_time: str | None,
    ) -> HandoffSummary:
        """Set (or clear, with ``None``) the next follow-up date and the best time to call."""
        with unit_of_work(self._engine) as session:
            handoff = _locked_handoff(session, handoff_id)
            handoff.follow_up_on = follow_up_on
            handoff.call_time = call_time or None
            handoff.updated_at = utcnow()
            audit.write(
                session,
                actor,
                "handoff.call_planned",
                "handoff",
                handoff_id,
                {
                    "follow_up_on": follow_up_on.isoformat() if follow_up_on else None,
                    # The best time to call is the candidate's: sealed like notes.
                    "note": seal_audit_note(call_time or ""),
                },
            )
            return _summary_of(session, handoff)

    def work_items(
        self,
        *,
        statuses: Iterable[str | HandoffStatus] | None = None,
        trial_id: str | None = None,
        assignee: str | None = None,
        created_from: datetime | None = None,
        created_before: datetime | None = None,
        questions: Sequence[str] = (),
        last_notes: bool = False,
    ) -> list[WorkItem]:
        """Handoffs for the worklist and the call list, filtered in SQL (status, trial,
        assignee, when handed off); contact details decrypted, for searching in Python.

        ``questions``: whose current answer values to include (age, duration...);
        ``last_notes``: also the newest staff note of each. Unsorted: the worklist's
        order is ``trialbot.worklist.priority_key``. ``assignee=""`` means unassigned.
        """
        query = (
            select(
                Handoff,
                Screening.outcome,
                Screening.channel,
                Screening.red_flags,
                Screening.answered_by,
                Screening.relationship,
                Screening.call_whom,
            )
            .join(Screening, Screening.id == Handoff.screening_id)
            .where(Screening.erased_at.is_(None))
        )
        if statuses is not None:
            query = query.where(Handoff.status.in_([HandoffStatus(s).value for s in statuses]))
        if trial_id is not None:
            query = query.where(Handoff.trial_id == trial_id)
        if assignee is not None:
            query = query.where(
                Handoff.assignee == assignee if assignee else Handoff.assignee.is_(None)
            )
        if created_from is not None:
            query = query.where(Handoff.created_at >= created_from)
        if created_before is not None:
            query = query.where(Handoff.created_at < created_before)
        with unit_of_work(self._engine, read_only=True) as session:
            rows = session.execute(query).all()
            ids = [row[0].screening_id for row in rows]
            found = contacts.load_many(session, ids)
            verdicts: dict[int, dict[str, str]] = {i: {} for i in ids}
            values: dict[int, dict[str, Any]] = {i: {} for i in ids}
            hedged: dict[int, set[str]] = {i: set() for i in ids}
            notes: dict[int, tuple[str, datetime]] = {}
            for chunk in _chunks(ids):
                for screening_id, criterion_id, verdict in session.execute(
                    select(
                        CriterionResultRow.screening_id,
                        CriterionResultRow.criterion_id,
                        CriterionResultRow.verdict,
                    ).where(CriterionResultRow.screening_id.in_(chunk))
                ):
                    verdicts[screening_id][criterion_id] = verdict
                if questions:
                    for screening_id, question_id, value, was_hedged in session.execute(
                        select(
                            AnswerRow.screening_id,
                            AnswerRow.question_id,
                            AnswerRow.value,
                            AnswerRow.hedged,
                        ).where(
                            AnswerRow.screening_id.in_(chunk),
                            AnswerRow.question_id.in_(list(questions)),
                            AnswerRow.superseded_at.is_(None),
                        )
                    ):
                        values[screening_id][question_id] = value
                        if was_hedged:
                            hedged[screening_id].add(question_id)
            if last_notes:
                by_handoff = {row[0].id: row[0].screening_id for row in rows}
                for chunk in _chunks(list(by_handoff)):
                    for event in session.execute(
                        select(HandoffEvent)
                        .where(HandoffEvent.handoff_id.in_(chunk), HandoffEvent.note != "")
                        .order_by(HandoffEvent.at, HandoffEvent.id)
                    ).scalars():
                        notes[by_handoff[event.handoff_id]] = (event.note, event.at)
            items = []
            for handoff, outcome, channel, red_flags, answered_by, relationship, call_whom in rows:
                contact = found.get(handoff.screening_id)
                note = notes.get(handoff.screening_id)
                items.append(
                    WorkItem(
                        summary=_summary(handoff, outcome, contact.name if contact else None),
                        contact=contact,
                        channel=channel,
                        verdicts=verdicts[handoff.screening_id],
                        values=values[handoff.screening_id],
                        hedged=frozenset(hedged[handoff.screening_id]),
                        red_flags=tuple(red_flags or ()),
                        answered_by=answered_by,
                        relationship=relationship,
                        call_whom=call_whom,
                        last_note=note[0] if note else None,
                        last_note_at=note[1] if note else None,
                        call_time=handoff.call_time,
                    )
                )
            return items

    def assignees(self) -> list[str]:
        """Everyone a handoff is assigned to (for the filter)."""
        with unit_of_work(self._engine, read_only=True) as session:
            return list(
                session.execute(
                    select(distinct(Handoff.assignee))
                    .where(Handoff.assignee.is_not(None))
                    .order_by(Handoff.assignee)
                ).scalars()
            )

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
            audit.write(
                session,
                actor,
                "handoff.noted",
                "handoff",
                handoff_id,
                {"note": seal_audit_note(note)},
            )

    def funnel(
        self,
        trial_id: str,
        *,
        started_from: datetime | None = None,
        started_before: datetime | None = None,
        channel: str | None = None,
    ) -> Funnel:
        """How far candidates got (``count_funnel``), each candidate's current screening
        once, erased ones included; optionally only those who started in a time range
        or came through one channel."""
        by_channel = self.funnel_records(
            trial_id, started_from=started_from, started_before=started_before
        )
        if channel is not None:
            return count_funnel(trial_id, by_channel.get(channel, []))
        return count_funnel(trial_id, [r for records in by_channel.values() for r in records])

    def funnel_records(
        self,
        trial_id: str,
        *,
        started_from: datetime | None = None,
        started_before: datetime | None = None,
    ) -> dict[str, list[FunnelRecord]]:
        """Each candidate of the trial as the funnel counts them, by channel."""
        where = [Screening.trial_id == trial_id, Screening.status != "restarted"]
        if started_from is not None:
            where.append(Screening.started_at >= started_from)
        if started_before is not None:
            where.append(Screening.started_at < started_before)
        with unit_of_work(self._engine, read_only=True) as session:
            screenings = session.execute(
                select(Screening.id, Screening.channel, Screening.status, Screening.outcome)
                .where(*where)
                .order_by(Screening.id)
            ).all()
            ids = [row.id for row in screenings]
            consent: dict[int, bool] = {}
            stopped: dict[int, str] = {}
            failed: dict[int, list[str]] = {}
            answered: dict[int, list[str]] = {}
            stage: dict[int, int] = {}
            unfinished = {row.id for row in screenings if row.status != "completed"}
            rank = {status.value: index + 2 for index, status in enumerate(STAGES)}
            for chunk in _chunks(ids):
                for screening_id, agreed in session.execute(
                    select(ConsentRecord.screening_id, ConsentRecord.agreed).where(
                        ConsentRecord.screening_id.in_(chunk)
                    )
                ):
                    consent[screening_id] = consent.get(screening_id, False) or bool(agreed)
                for screening_id, question_id in session.execute(
                    select(QuestionAsk.screening_id, QuestionAsk.question_id)
                    .where(QuestionAsk.screening_id.in_(chunk))
                    .order_by(QuestionAsk.asked_at, QuestionAsk.id)
                ):
                    if screening_id in unfinished:
                        stopped[screening_id] = question_id  # the last one asked wins
                for screening_id, criterion_id in session.execute(
                    select(CriterionResultRow.screening_id, CriterionResultRow.criterion_id)
                    .where(
                        CriterionResultRow.screening_id.in_(chunk),
                        CriterionResultRow.verdict == "fail",
                    )
                    .order_by(CriterionResultRow.id)
                ):
                    failed.setdefault(screening_id, []).append(criterion_id)
                for screening_id, question_id in session.execute(
                    select(AnswerRow.screening_id, AnswerRow.question_id).where(
                        AnswerRow.screening_id.in_(chunk), AnswerRow.superseded_at.is_(None)
                    )
                ):
                    answered.setdefault(screening_id, []).append(question_id)
                for screening_id, status in session.execute(
                    select(Handoff.screening_id, HandoffEvent.to_status)
                    .join(HandoffEvent, HandoffEvent.handoff_id == Handoff.id)
                    .where(Handoff.screening_id.in_(chunk))
                ):
                    stage[screening_id] = max(stage.get(screening_id, 1), rank.get(status, 1))
        by_channel: dict[str, list[FunnelRecord]] = {}
        for row in screenings:
            agreed = consent.get(row.id)
            if agreed is None and row.status == "declined":
                agreed = False
            by_channel.setdefault(row.channel, []).append(
                FunnelRecord(
                    channel=row.channel,
                    consent=agreed,
                    status=row.status,
                    outcome=row.outcome,
                    stage=stage.get(row.id, 0),
                    stopped_at=stopped.get(row.id),
                    failed=tuple(failed.get(row.id, ())),
                    answered=tuple(sorted(answered.get(row.id, ()))),
                )
            )
        return by_channel


def _chunks(ids: list[int], size: int = 900) -> Iterable[list[int]]:
    """Lists of ids small enough for one ``IN (...)`` on every database."""
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _summary_of(session: Session, handoff: Handoff) -> HandoffSummary:
    outcome = session.execute(
        select(Screening.outcome).where(Screening.id == handoff.screening_id)
    ).scalar_one()
    name = contacts.names(session, [handoff.screening_id]).get(handoff.screening_id)
    return _summary(handoff, outcome, name)


def _locked_handoff(session: Session, handoff_id: int) -> Handoff:
    handoff = session.execute(
        select(Handoff)
        .join(Screening, Screening.id == Handoff.screening_id)
        .where(Handoff.id == handoff_id, Screening.erased_at.is_(None))
        .with_for_update(of=Handoff)
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
        assignee=handoff.assignee,
        attempts=handoff.attempts or 0,
        last_contact_at=handoff.last_contact_at,
        follow_up_on=handoff.follow_up_on,
    )

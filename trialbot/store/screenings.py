"""The screening store: what candidates said, what the engine concluded, who follows up.

Synchronous SQLAlchemy (async callers run it in a thread). Each public method is one
transaction (``unit_of_work``): it either happens entirely or not at all; several calls
inside ``with store.transaction():`` are one transaction together. Methods find
the candidate's *current* screening for a trial by ``(sender_id, trial_id)``; a restart
retires it (status ``restarted``) and opens a new one.

Privacy rules the store enforces rather than trusts callers with:

* Declining consent records the refusal and removes anything else stored for that
  screening; nothing more can be written to it (``ScreeningClosed``).
* Answers, evaluations and contact details need agreed consent (``ConsentRequired``).
* Names, phone numbers and e-mail addresses go only through ``save_contact`` into
  ``contact_details`` (``trialbot.store.contacts``), never into ``answers``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trialbot.answers import Parsed
from trialbot.store import audit as audit_trail
from trialbot.store import contacts, schema
from trialbot.store.db import (
    ConsentRequired,
    ScreeningClosed,
    ScreeningNotFound,
    make_engine,
    unit_of_work,
)
from trialbot.store.handoffs import HandoffDesk, open_handoff
from trialbot.store.models import (
    AnswerRow,
    ConsentRecord,
    CriterionResultRow,
    Handoff,
    QuestionAsk,
    Screening,
    utcnow,
)
from trialbot.verdicts import Answer, Evaluation, Outcome, Priority

# Question ids whose answers are contact details: refused by record_answer.
CONTACT_QUESTIONS = frozenset(
    {"name", "phone", "email", "contact_name", "contact_phone", "contact_email"}
)

IN_PROGRESS = "in_progress"


class ScreeningStore(HandoffDesk):
    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    @classmethod
    def from_url(cls, url: str) -> ScreeningStore:
        """A store for ``url`` (creating a SQLite file's directory); does not migrate."""
        return cls(make_engine(url))

    @property
    def engine(self) -> Engine:
        return self._engine

    def dispose(self) -> None:
        self._engine.dispose()

    # -- schema ------------------------------------------------------------------------

    def upgrade(self) -> None:
        """Migrate to the newest schema (Alembic ``upgrade head``); idempotent."""
        schema.upgrade(self._engine)

    def revision(self) -> str | None:
        return schema.current_revision(self._engine)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Makes the store calls inside the block one transaction: all of them happen,
        or none (``with store.transaction(): store.record_answer(...); ...``)."""
        with unit_of_work(self._engine):
            yield

    # -- the screening's life ----------------------------------------------------------

    def start(self, sender_id: str, trial_id: str, channel: str) -> int:
        """The current screening's id, opening one if there is none.

        Never discards anything: a completed, declined or stopped screening stays
        current until ``restart``.
        """
        with unit_of_work(self._engine) as session:
            screening = _current(session, sender_id, trial_id)
            if screening is None:
                try:
                    with session.begin_nested():  # a savepoint: the failed insert only
                        screening = _open(session, sender_id, trial_id, channel)
                except IntegrityError:
                    # Another process opened it between our read and our insert.
                    screening = _require_current(session, sender_id, trial_id)
            return screening.id

    def restart(self, sender_id: str, trial_id: str, channel: str) -> int:
        """Retire the current screening (kept, status ``restarted``) and open a new one."""
        with unit_of_work(self._engine) as session:
            old = _current(session, sender_id, trial_id, lock=True)
            if old is not None:
                old.status = "restarted"
                old.updated_at = utcnow()
                session.flush()  # free the "one current screening" slot first
            screening = _open(session, sender_id, trial_id, channel)
            audit_trail.write(
                session,
                audit_trail.BOT_ACTOR,
                "screening.restarted",
                "screening",
                screening.id,
                {"previous": old.id if old else None},
            )
            return screening.id

    def stop(self, sender_id: str, trial_id: str) -> None:
        """The candidate stopped: an open screening becomes ``stopped``."""
        with unit_of_work(self._engine) as session:
            screening = _current(session, sender_id, trial_id, lock=True)
            if screening is None or screening.status != IN_PROGRESS:
                return
            screening.status = "stopped"
            screening.updated_at = utcnow()
            audit_trail.write(
                session, audit_trail.BOT_ACTOR, "screening.stopped", "screening", screening.id
            )

    def resume(self, sender_id: str, trial_id: str) -> None:
        """The candidate came back after "stop": a stopped screening goes on."""
        with unit_of_work(self._engine) as session:
            screening = _current(session, sender_id, trial_id, lock=True)
            if screening is None or screening.status != "stopped":
                return
            screening.status = IN_PROGRESS
            screening.updated_at = utcnow()
            audit_trail.write(
                session, audit_trail.BOT_ACTOR, "screening.resumed", "screening", screening.id
            )

    def record_flags(
        self,
        sender_id: str,
        trial_id: str,
        *,
        red_flags: Sequence[str] | None = None,
        answered_by: str | None = None,
        relationship: str | None = None,
        call_whom: str | None = None,
    ) -> None:
        """Note warning signs the candidate mentioned, or that someone answered for
        them, who they are to them and whom to call (``None`` leaves a field unchanged);
        also after completion, for staff."""
        with unit_of_work(self._engine) as session:
            screening = _require_current(session, sender_id, trial_id, lock=True)
            _require_consent(session, screening, "record flags")
            if red_flags is not None:
                screening.red_flags = sorted(set(screening.red_flags or []) | set(red_flags))
            if answered_by is not None:
                screening.answered_by = answered_by
            if relationship is not None:
                screening.relationship = relationship[:32]
            if call_whom is not None:
                screening.call_whom = call_whom[:16]
            screening.updated_at = utcnow()

    def record_consent(
        self, sender_id: str, trial_id: str, *, version: str, agreed: bool, channel: str
    ) -> None:
        """Record the candidate's answer to the consent text of ``version``.

        Declining closes the screening (status and outcome ``declined``) and removes
        anything else stored for it: only the refusal itself is kept.
        """
        with unit_of_work(self._engine) as session:
            screening = _current(session, sender_id, trial_id, lock=True)
            if screening is None:
                screening = _open(session, sender_id, trial_id, channel)
            _require_open(screening, "record consent")
            now = utcnow()
            session.add(
                ConsentRecord(
                    screening_id=screening.id,
                    sender_id=sender_id,
                    trial_id=trial_id,
                    consent_version=version,
                    agreed=agreed,
                    channel=channel,
                    recorded_at=now,
                )
            )
            screening.consent_version = version
            screening.updated_at = now
            if not agreed:
                screening.status = "declined"
                screening.outcome = Outcome.DECLINED.value
                screening.completed_at = now
                for table in (AnswerRow, QuestionAsk, CriterionResultRow):
                    session.execute(delete(table).where(table.screening_id == screening.id))
                contacts.erase(session, screening.id)
            audit_trail.write(
                session,
                audit_trail.BOT_ACTOR,
                "consent.agreed" if agreed else "consent.declined",
                "screening",
                screening.id,
                {"version": version, "channel": channel},
            )

    def record_question_asked(
        self, sender_id: str, trial_id: str, question_id: str, *, attempt: int = 1
    ) -> None:
        with unit_of_work(self._engine) as session:
            screening = _require_current(session, sender_id, trial_id)
            _require_open(screening, f"record asking {question_id}")
            session.add(
                QuestionAsk(
                    screening_id=screening.id,
                    question_id=question_id,
                    asked_at=utcnow(),
                    attempt=attempt,
                )
            )

    def record_answer(
        self, sender_id: str, trial_id: str, question_id: str, raw_text: str, parsed: Parsed
    ) -> None:
        """Store an answer; an earlier answer to the question is superseded, not deleted."""
        if question_id in CONTACT_QUESTIONS:
            raise ValueError(f"{question_id} is a contact detail: store it with save_contact()")
        with unit_of_work(self._engine) as session:
            screening = _require_current(session, sender_id, trial_id, lock=True)
            _require_open(screening, f"record an answer to {question_id}")
            _require_consent(session, screening, f"record an answer to {question_id}")
            now = utcnow()
            previous = session.execute(
                select(AnswerRow).where(
                    AnswerRow.screening_id == screening.id,
                    AnswerRow.question_id == question_id,
                    AnswerRow.superseded_at.is_(None),
                )
            ).scalar_one_or_none()
            if previous is not None:
                previous.superseded_at = now
                session.flush()  # free the "one current answer" slot first
            session.add(
                AnswerRow(
                    screening_id=screening.id,
                    question_id=question_id,
                    raw_text=raw_text,
                    value=parsed.value,
                    understood=parsed.understood,
                    hedged=parsed.hedged,
                    evidence=parsed.evidence,
                    answered_at=now,
                )
            )
            screening.updated_at = now

    def answers(self, sender_id: str, trial_id: str) -> dict[str, Answer]:
        """The current (not superseded) answers of the current screening."""
        with unit_of_work(self._engine, read_only=True) as session:
            screening = _current(session, sender_id, trial_id)
            if screening is None:
                return {}
            return {
                row.question_id: Answer(
                    question_id=row.question_id,
                    text=row.raw_text,
                    parsed=Parsed(
                        understood=row.understood,
                        value=row.value,
                        hedged=row.hedged,
                        evidence=row.evidence,
                    ),
                )
                for row in _current_answers(session, screening.id)
            }

    def save_evaluation(self, sender_id: str, trial_id: str, evaluation: Evaluation) -> None:
        """Replace the screening's criterion results and outcome with ``evaluation``."""
        with unit_of_work(self._engine) as session:
            screening = _require_current(session, sender_id, trial_id, lock=True)
            _require_open(screening, "save an evaluation")
            _require_consent(session, screening, "save an evaluation")
            _write_evaluation(session, screening, evaluation)

    def save_contact(
        self,
        sender_id: str,
        trial_id: str,
        *,
        name: str | None = None,
        phone: str | None = None,
        email: str | None = None,
        future_contact: bool | None = None,
    ) -> None:
        """Set contact details (``None`` leaves a field unchanged); also after completion."""
        with unit_of_work(self._engine) as session:
            screening = _require_current(session, sender_id, trial_id, lock=True)
            if screening.status not in (IN_PROGRESS, "completed"):
                raise ScreeningClosed(screening.id, screening.status, "save contact details")
            _require_consent(session, screening, "save contact details")
            contacts.save(
                session,
                screening.id,
                name=name,
                phone=phone,
                email=email,
                future_contact=future_contact,
            )
            screening.updated_at = utcnow()

    def complete(
        self,
        sender_id: str,
        trial_id: str,
        evaluation: Evaluation,
        *,
        notify_channels: Sequence[str],
    ) -> int | None:
        """Finish the screening in one transaction; the handoff's id if it is handed off.

        Final criterion results and outcome, status ``completed`` and, when the outcome
        hands off, a handoff with its priority, one outbox row per notify channel and
        an audit event. Completing again changes nothing and returns the same id.
        """
        with unit_of_work(self._engine) as session:
            screening = _require_current(session, sender_id, trial_id, lock=True)
            if screening.status == "completed":
                return session.execute(
                    select(Handoff.id).where(Handoff.screening_id == screening.id)
                ).scalar_one_or_none()
            _require_open(screening, "complete it")
            _require_consent(session, screening, "complete it")
            now = utcnow()
            _write_evaluation(session, screening, evaluation)
            screening.status = "completed"
            screening.completed_at = now
            handoff_id: int | None = None
            if evaluation.outcome.hands_off:
                priority = Priority.for_outcome(evaluation.outcome)
                handoff_id = open_handoff(session, screening, priority, notify_channels).id
            audit_trail.write(
                session,
                audit_trail.BOT_ACTOR,
                "screening.completed",
                "screening",
                screening.id,
                {"outcome": evaluation.outcome.value, "handoff_id": handoff_id},
            )
            return handoff_id

    def erase(self, sender_id: str, actor: str) -> int:
        """Erase a sender from this store (not the tracker): how many screenings they had.

        ``trialbot.store.erasure.erase_candidate`` is the whole operation, tracker
        included; this is it with ``erase_tracker=False``.
        """
        from trialbot.store.erasure import erase_candidate

        return erase_candidate(self, sender_id, actor=actor, erase_tracker=False).screenings

    # -- reading -----------------------------------------------------------------------

    def report(self, sender_id: str, trial_id: str | None = None) -> dict[str, Any] | None:
        """The latest screening of a sender (for one trial, if given), JSON-ready."""
        query = select(Screening).where(
            Screening.sender_id == sender_id, Screening.erased_at.is_(None)
        )
        if trial_id is not None:
            query = query.where(Screening.trial_id == trial_id)
        with unit_of_work(self._engine, read_only=True) as session:
            screening = session.execute(
                query.order_by(Screening.id.desc()).limit(1)
            ).scalar_one_or_none()
            if screening is None:
                return None
            criteria = {
                r.criterion_id: r.verdict
                for r in session.execute(
                    select(CriterionResultRow)
                    .where(CriterionResultRow.screening_id == screening.id)
                    .order_by(CriterionResultRow.id)
                ).scalars()
            }
            answers = {
                a.question_id: {
                    "text": a.raw_text,
                    "value": a.value,
                    "hedged": a.hedged,
                    "understood": a.understood,
                    "answered_at": _iso(a.answered_at),
                }
                for a in _current_answers(session, screening.id)
            }
            asked = session.execute(
                select(QuestionAsk.question_id)
                .where(QuestionAsk.screening_id == screening.id)
                .order_by(QuestionAsk.asked_at, QuestionAsk.id)
            ).scalars()
            handoff = session.execute(
                select(Handoff).where(Handoff.screening_id == screening.id)
            ).scalar_one_or_none()
            return {
                "sender_id": screening.sender_id,
                "trial": screening.trial_id,
                "outcome": screening.outcome,
                "criteria": criteria,
                "answers": answers,
                "questions_asked": list(dict.fromkeys(asked)),
                "red_flags": list(screening.red_flags or []),
                "answered_by": screening.answered_by,
                "relationship": screening.relationship,
                "call_whom": screening.call_whom,
                "handoff": None
                if handoff is None
                else {
                    "id": handoff.id,
                    "priority": handoff.priority,
                    "status": handoff.status,
                    "created_at": _iso(handoff.created_at),
                },
            }

    def audit(
        self,
        actor: str,
        action: str,
        object_type: str,
        object_id: object,
        details: dict[str, Any] | None = None,
    ) -> None:
        with unit_of_work(self._engine) as session:
            audit_trail.write(session, actor, action, object_type, object_id, details)


# The statements run on every turn, built once (building one costs more than running it).
_CURRENT = select(Screening).where(
    Screening.sender_id == bindparam("sender_id"),
    Screening.trial_id == bindparam("trial_id"),
    Screening.status != "restarted",
    Screening.erased_at.is_(None),
)
_CURRENT_LOCKED = _CURRENT.with_for_update()
# An ORM statement (a bare EXISTS is not one): running it flushes the session first, so
# a consent added earlier in the same transaction counts.
_CONSENTED = (
    select(ConsentRecord.id)
    .where(ConsentRecord.screening_id == bindparam("screening_id"), ConsentRecord.agreed.is_(True))
    .limit(1)
)
_CURRENT_ANSWERS = (
    select(AnswerRow)
    .where(AnswerRow.screening_id == bindparam("screening_id"), AnswerRow.superseded_at.is_(None))
    .order_by(AnswerRow.answered_at, AnswerRow.id)
)
_CURRENT_FOUND = "trialbot_current_screenings"  # session.info key: {(sender, trial): (row, locked)}
CURRENT_FOUND_KEY = _CURRENT_FOUND  # what erasure forgets: the rows it turns into shells


def _current(
    session: Session, sender_id: str, trial_id: str, *, lock: bool = False
) -> Screening | None:
    """The sender's current screening for the trial (``lock``: locked for update until
    the transaction ends). Found once per transaction: the calls joined in one
    ``store.transaction()`` reuse the row while it is still current (and locked, if
    asked)."""
    found: dict[tuple[str, str], tuple[Screening, bool]] = session.info.setdefault(
        _CURRENT_FOUND, {}
    )
    known = found.get((sender_id, trial_id))
    if known is not None:
        screening, locked = known
        still_current = screening.status != "restarted" and inspect(screening).persistent
        if still_current and (locked or not lock):
            return screening
    params = {"sender_id": sender_id, "trial_id": trial_id}
    screening = session.execute(_CURRENT_LOCKED if lock else _CURRENT, params).scalar_one_or_none()
    if screening is not None:
        found[(sender_id, trial_id)] = (screening, lock)
    return screening


def _require_current(
    session: Session, sender_id: str, trial_id: str, *, lock: bool = False
) -> Screening:
    screening = _current(session, sender_id, trial_id, lock=lock)
    if screening is None:
        raise ScreeningNotFound(sender_id, trial_id)
    return screening


def _open(session: Session, sender_id: str, trial_id: str, channel: str) -> Screening:
    now = utcnow()
    screening = Screening(
        sender_id=sender_id,
        trial_id=trial_id,
        channel=channel,
        status=IN_PROGRESS,
        started_at=now,
        updated_at=now,
    )
    session.add(screening)
    session.flush()
    return screening


def _require_open(screening: Screening, change: str) -> None:
    if screening.status != IN_PROGRESS:
        raise ScreeningClosed(screening.id, screening.status, change)


def _require_consent(session: Session, screening: Screening, change: str) -> None:
    if session.execute(_CONSENTED, {"screening_id": screening.id}).first() is None:
        raise ConsentRequired(screening.id, change)


def _current_answers(session: Session, screening_id: int) -> list[AnswerRow]:
    return list(session.execute(_CURRENT_ANSWERS, {"screening_id": screening_id}).scalars())


def _write_evaluation(session: Session, screening: Screening, evaluation: Evaluation) -> None:
    now = utcnow()
    session.execute(
        delete(CriterionResultRow).where(CriterionResultRow.screening_id == screening.id)
    )
    rows = [
        {
            "screening_id": screening.id,
            "criterion_id": result.criterion_id,
            "verdict": result.verdict.value,
            "reason": result.reason,
            "evidence": list(result.evidence),
            "evaluated_at": now,
        }
        for result in evaluation.results.values()
    ]
    if rows:  # one multi-row INSERT, not one ORM object per criterion
        session.execute(insert(CriterionResultRow), rows)
    screening.outcome = evaluation.outcome.value
    screening.updated_at = now


def _iso(moment: datetime) -> str:
    return moment.isoformat()

"""The screening store's tables, as typed declarative models.

Written so that SQLAlchemy 2.0 is a version bump: ``Mapped[...]`` annotations with
``Column`` (2.0 accepts both; ``mapped_column`` arrives with 2.0). Alembic owns the
schema (``trialbot/migrations``); ``tests/store/test_migrations.py`` checks that the
migrations and these models agree.

Every row that belongs to a candidate is reachable from ``screenings`` (keyed by
``sender_id`` and ``trial_id``) through ``ON DELETE CASCADE`` foreign keys, so that
erasing a candidate is deleting their screenings. Names, phone numbers and e-mail
addresses live only in ``contact_details`` (see ``trialbot.store.contacts``).
"""

from __future__ import annotations

import json
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declarative_base
from sqlalchemy.types import TypeDecorator

from trialbot import crypto

SCREENING_STATUSES = ("in_progress", "declined", "completed", "restarted", "stopped")
OUTCOMES = ("likely_eligible", "possibly_eligible", "not_eligible", "declined", "incomplete")
VERDICTS = ("pass", "fail", "unknown")
PRIORITIES = ("high", "review")
HANDOFF_STATUSES = (
    "new",
    "contacted",
    "scheduled",
    "enrolled",
    "not_enrolled",
    "unreachable",
    "call_attempted",  # 0008_worklist: called, no answer
)
NOTIFY_CHANNELS = ("email", "webhook")
NOTIFICATION_STATUSES = ("pending", "sent", "failed")

# Constraint names are part of the schema that migrations alter later.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)
Base: Any = declarative_base(metadata=metadata)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on every database.

    PostgreSQL stores ``timestamp with time zone``; SQLite has no time zones, so the
    value is stored as naive UTC text and made aware again when read.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the store needs timezone-aware values")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


class EncryptedText(TypeDecorator):
    """Text sealed at rest (``trialbot.crypto``: AES-GCM bound to ``context``).

    ``None`` and ``""`` are stored as they are (emptiness says nothing), so
    ``column != ""`` still works in SQL; any other comparison in SQL cannot match a
    sealed value: filter after reading, or compare a keyed hash.
    """

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value), self.context)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value, self.context)


class EncryptedJSON(TypeDecorator):
    """A JSON value sealed at rest: stored as one JSON string, the sealed token."""

    impl = JSON
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return crypto.encrypt(json.dumps(value, ensure_ascii=False), self.context)

    def process_result_value(self, value: Any, dialect: Any) -> Any:
        if value is None:
            return None
        return json.loads(crypto.decrypt(value, self.context))


def encrypted_columns() -> list[tuple[str, str]]:
    """(table, column) of every sealed column of the store (``trialbot keys rotate``)."""
    return [
        (table.name, column.name)
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, EncryptedText | EncryptedJSON)
    ]


# Staff notes are copied into the audit trail's details: sealed there too (decrypted by
# trialbot.web.queries.audit_page), the rest of the details stays searchable.
AUDIT_NOTE_CONTEXT = "audit_events.details.note"


def seal_audit_note(note: str) -> str:
    return crypto.encrypt(note, AUDIT_NOTE_CONTEXT) if note else note


def open_audit_note(value: Any) -> Any:
    return crypto.decrypt(value, AUDIT_NOTE_CONTEXT) if crypto.is_sealed(value) else value


def _screening_fk() -> Any:
    return ForeignKey("screenings.id", ondelete="CASCADE")


class Screening(Base):
    __tablename__ = "screenings"
    __table_args__ = (
        CheckConstraint(one_of("status", SCREENING_STATUSES), name="status"),
        CheckConstraint(f"outcome IS NULL OR {one_of('outcome', OUTCOMES)}", name="outcome"),
        # At most one current screening per candidate and trial: a restart retires it.
        Index(
            "uq_screenings_current",
            "sender_id",
            "trial_id",
            unique=True,
            sqlite_where=text("status != 'restarted'"),
            postgresql_where=text("status != 'restarted'"),
        ),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    sender_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    trial_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    channel: Mapped[str] = Column(String(64), nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="in_progress")
    outcome: Mapped[str | None] = Column(String(32))
    consent_version: Mapped[str | None] = Column(String(64))
    started_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    completed_at: Mapped[datetime | None] = Column(UTCDateTime)
    # Warning signs the candidate mentioned (trialbot.parsing.red_flags ids), shown to staff.
    red_flags: Mapped[list[str] | None] = Column(JSON)
    # "relative" when someone answered for the candidate ("it's for my mum").
    answered_by: Mapped[str | None] = Column(String(32))
    # What the candidate is to the one who answered ("mother": "it's for my mum"), and
    # whom the study team should call:
    # candidate | answerer | either | not_said (trialbot.interview.CALL_WHOM).
    relationship: Mapped[str | None] = Column(String(32))
    call_whom: Mapped[str | None] = Column(String(16))
    # Set when the candidate was erased (trialbot.store.erasure): the row is then an
    # anonymous shell (pseudonymous sender id, status, outcome, times) for the funnel.
    erased_at: Mapped[datetime | None] = Column(UTCDateTime)


class AnswerRow(Base):
    __tablename__ = "answers"
    __table_args__ = (
        # One current answer per question; corrections supersede, never delete.
        Index(
            "uq_answers_current",
            "screening_id",
            "question_id",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, _screening_fk(), nullable=False, index=True)
    question_id: Mapped[str] = Column(String(64), nullable=False)
    raw_text: Mapped[str] = Column(EncryptedText("answers.raw_text"), nullable=False)
    value: Mapped[Any] = Column(JSON)
    understood: Mapped[bool] = Column(Boolean, nullable=False)
    hedged: Mapped[bool] = Column(Boolean, nullable=False, default=False)
    evidence: Mapped[str] = Column(EncryptedText("answers.evidence"), nullable=False, default="")
    answered_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    superseded_at: Mapped[datetime | None] = Column(UTCDateTime)


class QuestionAsk(Base):
    __tablename__ = "question_asks"

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, _screening_fk(), nullable=False, index=True)
    question_id: Mapped[str] = Column(String(64), nullable=False)
    asked_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    attempt: Mapped[int] = Column(Integer, nullable=False, default=1)


class CriterionResultRow(Base):
    __tablename__ = "criterion_results"
    __table_args__ = (
        UniqueConstraint("screening_id", "criterion_id"),
        CheckConstraint(one_of("verdict", VERDICTS), name="verdict"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, _screening_fk(), nullable=False)
    criterion_id: Mapped[str] = Column(String(64), nullable=False)
    verdict: Mapped[str] = Column(String(16), nullable=False)
    # Reasons quote the candidate's words; evidence is their words.
    reason: Mapped[str] = Column(
        EncryptedText("criterion_results.reason"), nullable=False, default=""
    )
    evidence: Mapped[list[str]] = Column(
        EncryptedJSON("criterion_results.evidence"), nullable=False, default=list
    )
    evaluated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class ConsentRecord(Base):
    __tablename__ = "consent_records"

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, _screening_fk(), nullable=False, index=True)
    sender_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    trial_id: Mapped[str] = Column(String(64), nullable=False)
    consent_version: Mapped[str] = Column(String(64), nullable=False)
    agreed: Mapped[bool] = Column(Boolean, nullable=False)
    channel: Mapped[str] = Column(String(64), nullable=False)
    recorded_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class ContactDetails(Base):
    """The only table with a candidate's name, phone and e-mail (encrypted at rest)."""

    __tablename__ = "contact_details"

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, _screening_fk(), nullable=False, unique=True)
    name: Mapped[str | None] = Column(EncryptedText("contact_details.name"))
    phone: Mapped[str | None] = Column(EncryptedText("contact_details.phone"))
    email: Mapped[str | None] = Column(EncryptedText("contact_details.email"))
    future_contact: Mapped[bool | None] = Column(Boolean)
    updated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class Handoff(Base):
    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint(one_of("priority", PRIORITIES), name="priority"),
        CheckConstraint(one_of("status", HANDOFF_STATUSES), name="status"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    screening_id: Mapped[int] = Column(Integer, _screening_fk(), nullable=False, unique=True)
    sender_id: Mapped[str] = Column(String(255), nullable=False, index=True)
    trial_id: Mapped[str] = Column(String(64), nullable=False, index=True)
    priority: Mapped[str] = Column(String(16), nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="new", index=True)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    # The worklist (0008_worklist): who works it, unanswered calls, the last call, the
    # site-local date of the next follow-up, and the best time to call (staff-entered).
    assignee: Mapped[str | None] = Column(String(255), index=True)
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0, server_default=text("0"))
    last_contact_at: Mapped[datetime | None] = Column(UTCDateTime)
    follow_up_on: Mapped[date | None] = Column(Date)
    call_time: Mapped[str | None] = Column(EncryptedText("handoffs.call_time"))


class HandoffEvent(Base):
    __tablename__ = "handoff_events"

    id: Mapped[int] = Column(Integer, primary_key=True)
    handoff_id: Mapped[int] = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[str | None] = Column(String(16))
    to_status: Mapped[str] = Column(String(16), nullable=False)
    note: Mapped[str] = Column(EncryptedText("handoff_events.note"), nullable=False, default="")
    actor: Mapped[str] = Column(String(255), nullable=False)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    attempt: Mapped[int | None] = Column(Integer)  # numbers "call attempted" events


class Notification(Base):
    __tablename__ = "notification_outbox"
    __table_args__ = (
        # A handoff is never notified twice on one channel.
        UniqueConstraint("handoff_id", "channel"),
        CheckConstraint(one_of("channel", NOTIFY_CHANNELS), name="channel"),
        CheckConstraint(one_of("status", NOTIFICATION_STATUSES), name="status"),
        Index("ix_notification_outbox_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    handoff_id: Mapped[int] = Column(
        Integer, ForeignKey("handoffs.id", ondelete="CASCADE"), nullable=False
    )
    channel: Mapped[str] = Column(String(16), nullable=False)
    status: Mapped[str] = Column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = Column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_error: Mapped[str | None] = Column(Text)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = Column(UTCDateTime)


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_object", "object_type", "object_id"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow, index=True)
    actor: Mapped[str] = Column(String(255), nullable=False)
    action: Mapped[str] = Column(String(64), nullable=False)
    object_type: Mapped[str] = Column(String(64), nullable=False)
    object_id: Mapped[str] = Column(String(64), nullable=False)
    details: Mapped[dict[str, Any]] = Column(JSON, nullable=False, default=dict)

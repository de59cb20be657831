"""Reads the triage app needs that the store does not offer (2.0-style, over its models)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.engine import Engine

from trialbot.store.db import unit_of_work
from trialbot.store.models import AuditEvent, Handoff, Notification, open_audit_note


@dataclass(frozen=True)
class NotificationState:
    channel: str
    status: str  # pending, sent, failed
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    sent_at: datetime | None

    def as_json(self) -> dict[str, Any]:
        return {
            "channel": self.channel,
            "status": self.status,
            "attempts": self.attempts,
            "last_error": self.last_error,
            "next_attempt_at": self.next_attempt_at.isoformat(),
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
        }


def notification_states(
    engine: Engine, handoff_ids: list[int]
) -> dict[int, list[NotificationState]]:
    states: dict[int, list[NotificationState]] = defaultdict(list)
    if not handoff_ids:
        return states
    with unit_of_work(engine, read_only=True) as session:
        for row in session.execute(
            select(Notification)
            .where(Notification.handoff_id.in_(handoff_ids))
            .order_by(Notification.handoff_id, Notification.channel)
        ).scalars():
            states[row.handoff_id].append(
                NotificationState(
                    row.channel,
                    row.status,
                    row.attempts,
                    row.last_error,
                    row.next_attempt_at,
                    row.sent_at,
                )
            )
    return states


def handoff_trial_ids(engine: Engine) -> list[str]:
    with unit_of_work(engine, read_only=True) as session:
        return list(
            session.execute(select(distinct(Handoff.trial_id)).order_by(Handoff.trial_id)).scalars()
        )


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    details: dict[str, Any]


def audit_page(
    engine: Engine,
    *,
    limit: int = 100,
    before_id: int | None = None,
    object_type: str | None = None,
    object_id: str | None = None,
) -> tuple[list[AuditEntry], int]:
    """The newest audit events (older than ``before_id``) and the total count."""
    query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
    counted = select(func.count()).select_from(AuditEvent)
    if before_id is not None:
        query = query.where(AuditEvent.id < before_id)
    if object_type:
        query = query.where(AuditEvent.object_type == object_type)
        counted = counted.where(AuditEvent.object_type == object_type)
    if object_id:
        query = query.where(AuditEvent.object_id == object_id)
        counted = counted.where(AuditEvent.object_id == object_id)
    with unit_of_work(engine, read_only=True) as session:
        entries = [
            AuditEntry(
                e.id, e.at, e.actor, e.action, e.object_type, e.object_id, _opened(e.details)
            )
            for e in session.execute(query).scalars()
        ]
        total = int(session.execute(counted).scalar_one())
    return entries, total


def _opened(details: dict[str, Any] | None) -> dict[str, Any]:
    """Audit details as staff read them: a staff note is sealed at rest, opened here."""
    opened = dict(details or {})
    if "note" in opened:
        opened["note"] = open_audit_note(opened["note"])
    return opened

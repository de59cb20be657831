"""The notification outbox: handoffs waiting to be announced to the study team.

``complete()`` writes outbox rows in the handoff's transaction; a sender (e-mail,
webhook) later takes the due rows and marks each sent or failed. Rows are unique per
(handoff, channel), so a handoff is never announced twice on a channel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from trialbot.store.db import StoreError, unit_of_work
from trialbot.store.models import Notification, utcnow


@dataclass(frozen=True)
class PendingNotification:
    id: int
    handoff_id: int
    channel: str
    attempts: int


class NotificationNotFound(StoreError):
    def __init__(self, notification_id: int) -> None:
        super().__init__(f"no notification {notification_id}")


class NotificationOutbox:
    _engine: Engine

    def due_notifications(
        self, *, channel: str | None = None, limit: int = 50
    ) -> list[PendingNotification]:
        """Pending notifications whose next attempt is due, oldest first."""
        query = (
            select(Notification)
            .where(Notification.status == "pending", Notification.next_attempt_at <= utcnow())
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        if channel is not None:
            query = query.where(Notification.channel == channel)
        with unit_of_work(self._engine) as session:
            return [
                PendingNotification(n.id, n.handoff_id, n.channel, n.attempts)
                for n in session.execute(query).scalars()
            ]

    def mark_notification_sent(self, notification_id: int) -> None:
        with unit_of_work(self._engine) as session:
            row = _notification(session, notification_id)
            row.status = "sent"
            row.attempts += 1
            row.sent_at = utcnow()
            row.last_error = None

    def mark_notification_failed(
        self, notification_id: int, error: str, *, retry_at: datetime | None
    ) -> None:
        """A failed attempt: retried at ``retry_at``, or given up when it is ``None``."""
        with unit_of_work(self._engine) as session:
            row = _notification(session, notification_id)
            row.attempts += 1
            row.last_error = error
            if retry_at is None:
                row.status = "failed"
            else:
                row.next_attempt_at = retry_at


def _notification(session: Session, notification_id: int) -> Notification:
    row = session.execute(
        select(Notification).where(Notification.id == notification_id).with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotificationNotFound(notification_id)
    return row

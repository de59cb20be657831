"""Claiming and settling outbox rows so that two workers never send the same one.

A claim is one conditional UPDATE: ``WHERE status = 'pending' AND next_attempt_at <= now``
moves ``next_attempt_at`` to a lease in the future. Only one worker's UPDATE can match
(the others see the new time and match nothing), and the lease time is then the claim's
token: settling updates ``WHERE next_attempt_at = lease``, so a worker whose lease ran out
and was taken over cannot settle the row again. Sending takes at most the transport
timeout, far less than the lease; a worker that dies mid-send leaves the row to be
retried when the lease ends (at-least-once only in that crash window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.engine import Engine

from trialbot.store import audit
from trialbot.store.db import unit_of_work
from trialbot.store.models import Handoff, Notification, utcnow

LEASE = timedelta(minutes=5)
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Claim:
    notification_id: int
    handoff_id: int
    channel: str
    attempts: int  # before this one
    lease: datetime
    trial_id: str
    priority: str
    handoff_created_at: datetime


def claim_due(engine: Engine, *, limit: int = 20, lease: timedelta = LEASE) -> list[Claim]:
    now = utcnow()
    with unit_of_work(engine) as session:
        candidates = list(
            session.execute(
                select(Notification.id)
                .where(Notification.status == "pending", Notification.next_attempt_at <= now)
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit)
            ).scalars()
        )
    claims = []
    for notification_id in candidates:
        until = utcnow() + lease
        with unit_of_work(engine) as session:
            taken = session.execute(
                update(Notification)
                .where(
                    Notification.id == notification_id,
                    Notification.status == "pending",
                    Notification.next_attempt_at <= now,
                )
                .values(next_attempt_at=until)
                .execution_options(synchronize_session=False)
            ).rowcount
            if taken != 1:
                continue  # another worker claimed it first
            row = session.execute(
                select(Notification, Handoff)
                .join(Handoff, Handoff.id == Notification.handoff_id)
                .where(Notification.id == notification_id)
            ).one()
            notification, handoff = row
            claims.append(
                Claim(
                    notification.id,
                    handoff.id,
                    notification.channel,
                    notification.attempts,
                    until,
                    handoff.trial_id,
                    handoff.priority,
                    handoff.created_at,
                )
            )
    return claims


def _settle(
    engine: Engine,
    claim: Claim,
    values: dict[str, object],
    action: str | None,
    details: dict[str, object],
) -> bool:
    with unit_of_work(engine) as session:
        settled = session.execute(
            update(Notification)
            .where(
                Notification.id == claim.notification_id,
                Notification.status == "pending",
                Notification.next_attempt_at == claim.lease,
            )
            .values(attempts=Notification.attempts + 1, **values)
            .execution_options(synchronize_session=False)
        ).rowcount
        if settled == 1 and action is not None:
            audit.write(
                session,
                audit.BOT_ACTOR,
                action,
                "handoff",
                claim.handoff_id,
                {"channel": claim.channel, "attempt": claim.attempts + 1, **details},
            )
        return settled == 1


def mark_sent(engine: Engine, claim: Claim) -> bool:
    """Sent: status, attempt count, time and audit event in one transaction."""
    return _settle(
        engine,
        claim,
        {"status": "sent", "sent_at": utcnow(), "last_error": None},
        "notification.sent",
        {},
    )


def mark_failed(engine: Engine, claim: Claim, error: str, retry_at: datetime | None) -> bool:
    """A failed attempt: pending again at ``retry_at``, or ``failed`` for good when ``None``."""
    error = error[:MAX_ERROR_CHARS]
    if retry_at is None:
        return _settle(
            engine,
            claim,
            {"status": "failed", "last_error": error},
            "notification.failed",
            {"error": error},
        )
    return _settle(engine, claim, {"next_attempt_at": retry_at, "last_error": error}, None, {})

"""Server-side sessions and login rate limiting, in the database.

The cookie holds 32 random bytes; the ``web_sessions`` table holds only their SHA-256,
so a copy of the database does not sign anyone in. Each login creates a new session
(the old one, if any, is deleted). A session idle for longer than the configured
minutes is deleted when next seen.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from sqlalchemy import delete, func, or_, select
from sqlalchemy.engine import Engine

from trialbot.accounts import (
    LoginAttempt,
    Staff,
    StaffUser,
    WebSession,
    digest,
    new_secret,
    normalise_email,
)
from trialbot.roles import Role
from trialbot.store.db import unit_of_work
from trialbot.store.models import utcnow

# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(seconds=30)


class SessionState(str, Enum):
    ACTIVE = "active"
    EXPIRED = "expired"  # idle too long
    UNKNOWN = "unknown"  # never issued, tampered with, signed out or account disabled


@dataclass(frozen=True)
class ActiveSession:
    id_hash: str
    csrf_token: str
    staff: Staff


def open_session(engine: Engine, staff_id: int, replaces: str | None = None) -> str:
    """A new session for the staff member; returns the cookie value (the only copy)."""
    session_id = new_secret()
    now = utcnow()
    with unit_of_work(engine) as session:
        if replaces:
            session.execute(delete(WebSession).where(WebSession.id_hash == digest(replaces)))
        session.add(
            WebSession(
                id_hash=digest(session_id),
                user_id=staff_id,
                csrf_token=secrets.token_urlsafe(32),
                created_at=now,
                last_seen_at=now,
            )
        )
    return session_id


def find_session(
    engine: Engine, cookie: str, idle: timedelta
) -> tuple[SessionState, ActiveSession | None]:
    now = utcnow()
    with unit_of_work(engine) as session:
        row = session.execute(
            select(WebSession, StaffUser)
            .join(StaffUser, StaffUser.id == WebSession.user_id)
            .where(WebSession.id_hash == digest(cookie))
        ).one_or_none()
        if row is None:
            return SessionState.UNKNOWN, None
        web_session, user = row
        if not user.active:
            session.delete(web_session)
            return SessionState.UNKNOWN, None
        if now - web_session.last_seen_at > idle:
            session.delete(web_session)
            return SessionState.EXPIRED, None
        if now - web_session.last_seen_at > TOUCH_INTERVAL:
            web_session.last_seen_at = now
        staff = Staff(user.id, user.email, Role(user.role), user.active)
        return SessionState.ACTIVE, ActiveSession(
            web_session.id_hash, web_session.csrf_token, staff
        )


def close_session(engine: Engine, cookie: str) -> None:
    with unit_of_work(engine) as session:
        session.execute(delete(WebSession).where(WebSession.id_hash == digest(cookie)))


def recent_failures(engine: Engine, email: str, address: str, since: datetime) -> tuple[int, int]:
    """Failed logins since ``since``: for this account, and from this address."""
    email = normalise_email(email)
    with unit_of_work(engine, read_only=True) as session:
        failed = (LoginAttempt.succeeded.is_(False), LoginAttempt.at >= since)
        by_email = session.execute(
            select(func.count())
            .select_from(LoginAttempt)
            .where(*failed, LoginAttempt.email == email)
        ).scalar_one()
        by_address = session.execute(
            select(func.count())
            .select_from(LoginAttempt)
            .where(*failed, LoginAttempt.address == address)
        ).scalar_one()
    return int(by_email), int(by_address)


def record_attempt(engine: Engine, email: str, address: str, succeeded: bool) -> None:
    now = utcnow()
    with unit_of_work(engine) as session:
        session.add(
            LoginAttempt(
                at=now,
                email=normalise_email(email)[:255],
                address=address[:64],
                succeeded=succeeded,
            )
        )
        # Attempts older than a day are no use to the limiter.
        session.execute(
            delete(LoginAttempt).where(
                or_(
                    LoginAttempt.at < now - timedelta(days=1),
                    LoginAttempt.at > now + timedelta(days=1),
                )
            )
        )

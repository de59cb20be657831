"""Server-side sessions and sign-in throttling, in the database.

The cookie holds 32 random bytes; the ``web_sessions`` table holds only their SHA-256,
so a copy of the database does not sign anyone in. Each login creates a new session
(the old one, if any, is deleted). A session idle for longer than the configured
minutes, or older than the configured hours, is deleted when next seen.

Sign-ins are throttled, never locked: failures are counted per (account, address) and
per address, and past a few of them each further attempt *from there* waits 2, 4, 8 ...
seconds (capped). Someone guessing from elsewhere therefore cannot keep a member of
staff out. An attempt is counted as a failure before the password is checked and
refunded when it was right, in one transaction that locks the counters' rows, so that
parallel requests and several app processes cannot slip extra guesses past the limit.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Any

from sqlalchemy import and_, delete, insert, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from trialbot.accounts import (
    LoginThrottle,
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
from trialbot.web.config import WebSettings

# last_seen_at is written at most this often, not on every request.
TOUCH_INTERVAL = timedelta(seconds=30)


class SessionState(str, Enum):
    ACTIVE = "active"
    EXPIRED = "expired"  # idle too long, or signed in too long ago
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
    engine: Engine, cookie: str, idle: timedelta, lifetime: timedelta
) -> tuple[SessionState, ActiveSession | None]:
    """The session of this cookie, unless idle for longer than ``idle``, older than
    ``lifetime`` or of a disabled account (then it is deleted)."""
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
        if now - web_session.last_seen_at > idle or now - web_session.created_at > lifetime:
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


# -- sign-in throttling -------------------------------------------------------------------

ACCOUNT_ADDRESS = "account_address"
ADDRESS = "address"


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures are free, and how long each one after them costs."""

    account_address_failures: int = 3
    address_failures: int = 10
    max_delay: timedelta = timedelta(minutes=15)
    forget_after: timedelta = timedelta(hours=1)

    @classmethod
    def from_settings(cls, settings: WebSettings) -> LoginPolicy:
        return cls(
            account_address_failures=settings.login_max_failures,
            address_failures=settings.login_address_max_failures,
            max_delay=timedelta(seconds=settings.login_max_delay_seconds),
            forget_after=timedelta(minutes=settings.login_window_minutes),
        )

    def free_failures(self, scope: str) -> int:
        return self.account_address_failures if scope == ACCOUNT_ADDRESS else self.address_failures

    def delay(self, scope: str, failures: int) -> timedelta:
        """The wait after ``failures`` failures: none, then 2, 4, 8 ... seconds, capped."""
        over = failures - self.free_failures(scope)
        if over < 0:
            return timedelta(0)
        # min() before the power: a long-running attack must not overflow timedelta.
        return min(self.max_delay, timedelta(seconds=2 ** min(over + 1, 40)))


@dataclass(frozen=True)
class Charge:
    """A sign-in attempt counted in advance as a failure (see :func:`login_succeeded`)."""

    email: str
    address: str
    at: datetime
    address_last_failure_at: datetime  # before this attempt was counted


def _keys(email: str, address: str) -> list[tuple[str, str]]:
    """The counters an attempt touches, in the order they are locked (pair, address)."""
    account = normalise_email(email)
    return [
        (ACCOUNT_ADDRESS, digest(f"{account}\n{address}")),
        (ADDRESS, digest(address)),
    ]


def _where(keys: list[tuple[str, str]]) -> Any:
    return or_(*(and_(LoginThrottle.scope == s, LoginThrottle.key_hash == k) for s, k in keys))


def _insert_missing(session: Session, keys: list[tuple[str, str]], now: datetime) -> None:
    """Creates the counters that do not exist yet, without failing on a concurrent
    insert of the same row (``ON CONFLICT DO NOTHING``)."""
    rows = [{"scope": s, "key_hash": k, "failures": 0, "last_failure_at": now} for s, k in keys]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        session.execute(pg_insert(LoginThrottle).values(rows).on_conflict_do_nothing())
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        session.execute(sqlite_insert(LoginThrottle).values(rows).on_conflict_do_nothing())
    else:  # pragma: no cover - trialbot runs on SQLite and PostgreSQL
        for row in rows:
            try:
                with session.begin_nested():
                    session.execute(insert(LoginThrottle).values(row))
            except IntegrityError:
                pass


def _wait(row: LoginThrottle, policy: LoginPolicy, now: datetime) -> timedelta:
    if now - row.last_failure_at > policy.forget_after:
        row.failures = 0
    if row.failures == 0:
        return timedelta(0)
    last = min(row.last_failure_at, now)  # a clock set back must not lengthen the wait
    return max(timedelta(0), last + policy.delay(row.scope, row.failures) - now)


def begin_login_attempt(
    engine: Engine, email: str, address: str, policy: LoginPolicy
) -> timedelta | Charge:
    """How long this account must wait before trying again from this address; or, when
    it may try now, the attempt counted as a failure (refund it with
    :func:`login_succeeded` when the password was right)."""
    now = utcnow()
    keys = _keys(email, address)
    with unit_of_work(engine) as session:
        _insert_missing(session, keys, now)
        rows = (
            session.execute(
                select(LoginThrottle)
                .where(_where(keys))
                .order_by(LoginThrottle.scope, LoginThrottle.key_hash)
                .with_for_update()
            )
            .scalars()
            .all()
        )
        wait = max(_wait(row, policy, now) for row in rows)
        if wait > timedelta(0):
            return wait
        (address_before,) = [row.last_failure_at for row in rows if row.scope == ADDRESS]
        for row in rows:
            row.failures += 1
            row.last_failure_at = now
    _forget_old(engine, now - max(policy.forget_after, timedelta(days=1)))
    return Charge(email, address, now, address_before)


def login_succeeded(engine: Engine, charge: Charge) -> None:
    """The password was right: this account's failures from this address are cleared,
    and the address gets back the failure counted in advance (only that one, so that
    signing in to one's own account does not buy more guesses at others)."""
    pair, by_address = _keys(charge.email, charge.address)
    with unit_of_work(engine) as session:
        session.execute(delete(LoginThrottle).where(_where([pair])))
        row = session.execute(
            select(LoginThrottle).where(_where([by_address])).with_for_update()
        ).scalar_one_or_none()
        if row is not None and row.failures > 0:
            row.failures -= 1
            if row.last_failure_at == charge.at:  # no failure from there since
                row.last_failure_at = charge.address_last_failure_at


def _forget_old(engine: Engine, before: datetime) -> None:
    """Deletes counters nobody has failed on for a long time. Rows another sign-in holds
    are skipped (PostgreSQL's SKIP LOCKED), so this never waits and never deadlocks."""
    with unit_of_work(engine) as session:
        old = session.execute(
            select(LoginThrottle.scope, LoginThrottle.key_hash)
            .where(LoginThrottle.last_failure_at < before)
            .limit(500)
            .with_for_update(skip_locked=True)
        ).all()
        if old:
            session.execute(delete(LoginThrottle).where(_where([(s, k) for s, k in old])))

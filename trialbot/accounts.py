"""Staff accounts, API tokens, web sessions and sign-in throttles.

The tables live on the store's declarative ``Base`` (one metadata for Alembic);
revisions ``0002_staff`` and ``0006_staff_security`` create them. Secrets are never
stored as given:

* passwords as argon2id hashes (``argon2-cffi``);
* API tokens and session ids as SHA-256 hex digests of 32 random bytes; the token
  itself is printed once by ``trialbot token create`` and cannot be shown again;
* sign-in throttles under a SHA-256 of the account and address they count.

A disabled account cannot sign in, its sessions are deleted at once and the API
tokens it owns are refused; every change to an account is written to the audit log.

CLI (``trialbot.web.cli``, kept apart so that ``trialbot`` starts without SQLAlchemy)::

    trialbot staff add EMAIL --role triage|admin [--password-stdin]
    trialbot staff list
    trialbot staff disable EMAIL | enable EMAIL
    trialbot staff reset-password EMAIL [--password-stdin]
    trialbot token create NAME [--owner EMAIL]
    trialbot token list
    trialbot token revoke NAME
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Integer,
    String,
    delete,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session

from trialbot.roles import ROLES, Role
from trialbot.store import audit as audit_trail
from trialbot.store.db import StoreError, unit_of_work
from trialbot.store.models import Base, UTCDateTime, one_of, utcnow

MIN_PASSWORD_LENGTH = 12
THROTTLE_SCOPES = ("account_address", "address")

# C0 and C1 control characters but tab, line feed and carriage return, as a regex
# character range valid in Python and ECMA-262 (the OpenAPI document uses it too).
CONTROL_RANGES = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f"
# Those and lone surrogates (JSON can carry "\ud800"): no database stores NUL in text
# (PostgreSQL refuses it), nor a surrogate.
CONTROL_CHARACTERS = re.compile(f"[{CONTROL_RANGES}\\ud800-\\udfff]")


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


# -- tables ------------------------------------------------------------------------------


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(one_of("role", ROLES), name="role"),)

    id: Mapped[int] = Column(Integer, primary_key=True)
    email: Mapped[str] = Column(String(255), nullable=False, unique=True)
    password_hash: Mapped[str] = Column(String(255), nullable=False)
    role: Mapped[str] = Column(String(16), nullable=False)
    active: Mapped[bool] = Column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_login_at: Mapped[datetime | None] = Column(UTCDateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = Column(Integer, primary_key=True)
    name: Mapped[str] = Column(String(100), nullable=False, unique=True)
    token_hash: Mapped[str] = Column(String(64), nullable=False, unique=True)
    # The account the token acts for; refused while it is disabled. None: a service token.
    staff_id: Mapped[int | None] = Column(
        Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at: Mapped[datetime | None] = Column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = Column(UTCDateTime)


class WebSession(Base):
    """A signed-in browser. The cookie holds the id; the table only its hash."""

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = Column(String(64), primary_key=True)
    user_id: Mapped[int] = Column(
        Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True
    )
    csrf_token: Mapped[str] = Column(String(64), nullable=False)
    created_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    last_seen_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)


class LoginThrottle(Base):
    """Failed sign-ins of one account from one address, or from one address in all.

    One row per key, locked while an attempt is checked and counted, so that several
    app processes count together (``trialbot.web.sessions``).
    """

    __tablename__ = "login_throttles"
    __table_args__ = (CheckConstraint(one_of("scope", THROTTLE_SCOPES), name="scope"),)

    scope: Mapped[str] = Column(String(16), primary_key=True)
    key_hash: Mapped[str] = Column(String(64), primary_key=True)
    failures: Mapped[int] = Column(Integer, nullable=False, default=0)
    last_failure_at: Mapped[datetime] = Column(UTCDateTime, nullable=False, index=True)


# -- secrets -----------------------------------------------------------------------------

_hasher = PasswordHasher()  # argon2id with argon2-cffi's RFC 9106 "low memory" profile
_dummy_hashes: dict[int, str] = {}


def _dummy_hash() -> str:
    """Verified against when an account does not exist, so that both cases take as long."""
    key = id(_hasher)
    if key not in _dummy_hashes:
        _dummy_hashes[key] = _hasher.hash(secrets.token_urlsafe(16))
    return _dummy_hashes[key]


def new_secret() -> str:
    """32 random bytes, URL-safe: a session id or an API token."""
    return secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def normalise_email(email: str) -> str:
    return email.strip().lower()


# -- staff -------------------------------------------------------------------------------


class AccountError(StoreError):
    """A staff or token change that cannot be made (duplicate, unknown, too weak)."""


@dataclass(frozen=True)
class Staff:
    id: int
    email: str
    role: Role
    active: bool = True

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN


def _staff(row: StaffUser) -> Staff:
    return Staff(row.id, row.email, Role(row.role), row.active)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password needs at least {MIN_PASSWORD_LENGTH} characters")


def add_staff(
    engine: Engine, email: str, role: str | Role, password: str, *, actor: str | None = None
) -> Staff:
    """A new active account; audited under ``actor`` when one is given."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 255 or has_control_characters(email):
        raise AccountError(f"{email!r} is not an e-mail address")
    role = Role(role)
    check_password_strength(password)
    try:
        with unit_of_work(engine) as session:
            row = StaffUser(
                email=email,
                password_hash=hash_password(password),
                role=role.value,
                active=True,
                created_at=utcnow(),
            )
            session.add(row)
            session.flush()
            if actor is not None:
                audit_trail.write(
                    session,
                    actor,
                    "staff.added",
                    "staff",
                    row.id,
                    {"email": email, "role": role.value},
                )
            return _staff(row)
    except IntegrityError:
        raise AccountError(f"there is already a staff account for {email}") from None


def _account(session: Session, email: str) -> StaffUser:
    email = normalise_email(email)
    row = session.execute(select(StaffUser).where(StaffUser.email == email)).scalar_one_or_none()
    if row is None:
        raise AccountError(f"there is no staff account for {email}")
    return row


def _end_sessions(session: Session, staff_id: int) -> int:
    ended = session.execute(delete(WebSession).where(WebSession.user_id == staff_id))
    return int(ended.rowcount or 0)


def set_active(engine: Engine, email: str, active: bool, *, actor: str) -> tuple[Staff, int]:
    """Enables or disables an account; returns it and how many sessions were ended.

    Disabling deletes the account's sessions in the same transaction, so that no request
    after it is served as this account; its API tokens are refused by :func:`token_for`.
    """
    with unit_of_work(engine) as session:
        row = _account(session, email)
        ended = 0 if active else _end_sessions(session, row.id)
        if row.active != active:
            row.active = active
            audit_trail.write(
                session,
                actor,
                "staff.enabled" if active else "staff.disabled",
                "staff",
                row.id,
                {"email": row.email, "sessions_ended": ended},
            )
        return _staff(row), ended


def reset_password(engine: Engine, email: str, password: str, *, actor: str) -> tuple[Staff, int]:
    """A new password for the account; every session it had is ended (sign in again)."""
    check_password_strength(password)
    password_hash = hash_password(password)  # outside the transaction: it takes a while
    with unit_of_work(engine) as session:
        row = _account(session, email)
        row.password_hash = password_hash
        ended = _end_sessions(session, row.id)
        audit_trail.write(
            session,
            actor,
            "staff.password_reset",
            "staff",
            row.id,
            {"email": row.email, "sessions_ended": ended},
        )
        return _staff(row), ended


def list_staff(engine: Engine) -> list[Staff]:
    with unit_of_work(engine, read_only=True) as session:
        return [
            _staff(row)
            for row in session.execute(select(StaffUser).order_by(StaffUser.email)).scalars()
        ]


def staff_count(engine: Engine) -> int:
    with unit_of_work(engine, read_only=True) as session:
        return int(session.execute(select(func.count()).select_from(StaffUser)).scalar_one())


def authenticate(engine: Engine, email: str, password: str) -> Staff | None:
    """The active account with this e-mail and password, else ``None`` (same cost)."""
    email = normalise_email(email)
    if len(email) > 255 or has_control_characters(email):
        # Never sent to the database (PostgreSQL refuses NUL), but costs the same.
        password_matches(_dummy_hash(), password)
        return None
    with unit_of_work(engine) as session:
        row = session.execute(
            select(StaffUser).where(StaffUser.email == email)
        ).scalar_one_or_none()
        if row is None or not row.active:
            password_matches(_dummy_hash(), password)
            return None
        if not password_matches(row.password_hash, password):
            return None
        if _hasher.check_needs_rehash(row.password_hash):
            row.password_hash = hash_password(password)
        row.last_login_at = utcnow()
        return _staff(row)


# -- API tokens --------------------------------------------------------------------------


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    created_at: datetime
    last_used_at: datetime | None
    revoked: bool
    owner: str | None = None  # the e-mail of the account it acts for
    owner_role: str | None = None  # that account's role (an admin's token may erase)

    @property
    def actor(self) -> str:
        """How changes made with this token appear in the audit log."""
        return f"token:{self.name}"


def _token(row: ApiToken, owner: StaffUser | None) -> TokenInfo:
    return TokenInfo(
        row.id,
        row.name,
        row.created_at,
        row.last_used_at,
        row.revoked_at is not None,
        owner.email if owner is not None else None,
        owner.role if owner is not None else None,
    )


def _with_owner() -> Any:
    return select(ApiToken, StaffUser).outerjoin(StaffUser, StaffUser.id == ApiToken.staff_id)


def create_token(
    engine: Engine, name: str, *, owner: str | None = None, actor: str | None = None
) -> str:
    """A new API token called ``name``, acting for the account ``owner`` if given;
    returns the token itself (only now)."""
    name = name.strip()
    if not name or len(name) > 100 or has_control_characters(name):
        raise AccountError("a token name needs 1 to 100 characters, none of them control")
    token = new_secret()
    try:
        with unit_of_work(engine) as session:
            staff_id = _account(session, owner).id if owner is not None else None
            row = ApiToken(
                name=name, token_hash=digest(token), staff_id=staff_id, created_at=utcnow()
            )
            session.add(row)
            session.flush()
            if actor is not None:
                details = {"name": name, "owner": normalise_email(owner) if owner else None}
                audit_trail.write(session, actor, "token.created", "token", row.id, details)
    except IntegrityError:
        raise AccountError(f"there is already a token called {name!r}") from None
    return token


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with unit_of_work(engine, read_only=True) as session:
        return [
            _token(row, owner)
            for row, owner in session.execute(_with_owner().order_by(ApiToken.name))
        ]


def revoke_token(engine: Engine, name: str, *, actor: str | None = None) -> None:
    with unit_of_work(engine) as session:
        row = session.execute(select(ApiToken).where(ApiToken.name == name)).scalar_one_or_none()
        if row is None:
            raise AccountError(f"no token called {name!r}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()
            if actor is not None:
                audit_trail.write(session, actor, "token.revoked", "token", row.id, {"name": name})


def token_for(engine: Engine, token: str) -> TokenInfo | None:
    """The unrevoked token with this value (looked up by its hash) whose account, if it
    has one, is active; else ``None``."""
    with unit_of_work(engine) as session:
        found = session.execute(
            _with_owner().where(ApiToken.token_hash == digest(token))
        ).one_or_none()
        if found is None:
            return None
        row, owner = found
        disabled = row.staff_id is not None and (owner is None or not owner.active)
        if row.revoked_at is not None or disabled:
            return None
        row.last_used_at = utcnow()
        return _token(row, owner)

"""Staff accounts, API tokens, web sessions and login attempts.

The tables live on the store's declarative ``Base`` (one metadata for Alembic);
revision ``0002_staff`` creates them. Secrets are never stored as given:

* passwords as argon2id hashes (``argon2-cffi``);
* API tokens and session ids as SHA-256 hex digests of 32 random bytes; the token
  itself is printed once by ``trialbot token create`` and cannot be shown again.

CLI (``trialbot.web.cli``, kept apart so that ``trialbot`` starts without SQLAlchemy)::

    trialbot staff add EMAIL --role triage|admin [--password-stdin]
    trialbot staff list
    trialbot token create NAME
    trialbot token list
    trialbot token revoke NAME
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    func,
    select,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped

from trialbot.roles import ROLES, Role
from trialbot.store.db import StoreError, unit_of_work
from trialbot.store.models import Base, UTCDateTime, one_of, utcnow

MIN_PASSWORD_LENGTH = 12


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


class LoginAttempt(Base):
    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_email_at", "email", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )

    id: Mapped[int] = Column(Integer, primary_key=True)
    at: Mapped[datetime] = Column(UTCDateTime, nullable=False, default=utcnow)
    email: Mapped[str] = Column(String(255), nullable=False)
    address: Mapped[str] = Column(String(64), nullable=False)
    succeeded: Mapped[bool] = Column(Boolean, nullable=False)


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


def add_staff(engine: Engine, email: str, role: str | Role, password: str) -> Staff:
    email = normalise_email(email)
    if "@" not in email or len(email) > 255:
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
            return _staff(row)
    except IntegrityError:
        raise AccountError(f"there is already a staff account for {email}") from None


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

    @property
    def actor(self) -> str:
        """How changes made with this token appear in the audit log."""
        return f"token:{self.name}"


def _token(row: ApiToken) -> TokenInfo:
    return TokenInfo(row.id, row.name, row.created_at, row.last_used_at, row.revoked_at is not None)


def create_token(engine: Engine, name: str) -> str:
    """A new API token called ``name``; returns the token itself (only now)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise AccountError("a token name needs 1 to 100 characters")
    token = new_secret()
    try:
        with unit_of_work(engine) as session:
            session.add(ApiToken(name=name, token_hash=digest(token), created_at=utcnow()))
    except IntegrityError:
        raise AccountError(f"there is already a token called {name!r}") from None
    return token


def list_tokens(engine: Engine) -> list[TokenInfo]:
    with unit_of_work(engine, read_only=True) as session:
        return [
            _token(row)
            for row in session.execute(select(ApiToken).order_by(ApiToken.name)).scalars()
        ]


def revoke_token(engine: Engine, name: str) -> None:
    with unit_of_work(engine) as session:
        row = session.execute(select(ApiToken).where(ApiToken.name == name)).scalar_one_or_none()
        if row is None:
            raise AccountError(f"no token called {name!r}")
        if row.revoked_at is None:
            row.revoked_at = utcnow()


def token_for(engine: Engine, token: str) -> TokenInfo | None:
    """The unrevoked token with this value (looked up by its hash), else ``None``."""
    with unit_of_work(engine) as session:
        row = session.execute(
            select(ApiToken).where(ApiToken.token_hash == digest(token))
        ).scalar_one_or_none()
        if row is None or row.revoked_at is not None:
            return None
        row.last_used_at = utcnow()
        return _token(row)

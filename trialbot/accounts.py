"""Staff accounts, API tokens, web sessions and login attempts.

The tables live on the store's declarative ``Base`` (one metadata for Alembic);
revision ``0002_staff`` creates them. Secrets are never stored as given:

* passwords as argon2id hashes (``argon2-cffi``);
* API tokens and session ids as SHA-256 hex digests of 32 random bytes; the token
  itself is printed once by ``trialbot token create`` and cannot be shown again.

CLI (``register``)::

    trialbot staff add EMAIL --role triage|admin [--password-stdin]
    trialbot staff list
    trialbot token create NAME
    trialbot token list
    trialbot token revoke NAME
"""

from __future__ import annotations

import argparse
import getpass
import hashlib
import secrets
import sys
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any

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

from trialbot.store.db import StoreError, unit_of_work
from trialbot.store.models import Base, UTCDateTime, one_of, utcnow

ROLES = ("triage", "admin")
MIN_PASSWORD_LENGTH = 12


class Role(str, Enum):
    TRIAGE = "triage"
    ADMIN = "admin"


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
    with unit_of_work(engine) as session:
        return [
            _staff(row)
            for row in session.execute(select(StaffUser).order_by(StaffUser.email)).scalars()
        ]


def staff_count(engine: Engine) -> int:
    with unit_of_work(engine) as session:
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
    with unit_of_work(engine) as session:
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


# -- CLI ---------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    from trialbot.cli import database_options

    staff = subparsers.add_parser("staff", help="triage web app accounts")
    staff_commands = staff.add_subparsers(dest="staff_command", metavar="COMMAND")
    staff_commands.required = True
    add = staff_commands.add_parser(
        "add", parents=[database_options()], help="create a staff account"
    )
    add.add_argument("email", metavar="EMAIL")
    add.add_argument("--role", choices=ROLES, required=True)
    add.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of a prompt",
    )
    add.set_defaults(handler=_add_staff_command)
    listing = staff_commands.add_parser(
        "list", parents=[database_options()], help="list staff accounts"
    )
    listing.set_defaults(handler=_list_staff_command)

    token = subparsers.add_parser("token", help="API tokens for /api")
    token_commands = token.add_subparsers(dest="token_command", metavar="COMMAND")
    token_commands.required = True
    create = token_commands.add_parser(
        "create", parents=[database_options()], help="create a token and print it once"
    )
    create.add_argument("name", metavar="NAME")
    create.set_defaults(handler=_create_token_command)
    tokens = token_commands.add_parser("list", parents=[database_options()], help="list tokens")
    tokens.set_defaults(handler=_list_tokens_command)
    revoke = token_commands.add_parser(
        "revoke", parents=[database_options()], help="revoke a token"
    )
    revoke.add_argument("name", metavar="NAME")
    revoke.set_defaults(handler=_revoke_token_command)


def _engine(args: argparse.Namespace) -> Engine:
    from trialbot.cli import EXIT_DATABASE, CommandError, database_url
    from trialbot.config import redacted_url
    from trialbot.store.db import make_engine
    from trialbot.store.schema import current_revision, head_revision

    url = database_url(args)
    engine = make_engine(url)
    if current_revision(engine) != head_revision():
        engine.dispose()
        raise CommandError(
            f"the database at {redacted_url(url)} is not up to date: "
            "run `trialbot db upgrade` first",
            EXIT_DATABASE,
        )
    return engine


def _read_password(from_stdin: bool) -> str:
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            raise CommandError("the passwords differ", EXIT_BAD_INPUT)
    return password


def _add_staff_command(args: argparse.Namespace) -> int:
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    password = _read_password(args.password_stdin)
    engine = _engine(args)
    try:
        staff = add_staff(engine, args.email, args.role, password)
    except AccountError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    finally:
        engine.dispose()
    print(f"Added {staff.email} ({staff.role.value})")
    return 0


def _list_staff_command(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        for staff in list_staff(engine):
            state = "" if staff.active else " (disabled)"
            print(f"{staff.email}\t{staff.role.value}{state}")
    finally:
        engine.dispose()
    return 0


def _create_token_command(args: argparse.Namespace) -> int:
    from trialbot.cli import EXIT_BAD_INPUT, CommandError

    engine = _engine(args)
    try:
        token = create_token(engine, args.name)
    except AccountError as error:
        raise CommandError(str(error), EXIT_BAD_INPUT) from None
    finally:
        engine.dispose()
    print(token)
    print(
        f"Token {args.name!r} created. It is shown only now; send it as "
        "'Authorization: Bearer <token>'.",
        file=sys.stderr,
    )
    return 0


def _list_tokens_command(args: argparse.Namespace) -> int:
    engine = _engine(args)
    try:
        for token in list_tokens(engine):
            used = token.last_used_at.isoformat() if token.last_used_at else "never used"
            state = "revoked" if token.revoked else used
            print(f"{token.name}\t{token.created_at.isoformat()}\t{state}")
    finally:
        engine.dispose()
    return 0


def _revoke_token_command(args: argparse.Namespace) -> int:
    from trialbot.cli import CommandError

    engine = _engine(args)
    try:
        revoke_token(engine, args.name)
    except AccountError as error:
        raise CommandError(str(error)) from None
    finally:
        engine.dispose()
    print(f"Token {args.name!r} revoked")
    return 0

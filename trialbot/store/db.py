"""Engines, units of work and the store's errors."""

from __future__ import annotations

import logging
import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from trialbot.config import redacted_url

SQLITE_BUSY_TIMEOUT_MS = 10_000
POSTGRES_CONNECT_TIMEOUT_S = 5
# Who may read the store's files: their owner only (health data, contact details).
PRIVATE_FILE_MODE = 0o600
PRIVATE_DIRECTORY_MODE = 0o700
# Files SQLite keeps beside a database (it gives them the database file's mode).
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

logger = logging.getLogger(__name__)


class StoreError(Exception):
    """Base of the errors the store raises on purpose."""


class StoreUnavailable(StoreError):
    """The database cannot be reached (or opened); the message names the redacted URL."""


class ScreeningNotFound(StoreError):
    def __init__(self, sender_id: str, trial_id: str) -> None:
        super().__init__(f"no screening of sender {sender_id!r} for trial {trial_id!r}")


class ScreeningClosed(StoreError):
    """The screening is no longer open for this change (declined, stopped, completed...)."""

    def __init__(self, screening_id: int, status: str, change: str) -> None:
        super().__init__(f"screening {screening_id} is {status}: cannot {change}")
        self.status = status


class ConsentRequired(StoreError):
    def __init__(self, screening_id: int, change: str) -> None:
        super().__init__(f"screening {screening_id} has no agreed consent: cannot {change}")


READ_ONLY = "trialbot_read_only"  # execution option: a transaction that only reads


def private_directory(path: Path) -> None:
    """Creates ``path`` (and missing parents) with mode 0700; an existing directory keeps
    its mode (it may be a shared one chosen by the operator)."""
    path.mkdir(mode=PRIVATE_DIRECTORY_MODE, parents=True, exist_ok=True)


def private_file(path: Path, *, create: bool = True) -> None:
    """Makes ``path`` readable and writable by its owner only: created with mode 0600
    (so it is never readable by others, not even for a moment), or tightened to it if it
    already existed with a wider mode. ``create=False`` only tightens an existing file."""
    flags = os.O_RDONLY | (os.O_CREAT if create else 0) | getattr(os, "O_NOFOLLOW", 0)
    try:
        descriptor = os.open(path, flags, PRIVATE_FILE_MODE)
    except FileNotFoundError:
        if create:
            raise
        return
    try:
        mode = stat.S_IMODE(os.fstat(descriptor).st_mode)
        if mode & ~PRIVATE_FILE_MODE:
            os.fchmod(descriptor, mode & PRIVATE_FILE_MODE)
    except PermissionError:
        logger.warning("Could not make %s private (mode 0600): it is not ours", path)
    finally:
        os.close(descriptor)


def private_sqlite_file(database: str | os.PathLike[str]) -> None:
    """A SQLite database file and its companions (WAL, shared memory, journal) kept 0600,
    its directory created 0700. SQLite creates a missing database with 0644 (less the
    umask) and its companions with the database's mode, so creating the file first is
    what keeps all of them private from the start."""
    path = Path(database).expanduser()
    private_directory(path.parent)
    private_file(path)
    for suffix in SQLITE_COMPANIONS:
        private_file(path.with_name(path.name + suffix), create=False)


def make_engine(url: str) -> Engine:
    """An engine for ``url``: SQLite gets WAL, a busy timeout and foreign keys."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise StoreUnavailable(f"not a database URL: {redacted_url(url)}") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            try:
                private_sqlite_file(database)
            except OSError as error:
                raise StoreUnavailable(
                    f"cannot create {redacted_url(url)} (mode 0600): {error.strerror}"
                ) from None
        # A file keeps its connections open (SQLAlchemy 1.4 would reconnect, and rerun the
        # PRAGMAs below, for every transaction); an in-memory database needs its default.
        pool = {"poolclass": QueuePool} if database and database != ":memory:" else {}
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False}, **pool)
        _configure_sqlite(engine)
        return engine
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = POSTGRES_CONNECT_TIMEOUT_S
    return create_engine(url, future=True, pool_pre_ping=True, connect_args=connect_args)


def set_sqlite_pragmas(dbapi_connection: Any) -> None:
    """What every trialbot SQLite connection gets (this store's and Rasa's tracker store):
    WAL, so readers run beside the one writer; a busy timeout, so writers of other
    processes wait instead of failing; NORMAL sync, which under WAL cannot corrupt the
    file and only skips an fsync per commit (the last commits may be lost on power loss,
    never on a crash of the process)."""
    cursor = dbapi_connection.cursor()
    cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def _configure_sqlite(engine: Engine) -> None:
    # The Rasa action server and the triage web app write to one file concurrently:
    # WAL lets readers run beside the writer, the busy timeout makes writers wait.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling delays BEGIN and breaks SAVEPOINTs;
        # let SQLAlchemy emit BEGIN itself (the recipe from SQLAlchemy's SQLite docs).
        dbapi_connection.isolation_level = None
        set_sqlite_pragmas(dbapi_connection)
        dbapi_connection.execute("PRAGMA foreign_keys = ON")

    # IMMEDIATE takes the write lock at the start, waiting up to the busy timeout. A
    # deferred transaction that reads, then writes, fails at once with "database is
    # locked" when another process writes meanwhile (SQLite cannot wait there without
    # risking a deadlock) — which concurrent conversations hit all the time.
    # Reads (``unit_of_work(..., read_only=True)``) need no write lock: under WAL they
    # run beside the writer on a snapshot, so they neither wait nor make writers wait.
    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_unreachable(error: DBAPIError) -> bool:
    """Whether a database error means the database could not be reached at all."""
    # Failed connects carry no statement; dropped connections are flagged invalidated.
    return isinstance(error, OperationalError) and (
        error.statement is None or error.connection_invalidated
    )


def unavailable(engine: Engine, error: DBAPIError) -> StoreUnavailable:
    url = engine.url.render_as_string(hide_password=False)
    reason = str(error.orig).strip().splitlines()[0] if error.orig is not None else str(error)
    password = engine.url.password
    if password:
        reason = reason.replace(str(password), "***")
    return StoreUnavailable(f"database unavailable at {redacted_url(url)}: {reason}")


# The unit of work each thread has open, per engine: a unit of work begun inside another
# (``ScreeningStore.transaction``) joins it instead of opening a second transaction.
_OPEN = threading.local()


@contextmanager
def unit_of_work(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back if it raises.

    ``read_only`` promises the block only reads: on SQLite it then takes no write lock.
    Inside another unit of work of the same engine and thread, the block joins that one:
    its changes commit or roll back with it.
    """
    opened: dict[int, tuple[Session, bool]] = _OPEN.__dict__.setdefault("units", {})
    key = id(engine)
    outer = opened.get(key)
    if outer is not None:
        session, outer_read_only = outer
        if outer_read_only and not read_only:
            raise StoreError("cannot write inside a read-only unit of work")
        yield session
        return
    if read_only:
        engine = engine.execution_options(**{READ_ONLY: True})
    try:
        with (
            _writer_turn(engine, read_only),
            Session(engine, future=True, expire_on_commit=False) as session,
            session.begin(),
        ):
            opened[key] = (session, read_only)
            try:
                yield session
            finally:
                del opened[key]
    except DBAPIError as error:
        if is_unreachable(error):
            raise unavailable(engine, error) from error
        raise


# SQLite has one writer at a time. Threads of one process that wait for it inside SQLite
# sleep in growing steps (SQLite's busy handler: 1, 2, 5, 10 ... 100 ms) however soon the
# lock is free; under ten concurrent conversations that was a tenth of the action
# server's time. Writers of one process therefore queue on a lock of their own, handed
# over at once; other processes (the triage app) still meet SQLite's busy timeout.
_WRITE_LOCKS: dict[str, threading.RLock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()


@contextmanager
def _writer_turn(engine: Engine, read_only: bool) -> Iterator[None]:
    if read_only or engine.dialect.name != "sqlite":
        yield
        return
    key = str(engine.url)
    with _WRITE_LOCKS_GUARD:
        lock = _WRITE_LOCKS.setdefault(key, threading.RLock())
    with lock:
        yield

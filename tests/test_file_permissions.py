"""Files with health data, contact details or secrets are readable by their owner only:
``var/`` 0700, the databases (and SQLite's WAL and shared-memory files) and key files
0600 — from the moment they are created, whatever the umask, and tightened when they
already existed with a wider mode."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from trialbot.devtools import services
from trialbot.rasa_tracker_store import resolve_url
from trialbot.store import ScreeningStore


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def careless_umask() -> Iterator[None]:
    """umask 0: a file created with default permissions would be world-writable."""
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def test_a_new_screening_store_is_private(tmp_path: Path) -> None:
    database = tmp_path / "var" / "trialbot.db"
    store = ScreeningStore.from_url(f"sqlite:///{database}")
    try:
        store.upgrade()  # writes through SQLite's WAL
        files = sorted(database.parent.glob("trialbot.db*"))
        assert {f.name for f in files} >= {"trialbot.db", "trialbot.db-wal", "trialbot.db-shm"}
        assert {f.name: mode(f) for f in files} == {f.name: 0o600 for f in files}
        assert mode(database.parent) == 0o700
    finally:
        store.dispose()


def test_a_screening_store_left_readable_is_tightened(tmp_path: Path) -> None:
    database = tmp_path / "trialbot.db"
    first = ScreeningStore.from_url(f"sqlite:///{database}")
    first.upgrade()
    first.dispose()
    for path in tmp_path.glob("trialbot.db*"):
        path.chmod(0o644)

    store = ScreeningStore.from_url(f"sqlite:///{database}")
    try:
        store.upgrade()
        assert {p.name: mode(p) for p in tmp_path.glob("trialbot.db*")} == {
            p.name: 0o600 for p in tmp_path.glob("trialbot.db*")
        }
    finally:
        store.dispose()


def test_the_tracker_database_is_private_from_the_start(tmp_path: Path) -> None:
    database = tmp_path / "tracker" / "tracker.db"
    url = resolve_url(f"sqlite:///{database}")
    assert mode(database) == 0o600 and mode(database.parent) == 0o700
    with sqlite3.connect(database) as connection:  # as Rasa's store writes: WAL
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, data TEXT)")
        connection.execute("INSERT INTO events (data) VALUES ('hello')")
        wal = database.with_name("tracker.db-wal")
        assert wal.exists() and mode(wal) == 0o600
    database.chmod(0o666)
    assert resolve_url(url) == url
    assert mode(database) == 0o600


def test_secret_files_are_made_private_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "var" / "action.secret"
    secret = services.secret_file(path)
    assert len(secret) >= 32 and mode(path) == 0o600 and mode(path.parent) == 0o700
    assert services.secret_file(path) == secret  # the same secret on the next run

    path.chmod(0o644)
    assert services.secret_file(path) == secret
    assert mode(path) == 0o600


def test_make_run_uses_the_secrets_in_var_unless_the_environment_has_them(tmp_path: Path) -> None:
    kept = services.development_secrets(tmp_path, environ={})
    assert kept == services.development_secrets(tmp_path, environ={})
    assert kept["TRIALBOT_ACTION_SECRET"] == (tmp_path / "action.secret").read_text().strip()
    assert kept["TRIALBOT_LOG_KEY"] == (tmp_path / "log.key").read_text().strip()
    assert kept["TRIALBOT_ACTION_SECRET"] != kept["TRIALBOT_LOG_KEY"]
    given = {"TRIALBOT_ACTION_SECRET": "from-the-environment", "TRIALBOT_LOG_KEY": "key"}
    assert services.development_secrets(tmp_path, environ=given) == given


def test_var_is_made_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "ROOT", tmp_path)
    monkeypatch.delenv("TRIALBOT_DATABASE_URL", raising=False)
    services.default_urls()
    assert mode(tmp_path / "var") == 0o700

    (tmp_path / "var").chmod(0o755)  # a checkout from before
    services.default_urls()
    assert mode(tmp_path / "var") == 0o700

"""Engines and settings: SQLite tuned for concurrent writers, passwords never shown."""

from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import event, text
from store_helpers import TRIAL, consented, evaluation

from trialbot.config import Settings, default_database_url, redacted_url
from trialbot.store import ScreeningStore, StoreUnavailable
from trialbot.verdicts import Outcome


def test_sqlite_uses_wal_a_busy_timeout_and_foreign_keys(tmp_path: Path):
    store = ScreeningStore.from_url(f"sqlite:///{tmp_path / 'nested' / 'dir' / 'bot.db'}")
    try:
        with store.engine.connect() as connection:
            assert connection.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
            assert connection.execute(text("PRAGMA busy_timeout")).scalar_one() >= 5000
        assert (tmp_path / "nested" / "dir" / "bot.db").exists()
    finally:
        store.dispose()


def test_an_unreachable_database_names_the_redacted_url_only():
    store = ScreeningStore.from_url("postgresql://bob:s3cr3t-pw@127.0.0.1:1/trialbot")
    try:
        with pytest.raises(StoreUnavailable) as raised:
            store.start("alice", "spinus2", "rest")
        message = str(raised.value)
        assert "postgresql://bob:***@127.0.0.1:1/trialbot" in message
        assert "s3cr3t-pw" not in message
        with pytest.raises(StoreUnavailable):
            store.upgrade()
    finally:
        store.dispose()


def test_an_unopenable_sqlite_file_is_unavailable(tmp_path: Path):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("")
    with pytest.raises(StoreUnavailable, match="not_a_dir"):
        ScreeningStore.from_url(f"sqlite:///{blocker / 'bot.db'}")


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://bob:secret@db.example.org/trialbot",
            "postgresql://bob:***@db.example.org/trialbot",
        ),
        (
            "postgresql://bob:p%40ss@db:5432/x?sslmode=require",
            "postgresql://bob:***@db:5432/x?sslmode=require",
        ),
        ("postgresql://bob@db/x", "postgresql://bob@db/x"),
        ("sqlite:////srv/trialbot/var/trialbot.db", "sqlite:////srv/trialbot/var/trialbot.db"),
    ],
)
def test_redacted_url_hides_only_the_password(url: str, shown: str):
    assert redacted_url(url) == shown


def test_settings_come_from_the_environment_with_a_sqlite_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    assert Settings.from_env({}).database_url == f"sqlite:///{tmp_path.resolve()}/var/trialbot.db"
    assert default_database_url(Path("/srv/bot")) == "sqlite:////srv/bot/var/trialbot.db"
    settings = Settings.from_env({"TRIALBOT_DATABASE_URL": "postgresql://bob:pw@db/trialbot"})
    assert settings.database_url == "postgresql://bob:pw@db/trialbot"
    assert settings.redacted_database_url == "postgresql://bob:***@db/trialbot"


def test_sqlite_reads_take_no_write_lock_and_connections_are_reused(tmp_path: Path):
    """A writer holding the lock delays other writers, never readers (WAL snapshots)."""
    path = tmp_path / "bot.db"
    store = ScreeningStore.from_url(f"sqlite:///{path}")
    try:
        store.upgrade()
        store.start("alice", "spinus2", "rest")
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("PRAGMA busy_timeout = 0")
        writer.execute("BEGIN IMMEDIATE")  # another process is mid-write
        try:
            started = time.perf_counter()
            assert store.answers("alice", "spinus2") == {}
            assert store.report("alice")["sender_id"] == "alice"
            assert time.perf_counter() - started < 2.0  # did not wait for the lock
        finally:
            writer.execute("ROLLBACK")
            writer.close()

        connects = []
        event.listen(store.engine, "connect", lambda *_: connects.append(1))
        for _ in range(5):
            store.answers("alice", "spinus2")
            store.record_question_asked("alice", "spinus2", "consent")
        assert len(connects) <= 1  # pooled, not reopened per transaction
    finally:
        store.dispose()


def test_the_triage_apps_reads_take_no_write_lock(tmp_path: Path):
    """Listing, counting, showing a handoff (without auditing a viewer) and the funnel
    read while another process holds SQLite's write lock, instead of waiting for it."""
    path = tmp_path / "bot.db"
    store = ScreeningStore.from_url(f"sqlite:///{path}")
    try:
        store.upgrade()
        consented(store, "alice")
        handoff_id = store.complete(
            "alice", TRIAL, evaluation(Outcome.LIKELY_ELIGIBLE), notify_channels=["email"]
        )
        assert handoff_id is not None
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # another process is mid-write
        try:
            started = time.perf_counter()
            assert [h.id for h in store.list_handoffs()] == [handoff_id]
            assert store.status_counts()["new"] == 1
            detail = store.get_handoff(handoff_id)
            assert detail is not None and detail.id == handoff_id
            assert store.funnel(TRIAL).handed_off == 1
            assert time.perf_counter() - started < 2.0  # did not wait for the lock
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    finally:
        store.dispose()


def test_writers_of_one_process_take_turns_without_meeting_sqlites_lock(tmp_path: Path):
    """With SQLite's busy timeout at 0, any two writers meeting inside SQLite would fail
    at once ("database is locked"): eight threads writing together must all succeed."""
    store = ScreeningStore.from_url(f"sqlite:///{tmp_path / 'bot.db'}")

    def no_waiting(dbapi_connection, _record) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout = 0")

    event.listen(store.engine, "connect", no_waiting)
    try:
        store.upgrade()
        senders = [f"candidate-{n}" for n in range(8)]
        for sender in senders:
            store.start(sender, "spinus2", "rest")

        def write(sender: str) -> None:
            for attempt in range(1, 26):
                store.record_question_asked(sender, "spinus2", "consent", attempt=attempt)

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(write, senders))  # re-raises the first failure
        for sender in senders:
            assert store.report(sender)["sender_id"] == sender
    finally:
        store.dispose()

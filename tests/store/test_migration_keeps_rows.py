"""Migrating a SQLite store with data keeps every row that refers to a rebuilt table.

SQLite's batch mode rebuilds a table (copy, drop, rename); with foreign keys on, the drop
would cascade and delete, for example, every handoff event when ``handoffs`` changes.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from trialbot.store.db import make_engine
from trialbot.store.schema import upgrade

NOW = "2026-12-01 10:00:00.000000"


def test_upgrading_through_a_table_rebuild_keeps_the_rows_that_refer_to_it(tmp_path: Path):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(engine, "0007_relatives")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO screenings (id, sender_id, trial_id, channel, status, started_at,"
                " updated_at) VALUES (1, 'alice', 'spinus2', 'rest', 'completed', :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO handoffs (id, screening_id, sender_id, trial_id, priority, status,"
                " created_at, updated_at) VALUES (1, 1, 'alice', 'spinus2', 'high', 'new',"
                " :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO handoff_events (handoff_id, to_status, note, actor, at)"
                " VALUES (1, 'new', '', 'trialbot', :now)"
            ),
            {"now": NOW},
        )

    upgrade(engine)  # 0008 rebuilds `handoffs` on SQLite

    with engine.connect() as connection:
        events = connection.execute(text("SELECT count(*) FROM handoff_events")).scalar()
        handoffs = connection.execute(text("SELECT count(*) FROM handoffs")).scalar()
        keys_on = connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
    assert (handoffs, events) == (1, 1)
    assert keys_on == 1  # and back on for everything after the migration
    engine.dispose()

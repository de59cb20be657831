"""Alembic owns the schema: it builds an empty database and agrees with the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect

from trialbot.store import ScreeningStore
from trialbot.store.schema import alembic_config, full_metadata, head_revision

TABLES = {
    "screenings",
    "answers",
    "question_asks",
    "criterion_results",
    "consent_records",
    "contact_details",
    "handoffs",
    "handoff_events",
    "notification_outbox",
    "audit_events",
}


def test_upgrade_builds_an_empty_database_and_can_run_again(database_url: str):
    store = ScreeningStore.from_url(database_url)
    try:
        assert store.revision() is None
        assert TABLES.isdisjoint(inspect(store.engine).get_table_names())

        store.upgrade()
        assert store.revision() == head_revision()
        assert set(inspect(store.engine).get_table_names()) >= TABLES

        store.start("alice", "spinus2", "rest")
        store.upgrade()  # again: nothing changes, nothing is lost
        assert store.revision() == head_revision()
        assert store.report("alice") is not None
    finally:
        store.dispose()


def test_the_migrated_schema_matches_the_models(database_url: str):
    store = ScreeningStore.from_url(database_url)
    try:
        store.upgrade()
        with store.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, full_metadata()) == []
    finally:
        store.dispose()


def test_the_revision_chain_is_linear_and_starts_at_0001_initial():
    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_heads() == [head_revision()]
    chain = [s.revision for s in scripts.walk_revisions()]
    assert chain[-1] == "0001_initial"
    assert all(revision[:4].isdigit() for revision in chain), chain
    assert len(chain) == len(set(chain))

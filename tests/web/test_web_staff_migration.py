"""Revision 0006_staff_security goes up and down on SQLite and PostgreSQL, keeping tokens.

(That the newest schema matches the models is ``tests/store/test_migrations.py``'s.)"""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, text

from trialbot.store import ScreeningStore
from trialbot.store.schema import alembic_config, head_revision, upgrade

REVISION = "0006_staff_security"
BEFORE = "0005_erasure"


def downgrade(store: ScreeningStore, revision: str) -> None:
    """As ``trialbot.store.schema.upgrade`` does it: one transaction, the given connection."""
    config = alembic_config(store.engine)
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def columns(store: ScreeningStore, table: str) -> set[str]:
    return {column["name"] for column in inspect(store.engine).get_columns(table)}


def test_0006_upgrades_and_downgrades_keeping_the_accounts(database_url: str):
    store = ScreeningStore.from_url(database_url)
    try:
        upgrade(store.engine, BEFORE)
        with store.engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff_users (email, password_hash, role, active, created_at)"
                    " VALUES ('a@example.org', 'x', 'admin', true, CURRENT_TIMESTAMP)"
                )
            )
            connection.execute(
                text(
                    "INSERT INTO api_tokens (name, token_hash, created_at)"
                    " VALUES ('crm', :hash, CURRENT_TIMESTAMP)"
                ),
                {"hash": "a" * 64},
            )
            connection.execute(
                text(
                    "INSERT INTO login_attempts (at, email, address, succeeded)"
                    " VALUES (CURRENT_TIMESTAMP, 'a@example.org', '127.0.0.1', false)"
                )
            )

        upgrade(store.engine, REVISION)
        assert store.revision() == REVISION
        tables = set(inspect(store.engine).get_table_names())
        assert "login_throttles" in tables and "login_attempts" not in tables
        assert "staff_id" in columns(store, "api_tokens")
        foreign_keys = inspect(store.engine).get_foreign_keys("api_tokens")
        assert [(fk["referred_table"], fk["options"].get("ondelete")) for fk in foreign_keys] == [
            ("staff_users", "CASCADE")
        ]
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT name, staff_id FROM api_tokens")).all() == [
                ("crm", None)
            ]

        downgrade(store, BEFORE)
        assert store.revision() == BEFORE
        tables = set(inspect(store.engine).get_table_names())
        assert "login_attempts" in tables and "login_throttles" not in tables
        assert "staff_id" not in columns(store, "api_tokens")
        with store.engine.connect() as connection:
            assert connection.execute(text("SELECT name FROM api_tokens")).scalars().all() == [
                "crm"
            ]

        store.upgrade()  # and up again, to the newest revision
        assert store.revision() == head_revision()
        assert "login_throttles" in inspect(store.engine).get_table_names()
    finally:
        store.dispose()

"""Running the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError

from trialbot.store.db import is_unreachable, unavailable

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Modules that define tables on the store's ``Base``; a module adding tables (and
# their migration) names itself here so that autogenerate and the schema test see them.
MODEL_MODULES: tuple[str, ...] = ("trialbot.store.models", "trialbot.accounts")


def full_metadata() -> MetaData:
    """The metadata of every table Alembic manages (imports ``MODEL_MODULES``)."""
    for module in MODEL_MODULES:
        importlib.import_module(module)
    from trialbot.store.models import metadata

    return metadata


def alembic_config(engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # Alembic's Config interpolates %; the URL may contain escaped characters.
        url = engine.url.render_as_string(hide_password=False).replace("%", "%%")
        config.set_main_option("sqlalchemy.url", url)
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, f"no migrations in {MIGRATIONS_DIR}"
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at; ``None`` for a database never migrated."""
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as error:
        if is_unreachable(error):
            raise unavailable(engine, error) from error
        raise


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Migrate to ``revision`` in one transaction; a no-op when already there."""
    config = alembic_config(engine)
    try:
        with (
            engine.connect() as connection,
            _foreign_keys_off(connection),
            connection.begin(),
        ):
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DBAPIError as error:
        if is_unreachable(error):
            raise unavailable(engine, error) from error
        raise


@contextmanager
def _foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite: foreign keys off while migrating. Batch mode rebuilds a table by copying
    it and dropping the old one, and with foreign keys on, that drop would cascade
    (``ON DELETE CASCADE``) and delete every row that refers to it. The pragma only
    works outside a transaction; the keys are checked again afterwards."""
    if connection.dialect.name != "sqlite":
        yield
        return
    # On the DB-API connection: SQLAlchemy would first BEGIN (see store.db), and inside a
    # transaction SQLite ignores this pragma.
    raw = connection.connection.dbapi_connection
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        broken = raw.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"the migration left {len(broken)} rows with broken references")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")

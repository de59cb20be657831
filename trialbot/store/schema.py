"""Running the Alembic migrations programmatically (no alembic.ini needed)."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData
from sqlalchemy.engine import Engine
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
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DBAPIError as error:
        if is_unreachable(error):
            raise unavailable(engine, error) from error
        raise

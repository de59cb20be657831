"""Alembic environment: the store's metadata, and the connection or URL it is given.

Run through ``trialbot.store.schema`` (``ScreeningStore.upgrade()``, ``trialbot db
upgrade``), which passes an open connection in ``config.attributes["connection"]``;
a plain ``sqlalchemy.url`` main option works too (offline ``--sql`` included).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from trialbot.store.db import make_engine
from trialbot.store.schema import full_metadata

config = context.config
metadata = full_metadata()


def run_with(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        # SQLite cannot ALTER most things; batch mode recreates the table instead.
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_with(given)
else:
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    try:
        with engine.connect() as connection:
            run_with(connection)
    finally:
        engine.dispose()

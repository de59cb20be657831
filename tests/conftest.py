"""Shared fixtures: ``database_url`` runs a test on SQLite and on PostgreSQL.

PostgreSQL is at ``TRIALBOT_TEST_POSTGRES_URL`` (default: user ``postgres``, then
``root``, at ``127.0.0.1:5432/test``). When it cannot be reached its tests skip,
except under ``CI=true``, where they fail. Each test gets a fresh schema (through the
URL's ``search_path``), dropped afterwards, so parallel runs and reruns stay clean.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from functools import cache
from urllib.parse import quote

import pytest

POSTGRES_USERS = ("postgres", "root")


@cache
def postgres_url() -> str | None:
    """The first reachable PostgreSQL test URL, or ``None``."""
    import sqlalchemy

    configured = os.environ.get("TRIALBOT_TEST_POSTGRES_URL")
    candidates = (
        [configured]
        if configured
        else [f"postgresql://{user}@127.0.0.1:5432/test" for user in POSTGRES_USERS]
    )
    for url in candidates:
        engine = sqlalchemy.create_engine(url, future=True, connect_args={"connect_timeout": 3})
        try:
            with engine.connect():
                return url
        except sqlalchemy.exc.DBAPIError:
            continue
        finally:
            engine.dispose()
    return None


def require_postgres() -> str:
    url = postgres_url()
    if url is None:
        message = "PostgreSQL unreachable (set TRIALBOT_TEST_POSTGRES_URL)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def postgres_schema_url() -> Iterator[str]:
    """A URL whose connections use a fresh, empty schema of the test database."""
    import sqlalchemy

    base = require_postgres()
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = sqlalchemy.create_engine(base, future=True)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options={quote(f'-csearch_path={schema}')}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
        admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """An empty database: a SQLite file under ``tmp_path``, or a PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'trialbot.db'}"
    return request.getfixturevalue("postgres_schema_url")


# Debian's Chromium for the browser tests (Playwright's own browser download does not
# work on these machines). The flags keep it off the closed network.
CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def chromium() -> dict[str, object]:
    """Playwright launch options for Debian's Chromium; skips without it, but fails
    under ``CI=true``."""
    if not os.path.exists(CHROMIUM_PATH):
        message = f"headless Chromium not found at {CHROMIUM_PATH} (apt-get install chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {"executable_path": CHROMIUM_PATH, "args": CHROMIUM_ARGS, "headless": True}

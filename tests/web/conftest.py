"""Fixtures for the triage app: a migrated store, staff, handoffs and a signed-in client."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from argon2 import PasswordHasher
from web_helpers import ADMIN, PASSWORD, TRIAGE, login

from trialbot import accounts
from trialbot.accounts import add_staff
from trialbot.notify.config import NotifySettings
from trialbot.store import ScreeningStore
from trialbot.web.app import create_app
from trialbot.web.config import WebSettings


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "production_hashing: hash passwords with the production argon2 cost"
    )


@pytest.fixture(autouse=True)
def quick_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real argon2id, with the cost turned down so that a test signs in in milliseconds.

    Tests marked ``production_hashing`` keep the production parameters.
    """
    if request.node.get_closest_marker("production_hashing"):
        return
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test gets a copy (migrating takes a second)."""
    path = tmp_path_factory.mktemp("template") / "trialbot.db"
    store = ScreeningStore.from_url(f"sqlite:///{path}")
    store.upgrade()
    # Outside any transaction (the store begins each one IMMEDIATE, which would hold a
    # lock the checkpoint needs), so the copies carry everything in the main file.
    raw = store.engine.raw_connection()
    try:
        raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        raw.close()
    store.dispose()
    return path


@pytest.fixture
def web_database_url(tmp_path: Path, migrated_sqlite: Path) -> str:
    """SQLite by default; a module runs on PostgreSQL too by overriding this fixture."""
    path = tmp_path / "var" / "trialbot.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(migrated_sqlite, path)
    return f"sqlite:///{path}"


@pytest.fixture
def store(web_database_url: str) -> Iterator[ScreeningStore]:
    store = ScreeningStore.from_url(web_database_url)
    store.upgrade()  # a no-op on the migrated copy
    yield store
    store.dispose()


@pytest.fixture
def staff(store: ScreeningStore) -> None:
    add_staff(store.engine, ADMIN, "admin", PASSWORD)
    add_staff(store.engine, TRIAGE, "triage", PASSWORD)


@pytest.fixture
def tracker_path(tmp_path: Path) -> Path:
    return tmp_path / "tracker.db"


@pytest.fixture
def settings(store: ScreeningStore, tracker_path: Path) -> WebSettings:
    return WebSettings(
        database_url=store.engine.url.render_as_string(hide_password=False),
        secure_cookies=False,  # the test client speaks plain HTTP
        tracker_url=f"sqlite:///{tracker_path}",
        notify=NotifySettings(poll_seconds=0),
    )


@pytest.fixture
def app(settings: WebSettings, staff: None) -> web.Application:
    return create_app(settings, notify_worker=False)


@pytest.fixture
async def client(aiohttp_client, app: web.Application) -> TestClient:
    return await aiohttp_client(app)


@pytest.fixture
async def admin(client: TestClient) -> AsyncIterator[TestClient]:
    response = await login(client, ADMIN)
    assert response.status == 303, await response.text()
    yield client


@pytest.fixture
async def triage(client: TestClient) -> AsyncIterator[TestClient]:
    response = await login(client, TRIAGE)
    assert response.status == 303, await response.text()
    yield client

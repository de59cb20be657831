"""The OpenAPI document agrees with the running app: schemathesis generates requests from it.

The app runs on 127.0.0.1 in a thread of its own (schemathesis calls it synchronously);
every generated request carries a valid token and must get a documented status, content
type and body, and never a 5xx.
"""

from __future__ import annotations

import asyncio
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
from aiohttp import web
from hypothesis import HealthCheck, settings
from web_helpers import make_handoff

from trialbot.accounts import create_token
from trialbot.notify.config import NotifySettings
from trialbot.store import ScreeningStore
from trialbot.verdicts import Outcome
from trialbot.web.app import create_app
from trialbot.web.config import WebSettings
from trialbot.web.openapi import build_document

schema = schemathesis.openapi.from_dict(build_document())


@dataclass
class RunningApp:
    base_url: str
    token: str


@pytest.fixture(scope="module")
def running_app(
    tmp_path_factory: pytest.TempPathFactory, migrated_sqlite: Path
) -> Iterator[RunningApp]:
    directory = tmp_path_factory.mktemp("openapi")
    database = directory / "trialbot.db"
    shutil.copyfile(migrated_sqlite, database)
    url = f"sqlite:///{database}"
    store = ScreeningStore.from_url(url)
    for number in range(3):
        make_handoff(store, f"sender-{number}", outcome=Outcome.LIKELY_ELIGIBLE)
    make_handoff(store, "sender-review", outcome=Outcome.POSSIBLY_ELIGIBLE)
    token = create_token(store.engine, "schemathesis")
    store.dispose()
    app = create_app(
        WebSettings(
            database_url=url,
            secure_cookies=False,
            tracker_url=f"sqlite:///{directory / 'tracker.db'}",
            notify=NotifySettings(poll_seconds=0),
        )
    )
    loop = asyncio.new_event_loop()
    runner = web.AppRunner(app)
    ready = threading.Event()
    port: list[int] = []

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    assert ready.wait(30), "the app did not start"
    yield RunningApp(f"http://127.0.0.1:{port[0]}", token)
    loop.call_soon_threadsafe(loop.stop)
    thread.join(30)


@schema.parametrize()
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_does_what_its_openapi_document_says(case, running_app: RunningApp):
    case.call_and_validate(
        base_url=running_app.base_url,
        headers={"Authorization": f"Bearer {running_app.token}"},
    )

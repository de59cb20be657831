"""``create_app(settings)``: the triage web app with its routes, middlewares and resources."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from aiohttp import ClientSession, ClientTimeout, web

from trialbot.criteria import load_trials
from trialbot.notify.worker import OutboxWorker
from trialbot.store import ScreeningStore
from trialbot.store.schema import head_revision
from trialbot.web import api, auth, keys, openapi
from trialbot.web.config import WebSettings
from trialbot.web.render import STATIC_DIR, make_environment
from trialbot.web.security import add_security_headers, error_middleware
from trialbot.web.transcript import TranscriptReader
from trialbot.web.views import audit, funnel, handoff, queue


class NotMigrated(RuntimeError):
    pass


async def _store(app: web.Application) -> AsyncIterator[None]:
    settings = app[keys.SETTINGS]
    store = ScreeningStore.from_url(settings.database_url)
    try:
        revision = store.revision()
        if revision != head_revision():
            raise NotMigrated(
                f"the database {settings.database_url.split('@')[-1]} is at revision "
                f"{revision or 'none'}, not {head_revision()}: run `trialbot db upgrade` first"
            )
        app[keys.STORE] = store
        yield
    finally:
        store.dispose()


async def _transcripts(app: web.Application) -> AsyncIterator[None]:
    reader = TranscriptReader(app[keys.SETTINGS].tracker_url)
    app[keys.TRANSCRIPTS] = reader
    yield
    reader.dispose()


async def _http(app: web.Application) -> AsyncIterator[None]:
    timeout = ClientTimeout(total=app[keys.SETTINGS].notify.timeout_seconds)
    async with ClientSession(timeout=timeout) as session:
        app[keys.HTTP] = session
        yield


async def _outbox_worker(app: web.Application) -> AsyncIterator[None]:
    """The notification outbox worker as a background task of the app."""
    store, http, trials = app[keys.STORE], app[keys.HTTP], app[keys.TRIALS]
    worker = OutboxWorker(store, app[keys.SETTINGS].notify, http, trials)
    task = asyncio.create_task(worker.run_forever(), name="trialbot-outbox-worker")
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def _redirect_home(request: web.Request) -> web.StreamResponse:
    raise web.HTTPSeeOther("/handoffs")


def add_routes(app: web.Application) -> None:
    app.router.add_get("/login", auth.login_form, name="login")
    app.router.add_post("/login", auth.login)
    app.router.add_post("/logout", auth.logout, name="logout")
    app.router.add_get("/", _redirect_home)
    app.router.add_get("/handoffs", queue.queue, name="queue")
    app.router.add_get("/handoffs.csv", queue.export_csv, name="export")
    app.router.add_get(r"/handoffs/{handoff_id:\d+}", handoff.show, name="handoff")
    app.router.add_post(r"/handoffs/{handoff_id:\d+}/status", handoff.change_status)
    app.router.add_post(r"/handoffs/{handoff_id:\d+}/notes", handoff.add_note)
    app.router.add_post(r"/handoffs/{handoff_id:\d+}/assign", queue.assign)
    app.router.add_post(r"/handoffs/{handoff_id:\d+}/plan", handoff.plan_call)
    app.router.add_post(r"/handoffs/{handoff_id:\d+}/erase", handoff.erase)
    app.router.add_get("/funnel", funnel.funnel, name="funnel")
    app.router.add_get("/audit", audit.audit_log, name="audit")
    api.add_routes(app.router)
    app.router.add_get("/api/openapi.json", openapi.document)
    app.router.add_static("/static/", STATIC_DIR, name="static", append_version=True)


def create_app(
    settings: WebSettings | None = None, *, notify_worker: bool = True
) -> web.Application:
    """The app; ``notify_worker=False`` (or ``TRIALBOT_NOTIFY_POLL_SECONDS=0``) leaves the
    outbox alone."""
    settings = settings or WebSettings.from_env()
    app = web.Application(
        middlewares=[error_middleware, auth.auth_middleware],
        client_max_size=settings.max_body_bytes,
    )
    app[keys.SETTINGS] = settings
    app[keys.TEMPLATES] = make_environment(settings.time_zone)
    app[keys.TRIALS] = load_trials(settings.criteria_dir)
    app.on_response_prepare.append(add_security_headers)  # type: ignore[arg-type]
    app.cleanup_ctx.extend([_store, _transcripts, _http])
    if notify_worker and settings.notify.poll_seconds > 0:
        app.cleanup_ctx.append(_outbox_worker)
    add_routes(app)
    return app

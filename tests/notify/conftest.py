"""Real receivers for notifications: an SMTP server (aiosmtpd) and HTTP webhooks (aiohttp)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiosmtpd.controller import Controller
from notify_helpers import SECRET, Mailbox, Receiver, SmtpServer

from trialbot.devtools.services import free_port
from trialbot.notify.messages import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from trialbot.store import ScreeningStore


@pytest.fixture
def store(database_url: str) -> Iterator[ScreeningStore]:
    store = ScreeningStore.from_url(database_url)
    store.upgrade()
    yield store
    store.dispose()


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield SmtpServer("127.0.0.1", controller.port, mailbox)
    finally:
        controller.stop()


@pytest.fixture
async def webhook(aiohttp_server) -> Receiver:
    """A webhook receiver that checks the signature; set ``fail_first`` to answer 500 first."""
    receiver = Receiver(url="")

    async def receive(request: web.Request) -> web.Response:
        body = await request.read()
        timestamp = request.headers.get(TIMESTAMP_HEADER, "")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        entry = {
            "body": body,
            "timestamp": timestamp,
            "signature": signature,
            "verified": verify(SECRET, timestamp, body, signature),
            "headers": dict(request.headers),
        }
        receiver.requests.append(entry)
        if receiver.delay:
            await asyncio.sleep(receiver.delay)
        if not entry["verified"]:
            return web.Response(status=401, text="bad signature")
        if len(receiver.requests) <= receiver.fail_first:
            return web.Response(status=500, text="down for maintenance")
        receiver.accepted.append(entry)
        return web.Response(status=204)

    app = web.Application()
    app.router.add_post("/hooks/trialbot", receive)
    server = await aiohttp_server(app, host="127.0.0.1")
    receiver.url = str(server.make_url("/hooks/trialbot"))
    return receiver

"""The worker runs inside the web app: a handoff made while it runs is announced."""

from __future__ import annotations

import asyncio

from notify_helpers import SECRET, Receiver, handed_off
from sqlalchemy import select

from trialbot.notify.config import NotifySettings
from trialbot.store import ScreeningStore
from trialbot.store.models import Notification
from trialbot.web.app import create_app
from trialbot.web.config import WebSettings


async def test_the_web_app_polls_the_outbox_and_sends(
    aiohttp_client, store: ScreeningStore, webhook: Receiver, tmp_path
):
    settings = WebSettings(
        database_url=store.engine.url.render_as_string(hide_password=False),
        secure_cookies=False,
        tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}",
        notify=NotifySettings(
            base_url="http://127.0.0.1:8080",
            webhook_url=webhook.url,
            webhook_secret=SECRET,
            poll_seconds=0.1,
        ),
    )
    client = await aiohttp_client(create_app(settings))
    handoff = await asyncio.to_thread(handed_off, store, "zelda", ["webhook"])
    for _ in range(100):
        if webhook.accepted:
            break
        await asyncio.sleep(0.05)
    assert len(webhook.accepted) == 1
    assert b'"handoff_id":%d' % handoff in webhook.accepted[0]["body"]
    await asyncio.sleep(0.3)  # more rounds of polling send nothing more
    assert len(webhook.requests) == 1
    with store.engine.connect() as connection:
        assert connection.execute(select(Notification.status)).scalar_one() == "sent"
    await client.close()  # cleanup_ctx stops the worker without errors

"""Notifications reach a real SMTP server and a real webhook, once, with nothing private."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from aiohttp import ClientSession
from notify_helpers import PRIVATE, SECRET, Receiver, SmtpServer, handed_off
from sqlalchemy import select

from trialbot.notify import outbox
from trialbot.notify.config import NotifySettings
from trialbot.notify.worker import OutboxWorker
from trialbot.store import ScreeningStore
from trialbot.store.models import AuditEvent, Notification, utcnow
from trialbot.verdicts import Outcome

BASE_URL = "https://triage.example.org"


def notify_settings(
    smtp: SmtpServer | None = None, webhook: Receiver | None = None, **kw
) -> NotifySettings:
    return NotifySettings(
        base_url=BASE_URL,
        smtp_host=smtp.host if smtp else None,
        smtp_port=smtp.port if smtp else 587,
        smtp_starttls=False,
        email_to=("study-team@example.org",) if smtp else (),
        email_from="trialbot@example.org",
        webhook_url=webhook.url if webhook else None,
        webhook_secret=SECRET if webhook else None,
        poll_seconds=0,
        backoff_seconds=kw.pop("backoff_seconds", 0.3),
        timeout_seconds=5,
        **kw,
    )


def notifications(store: ScreeningStore) -> dict[str, Notification]:
    with store.engine.connect() as connection:
        return {row.channel: row for row in connection.execute(select(Notification))}


def audit(store: ScreeningStore, action: str) -> list[AuditEvent]:
    with store.engine.connect() as connection:
        return list(connection.execute(select(AuditEvent).where(AuditEvent.action == action)))


def assert_nothing_private(text: str) -> None:
    for secret in PRIVATE:
        assert secret not in text, secret


async def run_once(store: ScreeningStore, settings: NotifySettings):
    async with ClientSession() as http:
        return await OutboxWorker(store, settings, http, {}).run_once()


def test_the_settings_turn_channels_on_from_the_environment():
    settings = NotifySettings.from_env(
        {
            "TRIALBOT_SMTP_HOST": "mail.example.org",
            "TRIALBOT_NOTIFY_EMAIL_TO": "a@example.org, b@example.org",
            "TRIALBOT_NOTIFY_WEBHOOK_URL": "https://hooks.example.org/x",
            "TRIALBOT_SMTP_STARTTLS": "0",
            "TRIALBOT_WEB_BASE_URL": "https://triage.example.org/",
        }
    )
    assert settings.channels == ("email", "webhook")
    assert settings.email_to == ("a@example.org", "b@example.org")
    assert settings.smtp_starttls is False and settings.smtp_port == 587
    assert settings.handoff_url(7) == "https://triage.example.org/handoffs/7"
    assert NotifySettings.from_env({}).channels == ()
    assert [settings.retry_delay(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert settings.retry_delay(50) == 3600


async def test_an_email_reaches_the_smtp_server_with_a_link_and_nothing_private(
    store: ScreeningStore, smtp_server: SmtpServer
):
    handoff = handed_off(store, "zelda", ["email"])
    report = await run_once(store, notify_settings(smtp_server))
    assert (report.sent, report.failed, report.retrying) == (1, 0, 0)
    [(sender, recipients, message)] = smtp_server.mailbox.messages
    assert sender == "trialbot@example.org"
    assert recipients == ["study-team@example.org"]
    body = message.get_payload(decode=True).decode()
    assert f"{BASE_URL}/handoffs/{handoff}" in body
    assert f"#{handoff}" in message["Subject"] and "high priority" in message["Subject"]
    assert "spinus2" in message["Subject"]
    assert_nothing_private(message.as_string())
    row = notifications(store)["email"]
    assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert row.sent_at is not None
    assert [e.object_id for e in audit(store, "notification.sent")] == [str(handoff)]
    # Sent is sent: another round sends nothing.
    assert (await run_once(store, notify_settings(smtp_server))).sent == 0
    assert len(smtp_server.mailbox.messages) == 1


async def test_a_webhook_is_signed_over_timestamp_and_body(
    store: ScreeningStore, webhook: Receiver
):
    handoff = handed_off(store, "zelda", ["webhook"], Outcome.POSSIBLY_ELIGIBLE)
    before = int(time.time())
    report = await run_once(store, notify_settings(webhook=webhook))
    assert report.sent == 1
    [request] = webhook.requests
    assert request["verified"]
    assert request["signature"].startswith("sha256=") and len(request["signature"]) == 71
    assert before - 1 <= int(request["timestamp"]) <= time.time() + 1
    payload = json.loads(request["body"])
    assert payload == {
        "event": "handoff.created",
        "handoff_id": handoff,
        "trial": "spinus2",
        "trial_title": "spinus2",
        "priority": "review",
        "url": f"{BASE_URL}/handoffs/{handoff}",
        "created_at": payload["created_at"],
    }
    assert_nothing_private(request["body"].decode())
    assert_nothing_private(json.dumps(request["headers"]))
    # The signature covers the timestamp: replaying the body with another time fails.
    from trialbot.notify.messages import verify

    assert not verify(
        SECRET, str(int(request["timestamp"]) + 60), request["body"], request["signature"]
    )
    assert notifications(store)["webhook"].status == "sent"


async def test_a_failing_receiver_is_retried_with_backoff_and_gets_it_exactly_once(
    store: ScreeningStore, webhook: Receiver
):
    webhook.fail_first = 2
    settings = notify_settings(webhook=webhook, backoff_seconds=0.3)
    handoff = handed_off(store, "zelda", ["webhook"])

    first = await run_once(store, settings)
    assert (first.sent, first.retrying) == (0, 1)
    row = notifications(store)["webhook"]
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error == "webhook answered HTTP 500"
    assert row.next_attempt_at > utcnow()
    # Not due yet: nothing is sent before the backoff has passed.
    assert (await run_once(store, settings)).retrying == 0
    assert len(webhook.requests) == 1

    await asyncio.sleep(0.35)
    assert (await run_once(store, settings)).retrying == 1  # second failure: 0.6 s now
    row = notifications(store)["webhook"]
    assert row.attempts == 2
    delay = row.next_attempt_at - utcnow()
    assert timedelta(seconds=0.4) < delay <= timedelta(seconds=0.6)

    await asyncio.sleep(0.65)
    assert (await run_once(store, settings)).sent == 1
    for _ in range(3):
        await asyncio.sleep(0.05)
        await run_once(store, settings)
    assert len(webhook.accepted) == 1
    assert len(webhook.requests) == 3
    assert json.loads(webhook.accepted[0]["body"])["handoff_id"] == handoff
    row = notifications(store)["webhook"]
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)


async def test_two_workers_at_once_send_each_notification_once(
    store: ScreeningStore, webhook: Receiver, smtp_server: SmtpServer
):
    webhook.delay = 0.2  # both workers are busy at the same time
    handoffs = [handed_off(store, f"sender-{n}", ["email", "webhook"]) for n in range(3)]
    settings = notify_settings(smtp_server, webhook)
    reports = await asyncio.gather(*(run_once(store, settings) for _ in range(3)))
    assert sum(r.sent for r in reports) == 6
    delivered = sorted(json.loads(r["body"])["handoff_id"] for r in webhook.accepted)
    assert delivered == sorted(handoffs)
    assert len(smtp_server.mailbox.messages) == 3
    assert len(webhook.requests) == 3


async def test_a_claim_is_settled_only_by_its_holder(store: ScreeningStore):
    handed_off(store, "zelda", ["webhook"])
    [claim] = outbox.claim_due(store.engine)
    assert outbox.claim_due(store.engine) == []  # claimed: not due for anyone else
    stale = replace(claim, lease=claim.lease - timedelta(seconds=1))
    assert not outbox.mark_sent(store.engine, stale)
    assert outbox.mark_sent(store.engine, claim)
    assert not outbox.mark_sent(store.engine, claim)  # and only once
    assert notifications(store)["webhook"].attempts == 1


async def test_after_the_last_attempt_a_notification_fails_visibly(
    store: ScreeningStore, webhook: Receiver
):
    webhook.fail_first = 100
    settings = notify_settings(webhook=webhook, backoff_seconds=0.05, max_attempts=2)
    handoff = handed_off(store, "zelda", ["webhook"])
    assert (await run_once(store, settings)).retrying == 1
    await asyncio.sleep(0.1)
    assert (await run_once(store, settings)).failed == 1
    row = notifications(store)["webhook"]
    assert (row.status, row.attempts, row.last_error) == ("failed", 2, "webhook answered HTTP 500")
    [event] = audit(store, "notification.failed")
    assert event.object_id == str(handoff)
    await asyncio.sleep(0.1)
    assert (await run_once(store, settings)).failed == 0  # given up: not tried again
    assert len(webhook.requests) == 2


async def test_an_unreachable_smtp_server_or_missing_configuration_is_recorded(
    store: ScreeningStore,
):
    handed_off(store, "zelda", ["email", "webhook"])
    closed = NotifySettings(
        smtp_host="127.0.0.1",
        smtp_port=1,  # nothing listens there
        smtp_starttls=False,
        email_to=("team@example.org",),
        poll_seconds=0,
        timeout_seconds=2,
    )
    report = await run_once(store, closed)
    assert report.retrying == 2
    rows = notifications(store)
    assert rows["email"].last_error.startswith("SMTP 127.0.0.1:1:")
    assert rows["webhook"].last_error == (
        "the webhook is not configured: set TRIALBOT_NOTIFY_WEBHOOK_URL"
    )


async def test_webhooks_are_never_sent_unsigned(store: ScreeningStore, webhook: Receiver):
    handed_off(store, "zelda", ["webhook"])
    unsigned = replace(notify_settings(webhook=webhook), webhook_secret=None)
    assert (await run_once(store, unsigned)).retrying == 1
    assert webhook.requests == []
    assert "TRIALBOT_NOTIFY_WEBHOOK_SECRET" in notifications(store)["webhook"].last_error


@pytest.mark.parametrize("channels", [["email"], []])
async def test_run_once_from_the_cli(
    store, smtp_server, monkeypatch, capsys, database_url, channels
):
    from trialbot.cli import main

    handed_off(store, "zelda", channels)
    monkeypatch.setenv("TRIALBOT_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("TRIALBOT_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("TRIALBOT_SMTP_STARTTLS", "0")
    monkeypatch.setenv("TRIALBOT_NOTIFY_EMAIL_TO", "team@example.org")
    code = await asyncio.to_thread(main, ["notify", "run-once", "--database-url", database_url])
    assert code == 0
    assert f"Notifications: {len(channels)} sent, 0 to retry, 0 failed" in capsys.readouterr().out
    assert len(smtp_server.mailbox.messages) == len(channels)

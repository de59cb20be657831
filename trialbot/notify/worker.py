"""The outbox worker: claims due notifications, sends them, records the result.

Runs inside the web app (a background task that ``trialbot.web.app`` starts and stops,
polling every ``TRIALBOT_NOTIFY_POLL_SECONDS``) and once from the CLI (``trialbot notify
run-once``). It knows nothing of the web app: whoever runs it hands it its store,
settings and HTTP session.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

import aiosmtplib
from aiohttp import ClientError, ClientSession

from trialbot.blocking import in_thread
from trialbot.criteria import Trial
from trialbot.notify import messages, outbox
from trialbot.notify.config import NotifySettings
from trialbot.store import ScreeningStore
from trialbot.store.models import utcnow

log = logging.getLogger(__name__)


class DeliveryError(Exception):
    """A delivery that did not go through; the message is stored as ``last_error``."""


@dataclass
class RunReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"{self.sent} sent, {self.retrying} to retry, {self.failed} failed"


class OutboxWorker:
    def __init__(
        self,
        store: ScreeningStore,
        settings: NotifySettings,
        http: ClientSession,
        trials: Mapping[str, Trial] | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.http = http
        self.trials = dict(trials or {})

    def notice(self, claim: outbox.Claim) -> messages.HandoffNotice:
        trial = self.trials.get(claim.trial_id)
        title = f"{trial.short_title} ({trial.nct_id})" if trial else claim.trial_id
        return messages.HandoffNotice(
            notification_id=claim.notification_id,
            handoff_id=claim.handoff_id,
            trial_id=claim.trial_id,
            trial_title=title,
            priority=claim.priority,
            url=self.settings.handoff_url(claim.handoff_id),
            created_at=claim.handoff_created_at.isoformat(),
        )

    async def send_email(self, notice: messages.HandoffNotice) -> None:
        settings = self.settings
        if not settings.email_enabled or settings.smtp_host is None:
            raise DeliveryError(
                "e-mail is not configured: set TRIALBOT_SMTP_HOST and TRIALBOT_NOTIFY_EMAIL_TO"
            )
        message = messages.email_message(notice, settings.email_from, settings.email_to)
        try:
            await aiosmtplib.send(
                message,
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_user,
                password=settings.smtp_password,
                start_tls=settings.smtp_starttls,
                timeout=settings.timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as error:
            raise DeliveryError(
                f"SMTP {settings.smtp_host}:{settings.smtp_port}: {error}"
            ) from error

    async def send_webhook(self, notice: messages.HandoffNotice) -> None:
        settings = self.settings
        if not settings.webhook_url:
            raise DeliveryError("the webhook is not configured: set TRIALBOT_NOTIFY_WEBHOOK_URL")
        if not settings.webhook_secret:
            raise DeliveryError(
                "TRIALBOT_NOTIFY_WEBHOOK_SECRET is not set: refusing to send unsigned webhooks"
            )
        body = messages.webhook_body(notice)
        timestamp = str(int(time.time()))
        headers = {
            "Content-Type": "application/json",
            messages.TIMESTAMP_HEADER: timestamp,
            messages.SIGNATURE_HEADER: messages.signature(settings.webhook_secret, timestamp, body),
            messages.DELIVERY_HEADER: str(notice.notification_id),
        }
        try:
            async with self.http.post(settings.webhook_url, data=body, headers=headers) as response:
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"webhook answered HTTP {response.status}")
        except (ClientError, asyncio.TimeoutError) as error:
            raise DeliveryError(f"webhook: {type(error).__name__}: {error}") from error

    async def deliver(self, claim: outbox.Claim) -> str:
        """Sends one claimed notification; returns ``sent``, ``retrying`` or ``failed``."""
        engine = self.store.engine
        notice = self.notice(claim)
        try:
            if claim.channel == "email":
                await self.send_email(notice)
            elif claim.channel == "webhook":
                await self.send_webhook(notice)
            else:
                raise DeliveryError(f"unknown channel {claim.channel!r}")
        except DeliveryError as error:
            attempts = claim.attempts + 1
            if attempts >= self.settings.max_attempts:
                retry_at = None
            else:
                delay = self.settings.retry_delay(attempts)
                retry_at = utcnow() + timedelta(seconds=delay)
            await in_thread(outbox.mark_failed, engine, claim, str(error), retry_at)
            log.warning(
                "notification %s (handoff %s, %s) attempt %s failed: %s",
                claim.notification_id,
                claim.handoff_id,
                claim.channel,
                attempts,
                error,
            )
            return "retrying" if retry_at else "failed"
        if not await in_thread(outbox.mark_sent, engine, claim):
            log.error("notification %s was sent after its claim ran out", claim.notification_id)
        return "sent"

    async def run_once(self) -> RunReport:
        report = RunReport()
        claims = await in_thread(outbox.claim_due, self.store.engine)
        for claim in claims:
            result = await self.deliver(claim)
            setattr(report, result, getattr(report, result) + 1)
        return report

    async def run_forever(self) -> None:
        while True:
            try:
                report = await self.run_once()
                if report.sent or report.retrying or report.failed:
                    log.info("notifications: %s", report)
            except asyncio.CancelledError:
                raise
            except Exception:  # keep polling: the next round may succeed
                log.exception("the notification worker failed; retrying")
            await asyncio.sleep(self.settings.poll_seconds)

"""Notification settings from the environment, each with a documented default.

E-mail (channel ``email``; on when ``TRIALBOT_SMTP_HOST`` and ``TRIALBOT_NOTIFY_EMAIL_TO``
are set):

``TRIALBOT_SMTP_HOST`` (no default), ``TRIALBOT_SMTP_PORT`` (587),
``TRIALBOT_SMTP_USER`` / ``TRIALBOT_SMTP_PASSWORD`` (none: no login),
``TRIALBOT_SMTP_STARTTLS`` (1: upgrade the connection with STARTTLS; 0: plain),
``TRIALBOT_NOTIFY_EMAIL_TO`` (comma-separated recipients),
``TRIALBOT_NOTIFY_EMAIL_FROM`` (``trialbot@localhost``).

Webhook (channel ``webhook``; on when ``TRIALBOT_NOTIFY_WEBHOOK_URL`` is set):

``TRIALBOT_NOTIFY_WEBHOOK_URL``, ``TRIALBOT_NOTIFY_WEBHOOK_SECRET`` (the HMAC-SHA256 key;
required with a webhook URL).

Delivery:

``TRIALBOT_WEB_BASE_URL`` (``http://127.0.0.1:8080``): links point to
``<base>/handoffs/<id>``. ``TRIALBOT_NOTIFY_POLL_SECONDS`` (5): how often the worker in the
web app looks at the outbox; 0 turns the worker off. ``TRIALBOT_NOTIFY_MAX_ATTEMPTS`` (8):
attempts before a notification is marked failed. ``TRIALBOT_NOTIFY_BACKOFF_SECONDS`` (30):
the first retry's delay, doubled after each failure, at most one hour.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_BASE_URL = "http://127.0.0.1:8080"
MAX_BACKOFF_SECONDS = 3600.0


def flag(value: str | None, default: bool) -> bool:
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() not in ("0", "false", "no", "off")


@dataclass(frozen=True)
class NotifySettings:
    base_url: str = DEFAULT_BASE_URL
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    email_to: tuple[str, ...] = ()
    email_from: str = "trialbot@localhost"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    poll_seconds: float = 5.0
    max_attempts: int = 8
    backoff_seconds: float = 30.0
    timeout_seconds: float = 30.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> NotifySettings:
        env = os.environ if environ is None else environ
        recipients = tuple(
            a.strip() for a in env.get("TRIALBOT_NOTIFY_EMAIL_TO", "").split(",") if a.strip()
        )
        return cls(
            base_url=(env.get("TRIALBOT_WEB_BASE_URL") or DEFAULT_BASE_URL).rstrip("/"),
            smtp_host=env.get("TRIALBOT_SMTP_HOST") or None,
            smtp_port=int(env.get("TRIALBOT_SMTP_PORT") or 587),
            smtp_user=env.get("TRIALBOT_SMTP_USER") or None,
            smtp_password=env.get("TRIALBOT_SMTP_PASSWORD") or None,
            smtp_starttls=flag(env.get("TRIALBOT_SMTP_STARTTLS"), True),
            email_to=recipients,
            email_from=env.get("TRIALBOT_NOTIFY_EMAIL_FROM") or "trialbot@localhost",
            webhook_url=env.get("TRIALBOT_NOTIFY_WEBHOOK_URL") or None,
            webhook_secret=env.get("TRIALBOT_NOTIFY_WEBHOOK_SECRET") or None,
            poll_seconds=float(env.get("TRIALBOT_NOTIFY_POLL_SECONDS") or 5),
            max_attempts=int(env.get("TRIALBOT_NOTIFY_MAX_ATTEMPTS") or 8),
            backoff_seconds=float(env.get("TRIALBOT_NOTIFY_BACKOFF_SECONDS") or 30),
        )

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.email_to)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)

    @property
    def channels(self) -> tuple[str, ...]:
        """The channels to pass to ``ScreeningStore.complete(notify_channels=...)``."""
        channels = []
        if self.email_enabled:
            channels.append("email")
        if self.webhook_enabled:
            channels.append("webhook")
        return tuple(channels)

    def retry_delay(self, attempts: int) -> float:
        """Seconds before the next try after ``attempts`` failed attempts (1, 2, ...)."""
        return min(self.backoff_seconds * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)

    def handoff_url(self, handoff_id: int) -> str:
        return f"{self.base_url}/handoffs/{handoff_id}"

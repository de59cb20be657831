"""The triage web app's settings from the environment, each with a documented default.

``TRIALBOT_DATABASE_URL``
    The screening store (see ``trialbot.config``).
``TRIALBOT_WEB_HOST`` / ``TRIALBOT_WEB_PORT``
    Where ``python -m trialbot.web`` listens. Default ``127.0.0.1`` and ``8080``.
``TRIALBOT_WEB_SECURE_COOKIES``
    1 (default): the session cookie is ``Secure`` (sent over HTTPS only). Set 0 for
    local plain-HTTP use.
``TRIALBOT_WEB_IDLE_MINUTES``
    Sign staff out after this many minutes without a request. Default 30.
``TRIALBOT_WEB_BASE_URL``
    The app's public address, for links in notifications. Default ``http://127.0.0.1:8080``.
``TRIALBOT_TRACKER_URL``
    SQLAlchemy URL of Rasa's SQL tracker store, for transcripts. Default
    ``sqlite:///<cwd>/var/tracker.db``.
``TRIALBOT_CRITERIA_DIR``
    The criteria files (see ``trialbot.criteria``). Default ``criteria/`` of the repository.
``TRIALBOT_WEB_LOGIN_MAX_FAILURES`` / ``TRIALBOT_WEB_LOGIN_WINDOW_MINUTES``
    Failed logins allowed per account and per address within the window before further
    attempts get 429. Default 5 in 15 minutes.

Notification settings (``TRIALBOT_SMTP_*``, ``TRIALBOT_NOTIFY_*``) are in
``trialbot.notify.config``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from trialbot.config import Settings, default_tracker_url
from trialbot.notify.config import NotifySettings, flag

MAX_BODY_BYTES = 64 * 1024


@dataclass(frozen=True)
class WebSettings:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    secure_cookies: bool = True
    idle_minutes: float = 30.0
    tracker_url: str = field(default_factory=default_tracker_url)
    criteria_dir: Path | None = None
    login_max_failures: int = 5
    login_window_minutes: float = 15.0
    max_body_bytes: int = MAX_BODY_BYTES
    notify: NotifySettings = field(default_factory=NotifySettings)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ
        criteria_dir = env.get("TRIALBOT_CRITERIA_DIR")
        return cls(
            database_url=Settings.from_env(env).database_url,
            host=env.get("TRIALBOT_WEB_HOST") or "127.0.0.1",
            port=int(env.get("TRIALBOT_WEB_PORT") or 8080),
            secure_cookies=flag(env.get("TRIALBOT_WEB_SECURE_COOKIES"), True),
            idle_minutes=float(env.get("TRIALBOT_WEB_IDLE_MINUTES") or 30),
            tracker_url=env.get("TRIALBOT_TRACKER_URL") or default_tracker_url(),
            criteria_dir=Path(criteria_dir) if criteria_dir else None,
            login_max_failures=int(env.get("TRIALBOT_WEB_LOGIN_MAX_FAILURES") or 5),
            login_window_minutes=float(env.get("TRIALBOT_WEB_LOGIN_WINDOW_MINUTES") or 15),
            notify=NotifySettings.from_env(env),
        )

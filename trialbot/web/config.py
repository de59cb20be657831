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
``TRIALBOT_WEB_SESSION_HOURS``
    Sign staff out this many hours after they signed in, however active. Default 12.
``TRIALBOT_WEB_HSTS``
    ``auto`` (default): send ``Strict-Transport-Security`` on responses that came over
    TLS (or, with ``TRIALBOT_WEB_TRUST_PROXY=1``, that the proxy says came over HTTPS);
    ``always``: on every response (a TLS proxy that says nothing); ``off``: never.
``TRIALBOT_WEB_HSTS_MAX_AGE``
    Its ``max-age`` in seconds. Default 31536000 (a year).
``TRIALBOT_WEB_TRUST_PROXY``
    1: the app is behind a reverse proxy that sets ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` (the last value of each is the proxy's): they give the client
    address for sign-in limits and whether the request came over HTTPS. Default 0.
``TRIALBOT_WEB_BASE_URL``
    The app's public address, for links in notifications. Default ``http://127.0.0.1:8080``.
``TRIALBOT_TRACKER_URL``
    SQLAlchemy URL of Rasa's SQL tracker store, for transcripts. Default
    ``sqlite:///<cwd>/var/tracker.db``.
``TRIALBOT_CRITERIA_DIR``
    The criteria files (see ``trialbot.criteria``). Default ``criteria/`` of the repository.
``TRIALBOT_WEB_LOGIN_MAX_FAILURES`` / ``TRIALBOT_WEB_LOGIN_ADDRESS_MAX_FAILURES``
    Failed sign-ins of one account from one address (default 3), and from one address
    whatever the account (default 10), before each further attempt from there must wait:
    2, 4, 8 ... seconds (429 with ``Retry-After``). Never a lock of the account itself:
    failures from one address do not delay a sign-in from another.
``TRIALBOT_WEB_LOGIN_MAX_DELAY_SECONDS``
    The longest such wait. Default 900.
``TRIALBOT_WEB_LOGIN_WINDOW_MINUTES``
    Failures are forgotten after this many minutes without another. Default 60.
``TRIALBOT_TIME_ZONE``
    The site's time zone: times on the pages, "today" for follow-ups, business days and
    the funnel's date range. Default ``Europe/Prague``.
``TRIALBOT_WEB_CONTACT_ROLES``
    Comma-separated roles that see candidates' contact details (the handoff page, the
    worklist's phone column and the CSV call list). Default ``triage,admin``.

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
from trialbot.roles import ROLES
from trialbot.worklist import DEFAULT_TIME_ZONE, site_zone

MAX_BODY_BYTES = 64 * 1024
HSTS_MODES = ("auto", "always", "off")


@dataclass(frozen=True)
class WebSettings:
    database_url: str
    host: str = "127.0.0.1"
    port: int = 8080
    secure_cookies: bool = True
    idle_minutes: float = 30.0
    session_hours: float = 12.0
    hsts: str = "auto"
    hsts_max_age: int = 31_536_000
    trust_proxy: bool = False
    tracker_url: str = field(default_factory=default_tracker_url)
    criteria_dir: Path | None = None
    login_max_failures: int = 3
    login_address_max_failures: int = 10
    login_max_delay_seconds: float = 900.0
    login_window_minutes: float = 60.0
    max_body_bytes: int = MAX_BODY_BYTES
    notify: NotifySettings = field(default_factory=NotifySettings)
    time_zone: str = DEFAULT_TIME_ZONE
    contact_roles: frozenset[str] = frozenset(ROLES)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if environ is None else environ
        criteria_dir = env.get("TRIALBOT_CRITERIA_DIR")
        hsts = (env.get("TRIALBOT_WEB_HSTS") or "auto").strip().lower()
        if hsts not in HSTS_MODES:
            raise ValueError(f"TRIALBOT_WEB_HSTS must be one of {', '.join(HSTS_MODES)}")
        return cls(
            database_url=Settings.from_env(env).database_url,
            host=env.get("TRIALBOT_WEB_HOST") or "127.0.0.1",
            port=int(env.get("TRIALBOT_WEB_PORT") or 8080),
            secure_cookies=flag(env.get("TRIALBOT_WEB_SECURE_COOKIES"), True),
            idle_minutes=float(env.get("TRIALBOT_WEB_IDLE_MINUTES") or 30),
            session_hours=float(env.get("TRIALBOT_WEB_SESSION_HOURS") or 12),
            hsts=hsts,
            hsts_max_age=int(env.get("TRIALBOT_WEB_HSTS_MAX_AGE") or 31_536_000),
            trust_proxy=flag(env.get("TRIALBOT_WEB_TRUST_PROXY"), False),
            tracker_url=env.get("TRIALBOT_TRACKER_URL") or default_tracker_url(),
            criteria_dir=Path(criteria_dir) if criteria_dir else None,
            login_max_failures=int(env.get("TRIALBOT_WEB_LOGIN_MAX_FAILURES") or 3),
            login_address_max_failures=int(
                env.get("TRIALBOT_WEB_LOGIN_ADDRESS_MAX_FAILURES") or 10
            ),
            login_max_delay_seconds=float(env.get("TRIALBOT_WEB_LOGIN_MAX_DELAY_SECONDS") or 900),
            login_window_minutes=float(env.get("TRIALBOT_WEB_LOGIN_WINDOW_MINUTES") or 60),
            notify=NotifySettings.from_env(env),
            time_zone=site_zone(environ=env).key,
            contact_roles=_roles(env.get("TRIALBOT_WEB_CONTACT_ROLES")),
        )


def _roles(value: str | None) -> frozenset[str]:
    if not (value or "").strip():
        return frozenset(ROLES)
    roles = frozenset(r.strip() for r in (value or "").split(",") if r.strip())
    unknown = sorted(roles - set(ROLES))
    if unknown:
        raise ValueError(
            f"TRIALBOT_WEB_CONTACT_ROLES: unknown role(s) {', '.join(unknown)}; "
            f"use {', '.join(ROLES)}"
        )
    return roles

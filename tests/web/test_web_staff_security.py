"""Staff accounts hold: sign-in delays per account and address (never a lock-out from
elsewhere), an absolute session lifetime, disabled accounts and reset passwords, and
notes with control characters refused with a 422. On SQLite and on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import io
import threading
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select
from web_helpers import ADMIN, PASSWORD, TRIAGE, csrf_token, login, make_handoff, page_token

from trialbot.accounts import LoginThrottle, WebSession, create_token, token_for
from trialbot.cli import main
from trialbot.store import ScreeningStore
from trialbot.store.models import AuditEvent, utcnow
from trialbot.web import sessions
from trialbot.web.app import create_app
from trialbot.web.auth import SESSION_COOKIE
from trialbot.web.config import WebSettings
from trialbot.web.sessions import Charge, LoginPolicy, begin_login_attempt

WRONG = "not the password!"
ATTACKER = "203.0.113.66"
OFFICE = "198.51.100.7"


@pytest.fixture
def web_database_url(database_url: str) -> str:
    """These tests run on SQLite and on PostgreSQL."""
    return database_url


class Clock:
    """The sessions module's clock, moved by hand (no test sleeps)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(sessions, "utcnow", clock)
    return clock


@pytest.fixture
async def proxied(aiohttp_client, settings: WebSettings, staff: None) -> TestClient:
    """The app behind a trusted proxy: ``X-Forwarded-For`` gives the client's address."""
    return await aiohttp_client(
        create_app(replace(settings, trust_proxy=True), notify_worker=False)
    )


async def attempt(
    client: TestClient, email: str, password: str = PASSWORD, address: str | None = None
):
    """One sign-in from ``address`` (through the proxy's header)."""
    form = await client.get("/login")
    token = csrf_token(await form.text())
    headers = {"X-Forwarded-For": f"192.0.2.1, {address}"} if address else {}
    return await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": "/handoffs"},
        headers=headers,
        allow_redirects=False,
    )


def audit_rows(store: ScreeningStore, action: str) -> list[AuditEvent]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


def session_count(store: ScreeningStore) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(WebSession)).scalar_one()


def cli(monkeypatch: pytest.MonkeyPatch, url: str, *argv: str, stdin: str = "") -> int:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    return main([*argv, "--database-url", url])


# -- sign-in delays ------------------------------------------------------------------------


async def test_three_failures_then_growing_delays_for_that_account_from_that_address(
    proxied: TestClient, clock: Clock
):
    for _ in range(3):
        assert (await attempt(proxied, TRIAGE, WRONG, OFFICE)).status == 401
    for delay in (2, 4, 8, 16):
        refused = await attempt(proxied, TRIAGE, PASSWORD, OFFICE)  # even the right one
        assert refused.status == 429
        assert refused.headers["Retry-After"] == str(delay)
        assert f"wait {delay} seconds" in await refused.text()
        assert SESSION_COOKIE not in refused.cookies
        clock.advance(seconds=delay - 1)
        assert (await attempt(proxied, TRIAGE, PASSWORD, OFFICE)).status == 429
        clock.advance(seconds=1)
        assert (await attempt(proxied, TRIAGE, WRONG, OFFICE)).status == 401
    clock.advance(seconds=32)
    signed_in = await attempt(proxied, TRIAGE, PASSWORD, OFFICE)
    assert signed_in.status == 303
    # Signing in clears the account's failures from there: three free mistakes again.
    for _ in range(3):
        assert (await attempt(proxied, TRIAGE, WRONG, OFFICE)).status == 401
    assert (await attempt(proxied, TRIAGE, WRONG, OFFICE)).headers["Retry-After"] == "2"


async def test_the_delay_is_capped(proxied: TestClient, clock: Clock):
    waits = []
    for _ in range(16):
        response = await attempt(proxied, ADMIN, WRONG, ATTACKER)
        if response.status == 429:
            waits.append(int(response.headers["Retry-After"]))
            clock.advance(seconds=waits[-1])
            assert (await attempt(proxied, ADMIN, WRONG, ATTACKER)).status == 401
    assert waits[:9] == [2, 4, 8, 16, 32, 64, 128, 256, 512]
    assert waits[9:] == [900] * len(waits[9:]) and len(waits) > 10
    assert "15 minutes" in await (await attempt(proxied, ADMIN, WRONG, ATTACKER)).text()


async def test_failures_from_elsewhere_never_keep_the_real_user_out(
    proxied: TestClient, clock: Clock, store: ScreeningStore
):
    # An attacker hammers the admin's account (the old limit locked it for everyone).
    for _ in range(12):
        response = await attempt(proxied, ADMIN, WRONG, ATTACKER)
        if response.status == 429:
            clock.advance(seconds=int(response.headers["Retry-After"]))
    await attempt(proxied, ADMIN, WRONG, ATTACKER)  # the last wait has passed: one more
    assert (await attempt(proxied, ADMIN, PASSWORD, ATTACKER)).status == 429
    # The admin, from the office, with a typo first, gets in at once.
    assert (await attempt(proxied, ADMIN, "typo" + PASSWORD, OFFICE)).status == 401
    assert (await attempt(proxied, ADMIN, PASSWORD, OFFICE)).status == 303
    assert (await proxied.get("/handoffs")).status == 200
    assert [row.details["address"] for row in audit_rows(store, "staff.signed_in")] == [OFFICE]
    # And the attacker is still held back.
    assert (await attempt(proxied, ADMIN, PASSWORD, ATTACKER)).status == 429


async def test_an_address_guessing_across_accounts_is_slowed_too(proxied: TestClient, clock: Clock):
    for number in range(10):
        guess = await attempt(proxied, f"guess{number}@example.org", WRONG, ATTACKER)
        assert guess.status == 401  # one failure per account: the pair limit never trips
    refused = await attempt(proxied, TRIAGE, PASSWORD, ATTACKER)
    assert refused.status == 429 and refused.headers["Retry-After"] == "2"
    assert (await attempt(proxied, TRIAGE, PASSWORD, OFFICE)).status == 303
    # Signing in to one's own account does not buy more guesses at others.
    clock.advance(seconds=2)
    assert (await attempt(proxied, TRIAGE, PASSWORD, ATTACKER)).status == 303
    assert (await attempt(proxied, ADMIN, WRONG, ATTACKER)).status == 401
    assert (await attempt(proxied, ADMIN, WRONG, ATTACKER)).status == 429


async def test_failures_are_forgotten_after_an_hour_without_one(proxied: TestClient, clock: Clock):
    for _ in range(5):
        await attempt(proxied, TRIAGE, WRONG, OFFICE)
        clock.advance(seconds=30)
    clock.advance(minutes=61)
    for _ in range(3):
        assert (await attempt(proxied, TRIAGE, WRONG, OFFICE)).status == 401
    assert (await attempt(proxied, TRIAGE, WRONG, OFFICE)).headers["Retry-After"] == "2"


async def test_counters_untouched_for_a_day_are_deleted(
    proxied: TestClient, clock: Clock, store: ScreeningStore
):
    for _ in range(2):
        await attempt(proxied, TRIAGE, WRONG, ATTACKER)
    with store.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(LoginThrottle)).scalar() == 2
    clock.advance(hours=25)
    assert (await attempt(proxied, ADMIN, WRONG, OFFICE)).status == 401
    with store.engine.connect() as connection:
        scopes = connection.execute(select(LoginThrottle.scope, LoginThrottle.failures)).all()
    assert sorted(scopes) == [("account_address", 1), ("address", 1)]  # only the office's


async def test_a_forwarded_address_counts_only_behind_a_trusted_proxy(client: TestClient):
    # Without TRIALBOT_WEB_TRUST_PROXY a made-up X-Forwarded-For changes nothing.
    for number in range(3):
        assert (await attempt(client, TRIAGE, WRONG, f"192.0.2.{number + 10}")).status == 401
    assert (await attempt(client, TRIAGE, PASSWORD, "192.0.2.99")).status == 429


async def test_parallel_guesses_cannot_slip_past_the_limit(client: TestClient, clock: Clock):
    form = await client.get("/login")
    token = csrf_token(await form.text())

    async def guess():
        response = await client.post(
            "/login",
            data={"email": TRIAGE, "password": WRONG, "csrf_token": token},
            allow_redirects=False,
        )
        return response.status

    statuses = await asyncio.gather(*(guess() for _ in range(12)))
    assert sorted(statuses) == [401] * 3 + [429] * 9


def test_app_processes_count_together(store: ScreeningStore, web_database_url: str):
    """Two engines (two app processes), sixteen threads: exactly three guesses pass."""
    other = ScreeningStore.from_url(web_database_url)
    policy = LoginPolicy()
    allowed: list[bool] = []
    start = threading.Barrier(16)

    def guess(engine) -> None:
        start.wait()
        charge = begin_login_attempt(engine, TRIAGE, ATTACKER, policy)
        allowed.append(isinstance(charge, Charge))

    try:
        threads = [
            threading.Thread(target=guess, args=((store if n % 2 else other).engine,))
            for n in range(16)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        other.dispose()
    assert allowed.count(True) == 3 and len(allowed) == 16
    with store.engine.connect() as connection:
        rows = connection.execute(select(LoginThrottle)).all()
    # Keys are digests, never the e-mail or the address themselves.
    assert {row.failures for row in rows} == {3}
    assert all(TRIAGE not in row.key_hash and ATTACKER not in row.key_hash for row in rows)


async def test_a_control_character_in_the_e_mail_is_a_wrong_password_not_an_error(
    client: TestClient,
):
    response = await login(client, "admin\x00@example.org")
    assert response.status == 401
    assert "Wrong e-mail address or password" in await response.text()


# -- session lifetime ----------------------------------------------------------------------


async def test_a_session_ends_twelve_hours_after_signing_in_however_busy(
    admin: TestClient, clock: Clock, store: ScreeningStore
):
    for _ in range(28):  # a request every 25 minutes: never idle for 30
        clock.advance(minutes=25)
        assert (await admin.get("/handoffs", allow_redirects=False)).status == 200
    clock.advance(minutes=19)  # 11 h 59 min after signing in
    assert (await admin.get("/handoffs", allow_redirects=False)).status == 200
    clock.advance(minutes=2)
    ended = await admin.get("/handoffs", allow_redirects=False)
    assert ended.status == 303
    assert ended.headers["Location"] == "/login?next=/handoffs&ended=1"
    assert session_count(store) == 0
    notice = await (await admin.get(ended.headers["Location"])).text()
    assert "12 hours after signing in" in notice


async def test_the_session_lifetime_comes_from_the_environment(
    aiohttp_client, settings: WebSettings, staff: None, clock: Clock, web_database_url: str
):
    configured = WebSettings.from_env(
        {"TRIALBOT_DATABASE_URL": web_database_url, "TRIALBOT_WEB_SESSION_HOURS": "1"}
    )
    assert configured.session_hours == 1 and WebSettings.from_env({}).session_hours == 12
    client = await aiohttp_client(
        create_app(replace(settings, session_hours=configured.session_hours), notify_worker=False)
    )
    assert (await login(client, TRIAGE)).status == 303
    clock.advance(minutes=29)
    assert (await client.get("/handoffs", allow_redirects=False)).status == 200
    clock.advance(minutes=29)
    assert (await client.get("/handoffs", allow_redirects=False)).status == 200
    clock.advance(minutes=3)
    assert (await client.get("/handoffs", allow_redirects=False)).status == 303


# -- disabling, enabling, resetting passwords -----------------------------------------------


async def test_disabling_ends_sessions_at_once_and_refuses_sign_in_and_tokens(
    triage: TestClient, store: ScreeningStore, web_database_url: str, monkeypatch, capsys
):
    assert cli(monkeypatch, web_database_url, "token", "create", "crm", "--owner", TRIAGE) == 0
    owned = capsys.readouterr().out.strip()
    service = create_token(store.engine, "nightly-export")
    bearer = {"Authorization": f"Bearer {owned}"}
    assert (await triage.get("/api/handoffs", headers=bearer)).status == 200
    assert (await triage.get("/handoffs")).status == 200

    assert cli(monkeypatch, web_database_url, "staff", "disable", TRIAGE) == 0
    assert f"Disabled {TRIAGE} (1 session(s) ended)" in capsys.readouterr().out
    assert session_count(store) == 0
    page = await triage.get("/handoffs", allow_redirects=False)
    assert page.status == 303 and page.headers["Location"].startswith("/login")
    assert (await triage.get("/api/handoffs", headers=bearer)).status == 401
    assert token_for(store.engine, owned) is None
    assert token_for(store.engine, service) is not None  # a service token acts for nobody
    refused = await login(triage, TRIAGE)
    assert refused.status == 401
    assert session_count(store) == 0

    assert cli(monkeypatch, web_database_url, "staff", "list") == 0
    assert f"{TRIAGE}\ttriage (disabled)" in capsys.readouterr().out
    assert cli(monkeypatch, web_database_url, "token", "list") == 0
    assert f"crm\t{TRIAGE}" in capsys.readouterr().out

    assert cli(monkeypatch, web_database_url, "staff", "enable", TRIAGE) == 0
    assert f"Enabled {TRIAGE}" in capsys.readouterr().out
    assert (await login(triage, TRIAGE)).status == 303
    assert (await triage.get("/api/handoffs", headers=bearer)).status == 200

    disabled, enabled = audit_rows(store, "staff.disabled"), audit_rows(store, "staff.enabled")
    assert len(disabled) == 1 and len(enabled) == 1
    assert disabled[0].actor.startswith("cli:") and disabled[0].object_type == "staff"
    assert disabled[0].details == {"email": TRIAGE, "sessions_ended": 1}
    created = audit_rows(store, "token.created")
    assert created[0].details == {"name": "crm", "owner": TRIAGE}
    assert owned not in str(created[0].details)


async def test_reset_password_ends_sessions_and_prints_nothing_secret(
    triage: TestClient, store: ScreeningStore, web_database_url: str, monkeypatch, capsys
):
    new = "a brand new long passphrase"
    code = cli(
        monkeypatch,
        web_database_url,
        "staff",
        "reset-password",
        TRIAGE.upper(),
        "--password-stdin",
        stdin=new + "\n",
    )
    assert code == 0
    out, err = capsys.readouterr()
    assert f"Password of {TRIAGE} changed (1 session(s) ended)" in out
    assert new not in out + err
    assert (await triage.get("/handoffs", allow_redirects=False)).status == 303
    assert (await login(triage, TRIAGE)).status == 401
    assert (await login(triage, TRIAGE, new)).status == 303
    (reset,) = audit_rows(store, "staff.password_reset")
    assert reset.actor.startswith("cli:")
    assert reset.details == {"email": TRIAGE, "sessions_ended": 1}
    assert new not in str(reset.details)


def test_reset_password_asks_twice_and_refuses_weak_or_unknown(
    store: ScreeningStore, staff: None, web_database_url: str, monkeypatch, capsys
):
    answers = iter(["a prompted long secret", "a prompted long secret"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    assert cli(monkeypatch, web_database_url, "staff", "reset-password", ADMIN) == 0
    assert "a prompted long secret" not in "".join(capsys.readouterr())

    answers = iter(["one long password here", "another long password"])
    assert cli(monkeypatch, web_database_url, "staff", "reset-password", ADMIN) == 2
    assert "the passwords differ" in capsys.readouterr().err

    args = ("staff", "reset-password", ADMIN, "--password-stdin")
    assert cli(monkeypatch, web_database_url, *args, stdin="short\n") == 2
    assert "at least 12" in capsys.readouterr().err
    args = ("staff", "reset-password", "nobody@example.org", "--password-stdin")
    assert cli(monkeypatch, web_database_url, *args, stdin="long enough secret\n") == 2
    assert "no staff account for nobody@example.org" in capsys.readouterr().err
    assert cli(monkeypatch, web_database_url, "staff", "disable", "nobody@example.org") == 2
    assert len(audit_rows(store, "staff.password_reset")) == 1


# -- control characters in notes ------------------------------------------------------------


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b[31m", "\x7f", "\x85"])
async def test_a_note_with_a_control_character_is_a_422_page(
    admin: TestClient, store: ScreeningStore, bad: str
):
    handoff = make_handoff(store, "alice")
    token = await page_token(admin, f"/handoffs/{handoff}")
    for path, form in [
        (f"/handoffs/{handoff}/notes", {"note": f"called{bad}back"}),
        (f"/handoffs/{handoff}/status", {"status": "contacted", "note": f"rang{bad}"}),
    ]:
        response = await admin.post(path, data={**form, "csrf_token": token})
        assert response.status == 422, path
        assert "cannot contain control characters" in await response.text()
    detail = store.get_handoff(handoff)
    assert detail.summary.status.value == "new"
    assert len(detail.history) == 1  # only the handoff's creation


async def test_tabs_and_line_breaks_in_a_note_are_fine(admin: TestClient, store: ScreeningStore):
    handoff = make_handoff(store, "alice")
    token = await page_token(admin, f"/handoffs/{handoff}")
    note = "called twice\r\n\tno answer"
    response = await admin.post(
        f"/handoffs/{handoff}/notes",
        data={"note": note, "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 303
    assert store.get_handoff(handoff).history[-1].note == note


@pytest.mark.parametrize(
    "body",
    [
        '{"note": "called\\u0000back"}',
        '{"status": "contacted", "note": "rang \\u001b twice"}',
        '{"note": "half a pair \\ud800"}',
    ],
)
async def test_the_api_refuses_a_note_with_a_control_character(
    client: TestClient, store: ScreeningStore, body: str
):
    handoff = make_handoff(store, "alice")
    token = create_token(store.engine, "crm")
    response = await client.patch(
        f"/api/handoffs/{handoff}",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert response.status == 422
    payload = await response.json()
    assert payload["error"] == "note_control_characters"
    assert "control characters" in payload["message"]
    assert store.get_handoff(handoff).summary.status.value == "new"
    fine = await client.patch(
        f"/api/handoffs/{handoff}",
        json={"status": "contacted", "note": "line one\nline\ttwo"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert fine.status == 200
    assert (await fine.json())["history"][-1]["note"] == "line one\nline\ttwo"

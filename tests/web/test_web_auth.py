"""Signing in and out: every route needs it, sessions rotate, expire and resist tampering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import func, select, update
from web_helpers import ADMIN, PASSWORD, TRIAGE, csrf_token, login, make_handoff, page_token

from trialbot.accounts import WebSession
from trialbot.store import ScreeningStore
from trialbot.store.models import utcnow
from trialbot.web.auth import SESSION_COOKIE, is_public

SAMPLE_PARAMETERS = {"handoff_id": "1", "sender_id": "alice"}


def protected_routes(app: web.Application) -> list[tuple[str, str]]:
    """(method, path) of every route except the login page and static files."""
    routes = []
    for route in app.router.routes():
        resource = route.resource
        assert resource is not None
        if isinstance(resource, web.StaticResource):
            continue
        if getattr(route.handler, "trialbot_public", False):
            continue
        path = resource.canonical
        for name, value in SAMPLE_PARAMETERS.items():
            path = path.replace("{" + name + "}", value)
        assert "{" not in path, f"add a sample value for {path}"
        routes.append((route.method, path))
    return routes


def session_cookie(client: TestClient) -> str | None:
    for cookie in client.session.cookie_jar:
        if cookie.key == SESSION_COOKIE:
            return cookie.value
    return None


def sessions(store: ScreeningStore) -> int:
    with store.engine.connect() as connection:
        return connection.execute(select(func.count()).select_from(WebSession)).scalar_one()


async def test_every_route_but_login_and_static_needs_a_signed_in_user(
    client: TestClient, app: web.Application, store: ScreeningStore
):
    make_handoff(store, "alice")
    routes = protected_routes(app)
    # The list is the app's own router: a new route is checked without editing this test.
    assert ("GET", "/handoffs") in routes and ("PATCH", "/api/handoffs/1") in routes
    assert len(routes) >= 20
    for method, path in routes:
        response = await client.request(method, path, allow_redirects=False)
        body = await response.read()
        if path.startswith("/api/"):
            assert response.status == 401, (method, path)
            assert response.headers["WWW-Authenticate"].startswith("Bearer")
        elif method in ("GET", "HEAD"):
            assert response.status == 303, (method, path)
            assert response.headers["Location"].startswith("/login?next=")
        else:
            assert response.status == 401, (method, path)
        assert b"Alice" not in body
    # What stays open: the login page and the style sheet.
    assert (await client.get("/login")).status == 200
    assert (await client.get("/static/triage.css")).status == 200


async def test_public_routes_are_exactly_the_login_form_and_static_files(app: web.Application):
    public = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.resource is not None
        and (
            getattr(route.handler, "trialbot_public", False)
            or isinstance(route.resource, web.StaticResource)
        )
    }
    assert public == {
        ("GET", "/login"),
        ("HEAD", "/login"),
        ("POST", "/login"),
        ("GET", "/static"),
        ("HEAD", "/static"),
    }
    assert callable(is_public)


async def test_signing_in_leads_to_the_queue(client: TestClient):
    response = await login(client, TRIAGE)
    assert response.status == 303
    assert response.headers["Location"] == "/handoffs"
    page = await client.get("/handoffs")
    assert page.status == 200
    assert "triage@example.org" in await page.text()


async def test_a_wrong_password_is_refused_with_a_clear_page_and_no_session(
    client: TestClient, store: ScreeningStore
):
    response = await login(client, ADMIN, "not the password")
    assert response.status == 401
    assert "Wrong e-mail address or password" in await response.text()
    assert session_cookie(client) is None
    assert sessions(store) == 0
    unknown = await login(client, "nobody@example.org")
    assert unknown.status == 401
    assert "Wrong e-mail address or password" in await unknown.text()


async def test_the_session_cookie_is_httponly_samesite_lax_and_secure_by_default(
    aiohttp_client, settings, staff
):
    from dataclasses import replace

    from trialbot.web.app import create_app

    client = await aiohttp_client(
        create_app(replace(settings, secure_cookies=True), notify_worker=False)
    )
    form = await client.get("/login")
    token = csrf_token(await form.text())
    assert "Secure" in form.headers["Set-Cookie"]
    # The client keeps Secure cookies off plain HTTP, so the test sends it by hand.
    response = await client.post(
        "/login",
        data={"email": ADMIN, "password": PASSWORD, "csrf_token": token},
        headers={"Cookie": f"trialbot_login_csrf={token}"},
        allow_redirects=False,
    )
    assert response.status == 303
    header = next(
        value for value in response.headers.getall("Set-Cookie") if value.startswith(SESSION_COOKIE)
    )
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" in header
    value = header.split(";")[0].split("=", 1)[1]
    assert len(value) >= 43  # 32 random bytes


async def test_signing_in_always_issues_a_new_session_id(client: TestClient, store: ScreeningStore):
    await login(client, ADMIN)
    first = session_cookie(client)
    assert first
    await login(client, ADMIN)
    second = session_cookie(client)
    assert second and second != first
    # The earlier id is deleted, not kept alive.
    assert sessions(store) == 1
    client.session.cookie_jar.update_cookies({SESSION_COOKIE: first})
    response = await client.get("/handoffs", allow_redirects=False)
    assert response.status == 303
    assert "ended=1" in response.headers["Location"]


async def test_sessions_are_stored_hashed(admin: TestClient, store: ScreeningStore):
    cookie = session_cookie(admin)
    with store.engine.connect() as connection:
        stored = connection.execute(select(WebSession.id_hash)).scalars().all()
    assert cookie not in stored
    assert len(stored) == 1 and len(stored[0]) == 64


async def test_an_idle_session_expires(admin: TestClient, store: ScreeningStore):
    assert (await admin.get("/handoffs")).status == 200
    with store.engine.begin() as connection:
        connection.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=31)))
    response = await admin.get("/handoffs", allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login?next=/handoffs&ended=1"
    assert sessions(store) == 0
    login_page = await admin.get(response.headers["Location"])
    assert "Your session has ended" in await login_page.text()


async def test_a_session_used_within_the_idle_time_stays(admin: TestClient, store: ScreeningStore):
    with store.engine.begin() as connection:
        connection.execute(update(WebSession).values(last_seen_at=utcnow() - timedelta(minutes=29)))
    assert (await admin.get("/handoffs")).status == 200
    with store.engine.connect() as connection:
        seen = connection.execute(select(WebSession.last_seen_at)).scalar_one()
    assert utcnow() - seen < timedelta(minutes=1)  # the request renewed it


@pytest.mark.parametrize(
    "tamper", [lambda v: v[:-1] + ("A" if v[-1] != "A" else "B"), lambda v: v + "x", lambda v: ""]
)
async def test_a_tampered_cookie_signs_nobody_in(admin: TestClient, store: ScreeningStore, tamper):
    handoff = make_handoff(store, "alice")
    token = await page_token(admin)
    admin.session.cookie_jar.update_cookies({SESSION_COOKIE: tamper(session_cookie(admin))})
    page = await admin.get(f"/handoffs/{handoff}", allow_redirects=False)
    assert page.status == 303
    assert page.headers["Location"].startswith("/login")
    change = await admin.post(
        f"/handoffs/{handoff}/status",
        data={"status": "contacted", "note": "called", "csrf_token": token},
        allow_redirects=False,
    )
    assert change.status == 401
    assert "sign in" in (await change.text()).lower()
    assert store.get_handoff(handoff).summary.status.value == "new"


async def test_logout_ends_the_session(admin: TestClient, store: ScreeningStore):
    cookie = session_cookie(admin)
    token = await page_token(admin)
    response = await admin.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert response.status == 303
    assert response.headers["Location"] == "/login?signed_out=1"
    assert sessions(store) == 0
    admin.session.cookie_jar.update_cookies({SESSION_COOKIE: cookie})
    assert (await admin.get("/handoffs", allow_redirects=False)).status == 303


async def test_logout_without_the_csrf_token_is_refused(admin: TestClient, store: ScreeningStore):
    response = await admin.post("/logout", data={}, allow_redirects=False)
    assert response.status == 403
    assert sessions(store) == 1


async def test_the_login_form_needs_its_own_csrf_token(client: TestClient, store: ScreeningStore):
    await client.get("/login")
    response = await client.post(
        "/login", data={"email": ADMIN, "password": PASSWORD}, allow_redirects=False
    )
    assert response.status == 403
    assert "expired" in await response.text()
    assert sessions(store) == 0


async def test_login_redirects_only_within_the_site(client: TestClient):
    for target, expected in [
        ("/funnel", "/funnel"),
        ("//evil.example/", "/handoffs"),
        ("https://evil.example/", "/handoffs"),
        ("/\\evil.example", "/handoffs"),
    ]:
        response = await login(client, ADMIN, next_path=target)
        assert response.headers["Location"] == expected


# Sign-in throttling, the session lifetime and disabled accounts: test_web_staff_security.py


async def test_the_login_page_carries_a_token_and_no_script(client: TestClient):
    page = await (await client.get("/login")).text()
    assert csrf_token(page)
    assert "<script" not in page

"""Security headers on every response, plain error pages, and the body size limit."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from web_helpers import make_handoff, page_token

from trialbot.store import ScreeningStore
from trialbot.web.app import create_app
from trialbot.web.security import SECURITY_HEADERS


def assert_secure_headers(response) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert response.headers.get(name) == value, name
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer")
    assert response.headers["Server"] == "trialbot"


@pytest.fixture
async def exploding(aiohttp_client, settings, staff) -> TestClient:
    """The app with one extra route that fails the way a bug would."""
    app = create_app(settings, notify_worker=False)

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internals: /srv/trialbot/db password=hunter2")

    app.router.add_get("/boom", boom)
    app.router.add_get("/api/boom", boom)
    return await aiohttp_client(app)


async def test_headers_on_a_page_a_redirect_a_404_and_static_files(admin: TestClient):
    for path, status in [
        ("/handoffs", 200),
        ("/login", 200),
        ("/handoffs/424242", 404),
        ("/no/such/page", 404),
        ("/static/triage.css", 200),
        ("/static/missing.css", 404),
    ]:
        response = await admin.get(path)
        assert response.status == status, path
        assert_secure_headers(response)
    response = await admin.get("/", allow_redirects=False)
    assert response.status == 303
    assert_secure_headers(response)
    assert (await admin.get("/handoffs")).headers["Cache-Control"] == "no-store"


async def test_a_bug_is_a_plain_500_page_with_the_headers_and_no_traceback(exploding: TestClient):
    from web_helpers import ADMIN, login

    await login(exploding, ADMIN)
    response = await exploding.get("/boom")
    body = await response.text()
    assert response.status == 500
    assert_secure_headers(response)
    assert "Something went wrong" in body
    assert "Traceback" not in body and "hunter2" not in body and "RuntimeError" not in body


async def test_the_500_page_of_the_api_is_json(exploding: TestClient, store: ScreeningStore):
    from trialbot.accounts import create_token

    token = create_token(store.engine, "robot")
    response = await exploding.get("/api/boom", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 500
    assert_secure_headers(response)
    assert await response.json() == {
        "error": "something went wrong",
        "message": "Something went wrong on our side. Nothing was shown.",
    }


async def test_an_oversized_form_is_refused_with_413_and_changes_nothing(
    triage: TestClient, store: ScreeningStore
):
    handoff = make_handoff(store, "alice")
    token = await page_token(triage, f"/handoffs/{handoff}")
    response = await triage.post(
        f"/handoffs/{handoff}/status",
        data={"status": "contacted", "note": "x" * 70_000, "csrf_token": token},
    )
    assert response.status == 413
    assert_secure_headers(response)
    assert "too large" in (await response.text()).lower()
    detail = store.get_handoff(handoff)
    assert detail.summary.status.value == "new" and len(detail.history) == 1


async def test_an_oversized_login_is_refused_with_413(client: TestClient):
    response = await client.post("/login", data={"email": "a" * 70_000, "password": "x"})
    assert response.status == 413
    assert_secure_headers(response)


async def test_a_wrong_method_is_a_plain_405(admin: TestClient):
    response = await admin.delete("/handoffs")
    assert response.status == 405
    assert_secure_headers(response)
    assert "Traceback" not in await response.text()


async def test_pages_have_no_inline_script_or_style(admin: TestClient, store: ScreeningStore):
    handoff = make_handoff(store, "alice")
    for path in ("/handoffs", f"/handoffs/{handoff}", "/funnel", "/audit", "/login"):
        page = await (await admin.get(path)).text()
        assert "<script" not in page, path
        assert "style=" not in page, path
        assert " on" + "click=" not in page

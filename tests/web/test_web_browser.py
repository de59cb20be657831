"""A real browser (headless Chromium) signs in, moves a handoff along and finds it audited.

The handoff here comes from a screening completed through the store (fast, no Rasa);
tests/conversations/test_triage_after_conversation.py does the same with a handoff made
by a real conversation through the trained model and the action server.
"""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import ADMIN, PASSWORD, XSS, make_handoff

from trialbot.store import ScreeningStore
from trialbot.web.app import create_app

pytestmark = pytest.mark.browser


async def test_staff_change_a_handoff_in_a_real_browser_and_find_it_audited(
    aiohttp_server, settings, staff, store: ScreeningStore, chromium: dict[str, Any]
):
    from playwright.async_api import async_playwright

    handoff = make_handoff(store, "browser-candidate", name=f"Bea {XSS}")
    server = await aiohttp_server(create_app(settings, notify_worker=False), host="127.0.0.1")
    base = str(server.make_url("")).rstrip("/")
    dialogs: list[str] = []

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            page = await browser.new_page(java_script_enabled=True)
            page.on("dialog", lambda dialog: dialogs.append(dialog.message))
            await page.goto(f"{base}/handoffs")
            assert page.url.startswith(f"{base}/login")  # sent to sign in first
            await page.fill("#email", ADMIN)
            await page.fill("#password", PASSWORD)
            await page.click("button:has-text('Sign in')")
            await page.wait_for_url(f"{base}/handoffs")
            assert await page.inner_text("h1") == "Handoffs"

            await page.click(f"a[href='/handoffs/{handoff}'] >> nth=1")
            await page.wait_for_url(f"{base}/handoffs/{handoff}")
            # The candidate's name is shown as text; the <img onerror> never ran.
            assert XSS in await page.inner_text(".contact")
            assert await page.locator(".contact img").count() == 0

            await page.select_option("#new-status", "contacted")
            await page.fill("#status-note", "Phoned Bea; she would like a visit.")
            await page.click("button:has-text('Save status')")
            await page.wait_for_url(f"{base}/handoffs/{handoff}?saved=status")
            assert await page.inner_text("dd.status") == "contacted"
            assert "Phoned Bea; she would like a visit." in await page.inner_text("table.history")

            await page.click("nav >> text=Audit log")
            await page.wait_for_url(f"{base}/audit")
            rows = page.locator("table.audit tbody tr", has_text="handoff.status_changed")
            assert await rows.count() == 1
            row = await rows.first.inner_text()
            assert ADMIN in row and f"handoff {handoff}" in row
            assert "Phoned Bea; she would like a visit." in row
        finally:
            await browser.close()
    assert dialogs == []  # no alert() from candidate text
    assert store.get_handoff(handoff).summary.status.value == "contacted"

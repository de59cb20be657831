"""The worklist in a real browser (headless Chromium) at a desktop width and on a phone
(390 px): no page wider than the screen, "Sign out" visible, the first row is whom to
call first, the phone is a ``tel:`` link, a status change is confirmed, and the funnel's
labels stay readable."""

from __future__ import annotations

from typing import Any

import pytest
from web_helpers import PASSWORD, TRIAGE, TRIAL, make_handoff

from trialbot.store import ScreeningStore
from trialbot.verdicts import Outcome
from trialbot.web.app import create_app

pytestmark = pytest.mark.browser


async def assert_fits(page: Any, width: int, where: str) -> None:
    scroll_width = await page.evaluate("document.scrollingElement.scrollWidth")
    assert scroll_width <= width, f"{where}: {scroll_width} px wide at a {width} px viewport"
    sign_out = page.locator("button:has-text('Sign out')")
    assert await sign_out.is_visible(), where
    box = await sign_out.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, where
    assert await page.locator("nav >> text=Funnel").is_visible(), where


@pytest.mark.parametrize("width", [1366, 390])
async def test_the_worklist_works_on_a_desktop_and_on_a_phone(
    aiohttp_server, settings, staff, store: ScreeningStore, chromium: dict[str, Any], width: int
):
    from playwright.async_api import async_playwright

    make_handoff(store, "review", name="Rita Review", outcome=Outcome.POSSIBLY_ELIGIBLE)
    top = make_handoff(
        store,
        "top",
        name="Antonín Dvořák-Longname-Without-Any-Spaces-At-All-To-Break",
        phone="+420 601 123 456",
        email="a.very.long.address.that.might.overflow@example.org",
    )
    store.record_flags("top", TRIAL, red_flags=["bladder_bowel"])
    store.start("stopped", TRIAL, "telegram")
    server = await aiohttp_server(create_app(settings, notify_worker=False), host="127.0.0.1")
    base = str(server.make_url("")).rstrip("/")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            page = await browser.new_page(viewport={"width": width, "height": 844})
            await page.goto(f"{base}/login")
            await page.fill("#email", TRIAGE)
            await page.fill("#password", PASSWORD)
            await page.click("button:has-text('Sign in')")
            await page.wait_for_url(f"{base}/handoffs")
            await assert_fits(page, width, "queue")
            first = page.locator("table.queue tbody tr").first
            assert await first.get_attribute("id") == f"handoff-{top}"
            assert "Red flag" in await first.inner_text()
            tel = first.locator("a.tel")
            assert await tel.get_attribute("href") == "tel:+420601123456"
            assert await tel.is_visible()

            await page.goto(f"{base}/handoffs/{top}")
            await assert_fits(page, width, "handoff")
            assert await page.locator(".contact a.tel").get_attribute("href") == (
                "tel:+420601123456"
            )
            # The first option is the next sensible step.
            assert await page.locator("#new-status").input_value() == "contacted"
            await page.fill("#status-note", "Rang, she will come on Monday.")
            await page.click("button:has-text('Save status')")
            await page.wait_for_url(f"{base}/handoffs/{top}?saved=status")
            confirmation = page.locator("p.saved[role=status]")
            assert await confirmation.is_visible()
            assert await confirmation.inner_text() == "Saved: the status was changed."
            assert await page.inner_text("dd.status") == "contacted"
            await assert_fits(page, width, "handoff after saving")

            await page.goto(f"{base}/funnel")
            await assert_fits(page, width, "funnel")
            label = page.locator(".funnel-chart .stage-label").first
            box = await label.bounding_box()
            assert box is not None and box["height"] >= 11, box  # readable, not ~6 px
        finally:
            await browser.close()

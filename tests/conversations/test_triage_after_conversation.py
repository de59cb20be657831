"""From chat to follow-up: a real conversation hands off, and staff work it in a browser.

A candidate is screened through the REST channel by the real model and action server;
the triage app (on the same store and Rasa tracker) shows the handoff with its criteria
and the transcript; a staff member in headless Chromium changes its status with a note
and finds the change in the audit log.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from argon2 import PasswordHasher
from candidates import CANDIDATES
from harness import Bot

from trialbot import accounts
from trialbot.accounts import add_staff
from trialbot.notify.config import NotifySettings
from trialbot.store import ScreeningStore
from trialbot.web.app import create_app
from trialbot.web.config import WebSettings

STAFF = "nurse@example.org"
PASSWORD = "a long enough pass phrase"
NOTE = "Called the candidate; SPECT/CT review booked."

pytestmark = [pytest.mark.rasa, pytest.mark.browser]


async def test_a_conversation_handoff_is_followed_up_in_the_browser(
    bot: Bot, chromium: dict[str, Any], aiohttp_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    from playwright.async_api import async_playwright

    candidate = next(c for c in CANDIDATES if c.name == "eligible_textbook")
    script = bot.play(candidate)
    report = bot.report(script.sender)
    assert report is not None and report["outcome"] == "likely_eligible", script.transcript()
    handoff = report["handoff"]["id"]

    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )
    store = ScreeningStore.from_url(bot.database_url)
    add_staff(store.engine, STAFF, "admin", PASSWORD)
    settings = WebSettings(
        database_url=bot.database_url,
        secure_cookies=False,  # plain HTTP on 127.0.0.1
        tracker_url=f"sqlite:///{bot.stack.run_dir.parent / 'tracker.db'}",
        notify=NotifySettings(poll_seconds=0),
    )
    server = await aiohttp_server(create_app(settings, notify_worker=False), host="127.0.0.1")
    base = str(server.make_url("")).rstrip("/")

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            page = await browser.new_page()
            await page.goto(f"{base}/handoffs/{handoff}")
            assert page.url.startswith(f"{base}/login")
            await page.fill("#email", STAFF)
            await page.fill("#password", PASSWORD)
            await page.click("button:has-text('Sign in')")
            await page.wait_for_url(re.compile(re.escape(base) + "/handoffs.*"))
            if not page.url.endswith(f"/handoffs/{handoff}"):
                await page.goto(f"{base}/handoffs/{handoff}")

            await page.click("summary:has-text('Conversation')")  # the transcript, collapsed
            detail = await page.inner_text("main")
            # What the candidate said reaches staff: the criteria with their words, the transcript.
            assert "Two- or more levels of positivity on lumbar SPECT/CT" in detail
            assert candidate.answers["pain_duration"] in detail
            assert "How old are you?" in detail  # the bot's side of the transcript

            await page.select_option("#new-status", "contacted")
            await page.fill("#status-note", NOTE)
            await page.click("button:has-text('Save status')")
            await page.wait_for_url(f"{base}/handoffs/{handoff}?saved=status")
            assert await page.inner_text("dd.status") == "contacted"

            await page.click("nav >> text=Audit log")
            await page.wait_for_url(re.compile(re.escape(base) + "/audit.*"))
            rows = page.locator("table.audit tbody tr", has_text="handoff.status_changed")
            assert await rows.count() == 1
            assert NOTE in await rows.first.inner_text()
        finally:
            await browser.close()
    assert store.get_handoff(handoff).summary.status.value == "contacted"
    store.dispose()

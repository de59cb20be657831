"""The website chat widget in headless Chromium against the live stack.

The demo study page (``/widget/demo``, served by the Rasa server under a strict
Content-Security-Policy) embeds the built bundle the way the README's snippet does. A
candidate opens the chat with the keyboard, gives consent with a quick-reply button,
types an answer, sees the progress, reloads half-way and continues the same
conversation; the answers land in the screening store under the server-issued session id.
Nothing is requested from any other origin and the CSP blocks nothing. At 390 px the
open panel is the whole screen with no horizontal scrolling; every control has a label,
new bot messages go to an ARIA live region, and axe-core (installed from
the widget's lockfile) finds nothing serious or critical.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from trialbot.devtools.train import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.rasa]

QUESTIONS = {
    q["id"]: q for q in yaml.safe_load((ROOT / "criteria" / "spinus2.yml").read_text())["questions"]
}
CONSENT_YES, _ = QUESTIONS["consent"]["options"]
SCREENING_QUESTIONS = sum(q.get("phase", "screening") == "screening" for q in QUESTIONS.values())
TURN = 90_000  # ms: a turn runs the model and the action server; the first one is slow
PROGRESS = re.compile(r"^Question (\d+) of (\d+)$")
SESSION_KEY = "trialbot:spinus2:session"  # the widget's localStorage key for the trial

# Collected in the page before any of its scripts run (init scripts are not subject to
# the page's CSP): every policy violation the browser reports.
WATCH_CSP = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__cspViolations.push(e.violatedDirective + " " + e.blockedURI));
"""

# Every interactive control in the widget's shadow root and its accessible name (a
# simplified accessible-name computation: aria-label, aria-labelledby, <label for>, text).
CONTROLS = """
() => {
  const root = document.querySelector("trialbot-chat").shadowRoot;
  const name = (el) => {
    if (el.getAttribute("aria-label")) return el.getAttribute("aria-label").trim();
    const by = el.getAttribute("aria-labelledby");
    if (by) return by.split(" ").map((id) => root.getElementById(id)?.textContent || "").join(" ").trim();
    if (el.id) {
      const label = root.querySelector(`label[for="${el.id}"]`);
      if (label) return label.textContent.trim();
    }
    return el.textContent.trim();
  };
  return [...root.querySelectorAll("button, input, textarea, select, a[href], progress, [tabindex]")]
    .map((el) => ({tag: el.tagName.toLowerCase(), name: name(el), hidden: !el.getClientRects().length}));
}
"""

FOCUSED = """
() => {
  const host = document.querySelector("trialbot-chat");
  if (document.activeElement !== host) return document.activeElement?.tagName.toLowerCase() || null;
  const inner = host.shadowRoot.activeElement;
  return inner ? (inner.id || inner.className || inner.tagName.toLowerCase()) : "trialbot-chat";
}
"""


class Page:
    """The demo page in a browser context, with what it requested and what it logged."""

    def __init__(self, page: Any, origin: str) -> None:
        self.page = page
        self.origin = origin
        self.requests: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("websocket", lambda socket: self.requests.append(socket.url))
        page.on(
            "console",
            lambda message: (
                self.console_errors.append(message.text) if message.type == "error" else None
            ),
        )

    def widget(self, selector: str) -> Any:
        return self.page.locator(f"trialbot-chat {selector}")

    async def focused(self) -> str | None:
        return await self.page.evaluate(FOCUSED)

    async def bot_texts(self) -> list[str]:
        return [t.strip() for t in await self.widget(".from-bot .bubble").all_inner_texts()]

    async def user_texts(self) -> list[str]:
        return [t.strip() for t in await self.widget(".from-user .bubble").all_inner_texts()]

    async def wait_for_bot_text(self, text: str) -> None:
        await self.widget(".from-bot .bubble").filter(has_text=text).last.wait_for(timeout=TURN)

    async def wait_for_choice(self, title: str) -> Any:
        button = self.widget(".choices button").filter(has_text=re.compile(f"^{re.escape(title)}$"))
        await button.wait_for(timeout=TURN)
        return button

    async def progress(self) -> tuple[int, int]:
        await self.widget(".progress-text").wait_for(timeout=TURN)
        text = (await self.widget(".progress-text").inner_text()).strip()
        match = PROGRESS.match(text)
        assert match, f"progress reads {text!r}"
        return int(match[1]), int(match[2])

    async def session(self) -> dict[str, Any]:
        raw = await self.page.evaluate(f"localStorage.getItem({json.dumps(SESSION_KEY)})")
        assert raw, "no session stored in localStorage"
        return dict(json.loads(raw))

    async def foreign_requests(self) -> list[str]:
        return [
            url
            for url in self.requests
            if urlsplit(url).netloc != urlsplit(self.origin).netloc
            and not url.startswith(("data:", "blob:"))
        ]

    async def csp_violations(self) -> list[str]:
        return list(await self.page.evaluate("window.__cspViolations"))


async def _open_page(browser: Any, url: str, **context: Any) -> Page:
    ctx = await browser.new_context(**context)
    await ctx.add_init_script(WATCH_CSP)
    page = Page(await ctx.new_page(), url)
    await page.page.goto(url)
    await page.widget(".launcher").wait_for(state="visible", timeout=30_000)
    return page


async def _tab_to_launcher(page: Page) -> None:
    for _ in range(30):
        await page.page.keyboard.press("Tab")
        if await page.focused() == "launcher":
            return
    raise AssertionError("the launcher cannot be reached with Tab")


def test_the_demo_page_is_served_under_a_strict_csp(widget_stack) -> None:
    with urllib.request.urlopen(widget_stack.demo_url, timeout=30) as response:
        policy = response.headers["Content-Security-Policy"]
        page = response.read().decode()
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert "unsafe" not in policy
    host = urlsplit(widget_stack.stack.rasa_url).netloc
    assert directives["connect-src"].split() == ["'self'", f"ws://{host}", f"wss://{host}"]
    # The README's snippet: one script by URL, the config as JSON data, nothing inline.
    assert '<script src="/widget/trialbot-widget.js" defer></script>' in page
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    assert [attrs for attrs, body in scripts if body.strip()] == [
        ' type="application/json" id="trialbot-config"'
    ]
    assert " style=" not in page and "<style" not in page
    bundle = f"{widget_stack.stack.rasa_url}/widget/trialbot-widget.js"
    with urllib.request.urlopen(bundle, timeout=30) as response:
        assert response.headers["Content-Type"].startswith("text/javascript")
        served = response.read()
    assert served == (ROOT / "trialbot" / "widget_static" / "trialbot-widget.js").read_bytes()


async def test_a_candidate_chats_by_keyboard_reloads_and_continues(
    widget_stack, chromium: dict[str, Any]
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            page = await _open_page(browser, widget_stack.demo_url)
            assert await page.widget(".panel").is_hidden()

            # The launcher, by keyboard: the panel opens and the focus moves into it.
            await _tab_to_launcher(page)
            await page.page.keyboard.press("Enter")
            await page.widget(".panel").wait_for(state="visible")
            assert await page.focused() == "tb-input"
            assert await page.widget(".launcher").get_attribute("aria-expanded") == "true"

            # The bot introduces the study and asks for consent with buttons; the
            # greeting the widget sent for the candidate is not shown as theirs.
            consent = await page.wait_for_choice(CONSENT_YES)
            assert "SPINUS II" in " ".join(await page.bot_texts())
            assert await page.user_texts() == []
            announced = await page.widget("[aria-live='polite']").inner_text()
            assert QUESTIONS["consent"]["text"] in announced

            # Consent with the quick-reply button, reached by keyboard from the input.
            await page.page.keyboard.press("Shift+Tab")  # the last choice
            await page.page.keyboard.press("Shift+Tab")  # the first: "Yes, I agree"
            assert (
                await page.page.evaluate(
                    "document.querySelector('trialbot-chat').shadowRoot.activeElement.textContent"
                )
                == CONSENT_YES
            )
            await page.page.keyboard.press("Enter")
            await page.wait_for_bot_text(QUESTIONS["age"]["text"])
            assert await consent.count() == 0, "the used quick replies are still there"
            assert await page.widget(".choices button").count() == 0  # age: free text
            assert await page.user_texts() == [CONSENT_YES]
            assert await page.focused() == "tb-input"
            first, total = await page.progress()
            assert (first, total) == (1, SCREENING_QUESTIONS)

            # A typed answer, sent with Enter.
            await page.page.keyboard.type("I'm 52")
            await page.page.keyboard.press("Enter")
            await page.wait_for_bot_text(QUESTIONS["low_back_pain"]["text"])
            assert await page.progress() == (2, total)
            await page.wait_for_choice("Yes")
            assert await page.widget(".typing").is_hidden()
            session = await page.session()

            # Reload half-way: the same conversation, shown again, and it goes on.
            await page.page.reload()
            await page.widget(".from-bot").first.wait_for(timeout=TURN)
            yes = await page.wait_for_choice("Yes")  # the pending question's buttons
            assert await page.user_texts() == [CONSENT_YES, "I'm 52"]
            assert (await page.bot_texts())[-1] == QUESTIONS["low_back_pain"]["text"]
            assert await page.progress() == (2, total)
            assert (await page.session())["session_id"] == session["session_id"]
            await yes.click()
            await page.wait_for_bot_text(QUESTIONS["radicular_pain"]["text"])
            assert await page.progress() == (3, total)
            assert (
                await page.widget(".choices button").filter(has_text=re.compile("^Yes$")).count()
                == 0
            )

            # Escape closes the panel and gives the focus back to the launcher.
            await page.page.keyboard.press("Escape")
            assert await page.widget(".panel").is_hidden()
            assert await page.focused() == "launcher"

            assert await page.foreign_requests() == []
            assert any("/socket.io/" in url for url in page.requests)
            assert await page.csp_violations() == []
        finally:
            await browser.close()

    report = widget_stack.report(session["session_id"])
    assert report is not None, "nothing stored under the widget's session id"
    assert report["answers"]["consent"]["value"] == "yes", report
    assert report["answers"]["age"]["value"] == 52, report
    assert report["answers"]["low_back_pain"]["value"] == "yes", report
    assert report["questions_asked"][:4] == ["consent", "age", "low_back_pain", "radicular_pain"]


async def test_on_a_phone_the_panel_fills_the_screen_and_everything_is_labelled(
    widget_stack, chromium: dict[str, Any]
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            page = await _open_page(
                browser, widget_stack.demo_url, viewport={"width": 390, "height": 844},
                is_mobile=True, has_touch=True,
            )  # fmt: skip
            assert await page.page.evaluate("document.scrollingElement.scrollWidth") <= 390
            await page.widget(".launcher").tap()
            await page.wait_for_choice(CONSENT_YES)
            box = await page.widget(".panel").bounding_box()
            assert box is not None
            assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 390, 844)
            assert await page.page.evaluate("document.scrollingElement.scrollWidth") <= 390
            # Nothing inside the panel is wider than the panel (no sideways scrolling).
            assert await page.page.evaluate(
                "(() => { const log = document.querySelector('trialbot-chat').shadowRoot"
                ".querySelector('.log'); return log.scrollWidth <= log.clientWidth; })()"
            )

            # Labels: every control has a name; the input has its <label>.
            controls = await page.page.evaluate(CONTROLS)
            unnamed = [c for c in controls if not c["name"] and not c["hidden"]]
            assert unnamed == [], unnamed
            names = {c["name"] for c in controls}
            assert {
                "Your message",
                "Send",
                "Start over",
                "Stop",
                "Close the chat",
                CONSENT_YES,
            } <= names
            assert await page.widget("[aria-live='polite']").count() == 1
            assert await page.widget(".log").get_attribute("aria-label") == "Conversation"
            assert await page.widget(".choices").get_attribute("role") == "group"

            # Bot text is never HTML: only http(s) URLs become links, and safe ones.
            await page.page.evaluate(
                """document.querySelector("trialbot-chat").onBotMessage({text:
                'See https://example.org/info. <img src=x id=injected> javascript:alert(1) '
                + '[x](javascript:alert(2)) data:text/html,hi'})"""
            )
            last = page.widget(".from-bot .bubble").last
            links = last.locator("a")
            assert await links.count() == 1
            assert await links.get_attribute("href") == "https://example.org/info"
            assert await links.get_attribute("rel") == "noopener noreferrer"
            assert await last.locator("img").count() == 0
            assert "<img src=x id=injected>" in await last.inner_text()

            # "Stop" and "Start over" are always there and send the bot's own commands.
            said = await page.widget(".from-bot").count()
            await page.widget("button.tool").filter(has_text="Stop").click()
            assert (await page.user_texts())[-1] == "stop"
            await page.widget(".from-bot").nth(said).wait_for(timeout=TURN)
            said = await page.widget(".from-bot").count()
            await page.widget("button.tool").filter(has_text="Start over").click()
            assert (await page.user_texts())[-1] == "start over"
            await page.widget(".from-bot").nth(said).wait_for(timeout=TURN)
            said = await page.bot_texts()
            # Declining ("stop" at consent) keeps nothing, and "start over" still reaches
            # the interview (the tracker keeps its closing action_listen).
            assert not any("went wrong" in t for t in said), said

            assert await page.foreign_requests() == []
            assert await page.csp_violations() == []
        finally:
            await browser.close()


async def test_axe_finds_no_serious_or_critical_violation(
    widget_stack, chromium: dict[str, Any], installed_widget: Path
) -> None:
    from playwright.async_api import async_playwright

    axe = (installed_widget / "node_modules" / "axe-core" / "axe.min.js").read_text()
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            page = await _open_page(browser, widget_stack.demo_url)
            await page.widget(".launcher").click()
            await page.wait_for_choice(CONSENT_YES)
            # Evaluated through the DevTools protocol: the page's CSP does not apply, and
            # nothing is fetched from elsewhere.
            await page.page.evaluate(axe)
            results = await page.page.evaluate(
                "axe.run(document, {resultTypes: ['violations']})"
                ".then(r => r.violations.map(v => ({id: v.id, impact: v.impact,"
                " nodes: v.nodes.map(n => n.target.join(' '))})))"
            )
            serious = [v for v in results if v["impact"] in ("serious", "critical")]
            assert serious == [], serious
        finally:
            await browser.close()


# -- a whole screening, a stranger's browser, a foreign page ------------------------------

STAFF = "coordinator@example.org"
STAFF_PASSWORD = "a long enough pass phrase for the tests"
CANDIDATE_NAME = "Jana Widgetova"
SCREENING_TURN = 30_000  # ms: one answer and the bot's next question (the stack is warm)

# The whole screening as a candidate does it: (question, "click" or "type", answer).
WHOLE_SCREENING = [
    ("consent", "click", CONSENT_YES),
    ("age", "type", "52"),
    ("low_back_pain", "type", "yes"),
    ("radicular_pain", "type", "it stays in my back"),
    ("pain_duration", "type", "about 2 years"),
    ("conservative_care", "type", "physio and painkillers, didn't help"),
    ("spinal_pathology", "click", "None of these"),
    ("spect_intolerance", "type", "no"),
    ("mri", "type", "yes it showed worn discs"),
    ("spect_ct", "click", "Yes, at two or more levels"),
    ("contact_name", "type", CANDIDATE_NAME),
    ("contact_phone", "type", "+420 601 123 456"),
    ("contact_email", "type", "jana.widgetova@example.com"),
    ("future_contact", "click", "No, thanks"),
]
RELOAD_AFTER = "conservative_care"


def _read(url: str) -> str:
    with urllib.request.urlopen(url, timeout=30) as response:
        return str(response.read().decode())


async def _expect_question(page: Page, question: str) -> None:
    """Waits for the bot to ask ``question``; if it does not, fails with the transcript."""
    try:
        await (
            page.widget(".from-bot .bubble")
            .filter(has_text=QUESTIONS[question]["text"])
            .last.wait_for(timeout=SCREENING_TURN)
        )
    except Exception as exc:  # playwright's TimeoutError
        transcript = list(zip(await page.bot_texts(), await page.user_texts(), strict=False))
        raise AssertionError(f"the bot did not ask {question!r}: {transcript}") from exc


async def _answer(page: Page, how: str, answer: str) -> None:
    """Answers the way a candidate with a mouse does: a button, or typing and Send."""
    if how == "click":
        await (await page.wait_for_choice(answer)).click()
    else:
        await page.widget("#tb-input").click()
        await page.widget("#tb-input").fill(answer)
        await page.widget("button[aria-label='Send'], button:has-text('Send')").first.click()


async def _wait_for_session(page: Page, other_than: str | None = None) -> dict[str, Any]:
    """The session the server confirmed to this page (the widget stores it then)."""
    await page.page.wait_for_function(
        "([key, other]) => { const s = JSON.parse(localStorage.getItem(key) || 'null');"
        " return s && s.session_id && s.session_id !== other; }",
        arg=[SESSION_KEY, other_than],
        timeout=SCREENING_TURN,
    )
    return await page.session()


async def test_a_candidate_completes_the_screening_and_staff_see_the_handoff(
    widget_stack, chromium: dict[str, Any]
) -> None:
    import time

    from playwright.async_api import async_playwright

    from trialbot.accounts import add_staff
    from trialbot.store import ScreeningStore

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            page = await _open_page(browser, widget_stack.demo_url)
            await page.widget(".launcher").click()
            said: list[str] = []
            for question, how, answer in WHOLE_SCREENING:
                await _expect_question(page, question)
                await _answer(page, how, answer)
                said.append(answer)
                if question == RELOAD_AFTER:
                    # Half-way: a reload shows the conversation again, and it goes on.
                    session = await page.session()
                    await _expect_question(page, "spinal_pathology")
                    await page.page.reload()
                    await page.widget(".from-bot").first.wait_for(timeout=SCREENING_TURN)
                    await page.wait_for_choice("None of these")
                    assert await page.user_texts() == said
                    assert (await page.session())["session_id"] == session["session_id"]
            session_id = (await page.session())["session_id"]
            assert session_id == session["session_id"]

            # The handoff is stored under the widget's session (the last turn may still run).
            deadline = time.monotonic() + SCREENING_TURN / 1000
            report = widget_stack.report(session_id)
            while (report is None or not report.get("handoff")) and time.monotonic() < deadline:
                await asyncio.sleep(0.5)
                report = widget_stack.report(session_id)
            assert report is not None and report.get("handoff"), report
            answers = report["answers"]
            assert answers["age"]["value"] == 52, answers
            assert answers["low_back_pain"]["value"] == "yes", answers
            assert answers["radicular_pain"]["text"] == "it stays in my back", answers
            assert answers["spinal_pathology"]["value"]["conditions"] == [], answers
            assert report["outcome"] == "likely_eligible", report
            screening = [q for q, _, _ in WHOLE_SCREENING if q in report["questions_asked"]]
            assert report["questions_asked"] == screening[: len(report["questions_asked"])]
            assert set(screening) >= {"consent", "age", "mri", "spect_ct"}
            assert await page.foreign_requests() == []
            assert await page.csp_violations() == []

            # Staff sign in to the triage app (its own origin) and find the candidate.
            store = ScreeningStore.from_url(widget_stack.database_url)
            try:
                add_staff(store.engine, STAFF, "admin", STAFF_PASSWORD)
            finally:
                store.dispose()
            staff = await (await browser.new_context()).new_page()
            await staff.goto(f"{widget_stack.web_url}/handoffs")
            assert staff.url.startswith(f"{widget_stack.web_url}/login")
            await staff.fill("#email", STAFF)
            await staff.fill("#password", STAFF_PASSWORD)
            await staff.click("button:has-text('Sign in')")
            await staff.wait_for_url(re.compile(re.escape(widget_stack.web_url) + "/handoffs.*"))
            assert CANDIDATE_NAME in await staff.inner_text("main")
        finally:
            await browser.close()


async def test_a_browser_given_another_candidates_session_id_sees_and_changes_nothing(
    widget_stack, chromium: dict[str, Any]
) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(**chromium)
        try:
            victim = await _open_page(browser, widget_stack.demo_url)
            await victim.widget(".launcher").click()
            await _answer(victim, "click", CONSENT_YES)
            await _expect_question(victim, "age")
            await _answer(victim, "type", "I'm 52")
            await _expect_question(victim, "low_back_pain")
            victim_session = await victim.session()
            victim_id = victim_session["session_id"]
            before = widget_stack.report(victim_id)
            assert before is not None and before["answers"]["age"]["value"] == 52, before
            victim_bubbles = await victim.widget(".bubble").count()

            # A stranger's browser: its own conversation first (so it holds a valid token
            # of its own), then the victim's session id in its localStorage without the
            # token, with a forged one, and with its own token.
            stranger = await _open_page(browser, widget_stack.demo_url)
            await stranger.widget(".launcher").click()
            own = await _wait_for_session(stranger)
            forgeries = [
                "",
                "v1.9999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
                own["token"],
            ]
            for token in forgeries:
                planted = json.dumps({"session_id": victim_id, "token": token, "greeted": True})
                await stranger.page.evaluate(
                    "([key, value]) => localStorage.setItem(key, value)", [SESSION_KEY, planted]
                )
                await stranger.page.reload()
                await stranger.page.locator(
                    "trialbot-chat .panel:visible, trialbot-chat .launcher:visible"
                ).first.wait_for(timeout=30_000)
                if await stranger.widget(".panel").is_hidden():
                    await stranger.widget(".launcher").click()
                given = await _wait_for_session(stranger, other_than=victim_id)
                assert given["session_id"] not in (victim_id, own["session_id"])
                # A new conversation: the consent question, nothing of the victim's.
                await stranger.wait_for_choice(CONSENT_YES)
                shown = " ".join(await stranger.bot_texts() + await stranger.user_texts())
                assert "52" not in shown
                assert QUESTIONS["low_back_pain"]["text"] not in shown
                assert QUESTIONS["age"]["text"] not in shown
            # What the stranger answers goes to the stranger's own conversation.
            await _answer(stranger, "click", CONSENT_YES)
            await _expect_question(stranger, "age")
            replies = await stranger.widget(".from-bot").count()
            await _answer(stranger, "type", "I'm 85")
            await stranger.widget(".from-bot").nth(replies).wait_for(timeout=SCREENING_TURN)
            stranger_id = (await stranger.session())["session_id"]

            # The victim's page got nothing, and their stored answers are unchanged.
            assert await victim.widget(".bubble").count() == victim_bubbles
            assert (await victim.session())["session_id"] == victim_id
        finally:
            await browser.close()
    after = widget_stack.report(victim_id)
    assert after is not None
    assert after["answers"] == before["answers"], after
    assert after["questions_asked"] == before["questions_asked"]
    stranger_report = widget_stack.report(stranger_id)
    # The stranger's words went to the stranger's own screening.
    assert stranger_report is not None, stranger_id
    assert stranger_report["questions_asked"][:2] == ["consent", "age"], stranger_report


async def test_a_page_on_another_origin_cannot_connect(
    widget_stack, chromium: dict[str, Any], tmp_path
) -> None:
    import functools
    import http.server
    import threading

    from playwright.async_api import async_playwright

    # The demo page, copied to a server on another port of 127.0.0.1 (another origin),
    # loading the widget from the Rasa server: the widget then talks to the Rasa server.
    rasa = widget_stack.stack.rasa_url
    html = await asyncio.to_thread(_read, widget_stack.demo_url)
    copy = html.replace('src="/widget/', f'src="{rasa}/widget/')
    copy = copy.replace('href="/widget/', f'href="{rasa}/widget/')
    assert f'src="{rasa}/widget/trialbot-widget.js"' in copy
    (tmp_path / "study.html").write_text(copy)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *_: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    foreign = f"http://127.0.0.1:{server.server_address[1]}/study.html"

    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**chromium)
            try:
                ctx = await browser.new_context()
                page = Page(await ctx.new_page(), foreign)
                answers: list[tuple[str, int]] = []
                page.page.on(
                    "response",
                    lambda r: answers.append((r.url, r.status)) if "/socket.io/" in r.url else None,
                )
                page.page.on(
                    "requestfailed",
                    lambda r: answers.append((r.url, 0)) if "/socket.io/" in r.url else None,
                )
                await page.page.goto(foreign)
                await page.widget(".launcher").wait_for(state="visible", timeout=30_000)
                await page.widget(".launcher").click()
                # The widget tries, is refused, and says so; no bot message ever arrives.
                status = page.widget(".status")
                for _ in range(60):  # two refused attempts (the first and a retry), ≤ 15 s
                    if len(answers) >= 2:
                        break
                    await page.page.wait_for_timeout(250)
                await page.page.wait_for_timeout(1_000)
                assert len(answers) >= 1, ("the widget never tried to connect", page.requests)
                assert all(code == 0 or code >= 400 for _, code in answers), answers
                assert await status.is_visible()
                assert (await status.inner_text()).strip() in {
                    "Connecting…",
                    "The connection was lost. Reconnecting…",
                    "The chat is not available right now. Please try again later.",
                }
                assert await page.widget(".from-bot").count() == 0
                stored = await page.page.evaluate(
                    f"localStorage.getItem({json.dumps(SESSION_KEY)})"
                )
                assert stored is None  # the server never confirmed a session
            finally:
                await browser.close()
    finally:
        server.shutdown()
        server.server_close()

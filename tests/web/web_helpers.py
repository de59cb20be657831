"""Helpers for the web tests: signing in, CSRF tokens, handoffs made through the store."""

from __future__ import annotations

import html
import json
import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from trialbot.answers import Parsed
from trialbot.store import ScreeningStore
from trialbot.verdicts import CriterionResult, Evaluation, Outcome, Verdict

ADMIN = "admin@example.org"
TRIAGE = "triage@example.org"
PASSWORD = "correct horse battery staple"
TRIAL = "spinus2"
XSS = "<img src=x onerror=alert(1)>"

_TOKEN = re.compile(r'name="csrf_token" value="([^"]*)"')


def csrf_token(page: str) -> str:
    match = _TOKEN.search(page)
    assert match, "no CSRF token on the page"
    return html.unescape(match.group(1))


async def login(
    client: TestClient, email: str, password: str = PASSWORD, next_path: str = "/handoffs"
) -> ClientResponse:
    form = await client.get("/login")
    token = csrf_token(await form.text())
    return await client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token, "next": next_path},
        allow_redirects=False,
    )


async def page_token(client: TestClient, path: str = "/handoffs") -> str:
    response = await client.get(path)
    assert response.status == 200
    return csrf_token(await response.text())


def make_handoff(
    store: ScreeningStore,
    sender: str,
    *,
    name: str = "Alice Example",
    outcome: Outcome = Outcome.LIKELY_ELIGIBLE,
    channels: Sequence[str] = (),
    age_text: str = "I am 52",
    phone: str = "+44 7700 900123",
    email: str = "alice@example.net",
) -> int:
    """A completed screening handed off, as the bot would leave it; the handoff id."""
    store.start(sender, TRIAL, "rest")
    store.record_consent(sender, TRIAL, version="v1", agreed=True, channel="rest")
    store.record_question_asked(sender, TRIAL, "age")
    store.record_answer(sender, TRIAL, "age", age_text, Parsed(understood=True, value=52))
    store.record_question_asked(sender, TRIAL, "low_back_pain")
    store.record_answer(
        sender, TRIAL, "low_back_pain", "yes, for years", Parsed(understood=True, value="yes")
    )
    store.save_contact(sender, TRIAL, name=name, phone=phone, email=email, future_contact=True)
    unknown = Verdict.UNKNOWN if outcome is Outcome.POSSIBLY_ELIGIBLE else Verdict.PASS
    evaluation = Evaluation(
        results={
            "inc_age": CriterionResult(
                "inc_age", Verdict.PASS, "Age 52 is between 18 and 75", (age_text,)
            ),
            "inc_low_back_pain": CriterionResult(
                "inc_low_back_pain", Verdict.PASS, "Lower back pain", ()
            ),
            "inc_spect_ct_multilevel": CriterionResult(
                "inc_spect_ct_multilevel", unknown, "Not known yet", ()
            ),
        },
        outcome=outcome,
    )
    handoff_id = store.complete(sender, TRIAL, evaluation, notify_channels=list(channels))
    assert handoff_id is not None
    return handoff_id


def write_tracker(path: Path, sender_id: str, messages: list[tuple[str, str]]) -> None:
    """A Rasa SQL tracker store ``events`` table holding this conversation."""
    connection = sqlite3.connect(path)
    with connection:
        connection.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255)"
            " NOT NULL, type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name"
            " VARCHAR(255), action_name VARCHAR(255), data TEXT)"
        )
        for index, (type_name, text) in enumerate(messages):
            connection.execute(
                "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                (
                    sender_id,
                    type_name,
                    1_700_000_000 + index,
                    json.dumps({"event": type_name, "text": text}),
                ),
            )
        connection.execute(
            "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'action', ?, ?)",
            (sender_id, 1_700_000_100, json.dumps({"event": "action", "name": "action_listen"})),
        )
    connection.close()

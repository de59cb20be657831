"""Erasing a candidate from the triage app: the admin's action on the handoff page (with a
confirmation step and CSRF) and ``DELETE /api/screenings/{sender_id}`` (admin tokens)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from web_helpers import ADMIN, TRIAGE, make_handoff, page_token, write_tracker

from trialbot.accounts import create_token
from trialbot.store import ScreeningStore


@pytest.fixture(autouse=True)
def audit_salt_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRIALBOT_AUDIT_SALT", "test-salt")


def tracker_rows(path: Path, sender: str) -> int:
    connection = sqlite3.connect(path)
    try:
        return connection.execute(
            "SELECT count(*) FROM events WHERE sender_id = ?", (sender,)
        ).fetchone()[0]
    finally:
        connection.close()


async def test_an_admin_erases_a_candidate_after_confirming(
    admin: TestClient, store: ScreeningStore, tracker_path: Path
):
    handoff = make_handoff(store, "alice")
    write_tracker(tracker_path, "alice", [("user", "my phone is +44 7700 900123")])
    page = await (await admin.get(f"/handoffs/{handoff}")).text()
    assert "Erase this candidate" in page
    token = await page_token(admin, f"/handoffs/{handoff}")

    asked = await admin.post(f"/handoffs/{handoff}/erase", data={"csrf_token": token})
    assert asked.status == 200
    assert "Yes, erase this candidate" in await asked.text()
    assert store.report("alice") is not None  # nothing happens before the confirmation

    done = await admin.post(
        f"/handoffs/{handoff}/erase",
        data={"csrf_token": token, "confirm": "yes"},
        allow_redirects=False,
    )
    assert done.status == 303 and done.headers["Location"] == "/handoffs"
    assert store.report("alice") is None
    assert tracker_rows(tracker_path, "alice") == 0
    assert (await admin.get(f"/handoffs/{handoff}")).status == 404
    assert "alice" not in await (await admin.get("/handoffs")).text()


async def test_staff_who_are_not_admins_cannot_erase(triage: TestClient, store: ScreeningStore):
    handoff = make_handoff(store, "alice")
    assert "Erase this candidate" not in await (await triage.get(f"/handoffs/{handoff}")).text()
    token = await page_token(triage, f"/handoffs/{handoff}")
    refused = await triage.post(
        f"/handoffs/{handoff}/erase", data={"csrf_token": token, "confirm": "yes"}
    )
    assert refused.status == 403
    assert store.report("alice") is not None


async def test_erasing_needs_the_csrf_token(admin: TestClient, store: ScreeningStore):
    handoff = make_handoff(store, "alice")
    refused = await admin.post(f"/handoffs/{handoff}/erase", data={"confirm": "yes"})
    assert refused.status == 403
    assert store.report("alice") is not None


async def test_the_api_erases_with_an_admin_token_only(
    client: TestClient, store: ScreeningStore, tracker_path: Path
):
    make_handoff(store, "alice")
    write_tracker(tracker_path, "alice", [("user", "hello")])
    service = create_token(store.engine, "crm-sync")
    triage = create_token(store.engine, "triage-token", owner=TRIAGE)
    admin = create_token(store.engine, "admin-token", owner=ADMIN)

    for token in (service, triage):
        refused = await client.delete(
            "/api/screenings/alice", headers={"Authorization": f"Bearer {token}"}
        )
        assert refused.status == 403 and (await refused.json())["error"] == "forbidden"
    assert store.report("alice") is not None

    bearer = {"Authorization": f"Bearer {admin}"}
    erased = await client.delete("/api/screenings/alice", headers=bearer)
    assert erased.status == 204
    assert store.report("alice") is None and tracker_rows(tracker_path, "alice") == 0
    assert (await client.delete("/api/screenings/alice", headers=bearer)).status == 404
    assert (await client.delete("/api/screenings/nobody", headers=bearer)).status == 404
    assert (await client.get("/api/screenings/alice", headers=bearer)).status == 404

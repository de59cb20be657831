"""The queue, a handoff's page, the workflow with notes, the audit log, CSV and the funnel."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update
from web_helpers import TRIAL, XSS, make_handoff, page_token, write_tracker

from trialbot.store import ScreeningStore
from trialbot.store.models import AuditEvent, Handoff, Notification
from trialbot.verdicts import Outcome


@pytest.fixture
def web_database_url(database_url: str) -> str:
    """These tests run on SQLite and on PostgreSQL."""
    return database_url


def audit_actions(store: ScreeningStore, actor: str) -> list[tuple[str, str, dict]]:
    with store.engine.connect() as connection:
        return [
            (row.action, row.object_id, row.details)
            for row in connection.execute(
                select(AuditEvent).where(AuditEvent.actor == actor).order_by(AuditEvent.id)
            )
        ]


def file_exists(path: Path) -> bool:
    return path.exists()


def write_empty_database(path: Path) -> None:
    path.write_bytes(b"")


def queue_order(page: str) -> list[str]:
    import re

    return re.findall(r'<td><a href="/handoffs/(\d+)">\d+</a></td>', page)


async def test_the_queue_lists_high_priority_first_then_oldest(
    triage: TestClient, store: ScreeningStore
):
    review_old = make_handoff(store, "r1", name="Rita Review", outcome=Outcome.POSSIBLY_ELIGIBLE)
    high_old = make_handoff(store, "h1", name="Hana High")
    review_new = make_handoff(store, "r2", name="Rob Review", outcome=Outcome.POSSIBLY_ELIGIBLE)
    high_new = make_handoff(store, "h2", name="Hugo High")
    page = await (await triage.get("/handoffs")).text()
    assert queue_order(page) == [str(i) for i in (high_old, high_new, review_old, review_new)]
    assert "Hana High" in page and "Rob Review" in page
    assert 'data-status="new">4<' in page
    assert 'data-status="contacted">0<' in page


async def test_the_queue_filters_by_status_and_trial(triage: TestClient, store: ScreeningStore):
    first = make_handoff(store, "a")
    second = make_handoff(store, "b")
    store.change_status(second, "contacted", "rang", "someone")
    page = await (await triage.get("/handoffs?status=contacted")).text()
    assert queue_order(page) == [str(second)]
    page = await (await triage.get(f"/handoffs?status=new&trial={TRIAL}")).text()
    assert queue_order(page) == [str(first)]
    page = await (await triage.get("/handoffs?trial=other_trial")).text()
    assert queue_order(page) == []
    assert (await triage.get("/handoffs?status=bogus")).status == 400


async def test_the_queue_shows_each_handoffs_notification_status(
    triage: TestClient, store: ScreeningStore
):
    handoff = make_handoff(store, "a", channels=["email", "webhook"])
    with store.engine.begin() as connection:
        connection.execute(
            update(Notification)
            .where(Notification.channel == "webhook")
            .values(attempts=2, last_error="webhook answered HTTP 500")
        )
        connection.execute(
            update(Notification).where(Notification.channel == "email").values(status="sent")
        )
    page = await (await triage.get("/handoffs")).text()
    assert "email sent; webhook retrying (2 failed)" in page
    detail = await (await triage.get(f"/handoffs/{handoff}")).text()
    assert "webhook answered HTTP 500" in detail


async def test_a_handoff_page_shows_contact_criteria_words_and_transcript(
    triage: TestClient, store: ScreeningStore, tracker_path: Path
):
    handoff = make_handoff(store, "alice", name="Alice Example", age_text="I'm 52 years old")
    write_tracker(
        tracker_path,
        "alice",
        [("bot", "How old are you?"), ("user", "I'm 52 years old"), ("bot", "Thank you.")],
    )
    write_tracker(tracker_path, "someone_else", [("user", "not alice's words")])
    response = await triage.get(f"/handoffs/{handoff}")
    assert response.status == 200
    page = await response.text()
    for expected in (
        "Alice Example",
        "+44 7700 900123",
        "alice@example.net",
        "likely eligible",
        "Eligible ages: 18 to 75 years",  # the registry text from the criteria file
        "Age 52 is between 18 and 75",  # the reason
        "<q>I&#39;m 52 years old</q>",  # the candidate's own words
        "How old are you?",
        "Thank you.",
    ):
        assert expected in page, expected
    assert "not alice&#39;s words" not in page
    assert "Transcript unavailable" not in page


async def test_a_red_flag_and_a_relative_answering_are_shown_first(
    triage: TestClient, store: ScreeningStore
):
    handoff = make_handoff(store, "bob", name="Bob Example")
    store.record_flags("bob", "spinus2", red_flags=["bladder_bowel"], answered_by="relative")
    page = await (await triage.get(f"/handoffs/{handoff}")).text()
    assert "Red flag:</strong> the candidate mentioned bladder bowel" in page
    assert "Someone answered for the candidate (a relative or friend)" in page
    assert "They did not say whom to call" in page
    store.record_flags("bob", "spinus2", relationship="son", call_whom="answerer")
    page = await (await triage.get(f"/handoffs/{handoff}")).text()
    assert "Someone answered for the candidate, who is their son" in page
    assert "Call the person who answered" in page
    quiet = make_handoff(store, "carol", name="Carol Example")
    page = await (await triage.get(f"/handoffs/{quiet}")).text()
    assert "Red flag" not in page and "Someone answered" not in page


async def test_the_transcript_is_unavailable_without_the_tracker_store(
    triage: TestClient, store: ScreeningStore, tracker_path: Path
):
    handoff = make_handoff(store, "alice")
    assert not file_exists(tracker_path)
    page = await (await triage.get(f"/handoffs/{handoff}")).text()
    assert "Transcript unavailable" in page
    assert not file_exists(tracker_path)  # looking did not create it
    write_empty_database(tracker_path)  # a database without the events table
    response = await triage.get(f"/handoffs/{handoff}")
    assert response.status == 200
    assert "Transcript unavailable" in await response.text()


async def test_what_a_candidate_typed_is_shown_as_inert_text(
    triage: TestClient, store: ScreeningStore, tracker_path: Path
):
    handoff = make_handoff(store, "mallory", name=XSS, age_text=XSS, phone=XSS, email=XSS)
    write_tracker(tracker_path, "mallory", [("user", XSS)])
    escaped = "&lt;img src=x onerror=alert(1)&gt;"
    for path in ("/handoffs", f"/handoffs/{handoff}"):
        page = await (await triage.get(path)).text()
        assert "<img" not in page
        assert escaped in page
    detail = await (await triage.get(f"/handoffs/{handoff}")).text()
    assert detail.count(escaped) >= 5  # name, phone, e-mail, words, answer, transcript


async def test_an_unknown_handoff_is_a_404_page(triage: TestClient):
    for path in ("/handoffs/999999", "/handoffs/99999999999999999999"):
        response = await triage.get(path)
        assert response.status == 404
        assert (
            "There is no handoff" in await response.text() or "Not found" in await response.text()
        )


async def test_moving_a_handoff_along_the_workflow_with_notes(
    triage: TestClient, store: ScreeningStore
):
    handoff = make_handoff(store, "alice")
    for status, note in [
        ("contacted", "Rang Alice, she is keen."),
        ("scheduled", "Visit on Monday."),
        ("enrolled", "Signed consent at the visit."),
    ]:
        token = await page_token(triage, f"/handoffs/{handoff}")
        response = await triage.post(
            f"/handoffs/{handoff}/status",
            data={"status": status, "note": note, "csrf_token": token},
            allow_redirects=False,
        )
        assert response.status == 303
        assert response.headers["Location"] == f"/handoffs/{handoff}?saved=status"
    page = await (await triage.get(f"/handoffs/{handoff}")).text()
    assert "Rang Alice, she is keen." in page and "Signed consent at the visit." in page
    assert "This handoff is closed (enrolled)" in page
    changes = [
        (action, details["from"], details["to"])
        for action, _, details in audit_actions(store, "triage@example.org")
        if action == "handoff.status_changed"
    ]
    assert changes == [
        ("handoff.status_changed", "new", "contacted"),
        ("handoff.status_changed", "contacted", "scheduled"),
        ("handoff.status_changed", "scheduled", "enrolled"),
    ]


async def test_a_transition_the_workflow_forbids_changes_nothing(
    triage: TestClient, store: ScreeningStore
):
    handoff = make_handoff(store, "alice")
    token = await page_token(triage, f"/handoffs/{handoff}")
    response = await triage.post(
        f"/handoffs/{handoff}/status",
        data={"status": "enrolled", "note": "skip ahead", "csrf_token": token},
    )
    assert response.status == 409
    assert "cannot go from new to enrolled" in await response.text()
    assert store.get_handoff(handoff).summary.status.value == "new"


async def test_a_status_change_needs_a_note(triage: TestClient, store: ScreeningStore):
    handoff = make_handoff(store, "alice")
    token = await page_token(triage, f"/handoffs/{handoff}")
    for data in ({"status": "contacted", "note": "  "}, {"status": "nonsense", "note": "x"}):
        response = await triage.post(
            f"/handoffs/{handoff}/status", data={**data, "csrf_token": token}
        )
        assert response.status == 422
    assert store.get_handoff(handoff).summary.status.value == "new"
    assert len(store.get_handoff(handoff).history) == 1


async def test_a_note_without_a_status_change(triage: TestClient, store: ScreeningStore):
    handoff = make_handoff(store, "alice")
    token = await page_token(triage, f"/handoffs/{handoff}")
    response = await triage.post(
        f"/handoffs/{handoff}/notes",
        data={"note": "Left a voicemail.", "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 303
    detail = store.get_handoff(handoff)
    assert detail.summary.status.value == "new"
    assert detail.history[-1].note == "Left a voicemail."


@pytest.mark.parametrize("token", [None, "", "forged-token-value", "wrong"])
async def test_a_change_without_the_right_csrf_token_is_refused(
    triage: TestClient, store: ScreeningStore, token: str | None
):
    handoff = make_handoff(store, "alice")
    data = {"status": "contacted", "note": "called"}
    if token is not None:
        data["csrf_token"] = token
    for path in (f"/handoffs/{handoff}/status", f"/handoffs/{handoff}/notes"):
        response = await triage.post(path, data=data, allow_redirects=False)
        assert response.status == 403
        assert "did not come from this site" in await response.text()
    detail = store.get_handoff(handoff)
    assert detail.summary.status.value == "new"
    assert len(detail.history) == 1


async def test_a_csrf_token_of_another_session_is_refused(
    client: TestClient, store: ScreeningStore
):
    from web_helpers import ADMIN, TRIAGE, login

    handoff = make_handoff(store, "alice")
    await login(client, ADMIN)
    admin_token = await page_token(client)
    await login(client, TRIAGE)  # a new session, with its own token
    response = await client.post(
        f"/handoffs/{handoff}/status",
        data={"status": "contacted", "note": "called", "csrf_token": admin_token},
    )
    assert response.status == 403
    assert store.get_handoff(handoff).summary.status.value == "new"


async def test_views_and_changes_are_audited_and_admins_can_read_the_log(
    client: TestClient, store: ScreeningStore
):
    from web_helpers import ADMIN, TRIAGE, login

    handoff = make_handoff(store, "alice")
    await login(client, TRIAGE)
    await client.get("/handoffs")
    token = await page_token(client, f"/handoffs/{handoff}")
    await client.post(
        f"/handoffs/{handoff}/status",
        data={"status": "contacted", "note": "Rang her", "csrf_token": token},
    )
    actions = [action for action, _, _ in audit_actions(store, "triage@example.org")]
    assert actions[:2] == ["staff.signed_in", "handoffs.listed"]
    assert "handoff.viewed" in actions and "handoff.status_changed" in actions
    forbidden = await client.get("/audit")
    assert forbidden.status == 403
    assert "Only administrators" in await forbidden.text()

    await login(client, ADMIN)
    page = await (await client.get("/audit")).text()
    assert "handoff.status_changed" in page
    assert "triage@example.org" in page
    assert "Rang her" in page
    assert f'<a href="/handoffs/{handoff}">handoff {handoff}</a>' in page
    assert "audit.viewed" in [a for a, _, _ in audit_actions(store, "admin@example.org")]


async def test_the_csv_export_neutralises_formulas(triage: TestClient, store: ScreeningStore):
    names = ['=HYPERLINK("http://evil")', "+1+2", "-3", "@SUM(A1)", "\tTab", "\rReturn", "Plain"]
    for number, name in enumerate(names):
        make_handoff(store, f"s{number}", name=name)
    response = await triage.get("/handoffs.csv")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(await response.text(), newline="")))
    exported = [row["name"] for row in rows]
    assert sorted(exported) == sorted(
        ['\'=HYPERLINK("http://evil")', "'+1+2", "'-3", "'@SUM(A1)", "'\tTab", "'\rReturn", "Plain"]
    )
    assert all(row["priority"] == "high" for row in rows)
    assert "handoffs.exported" in [a for a, _, _ in audit_actions(store, "triage@example.org")]


async def test_the_funnel_counts_each_step_with_drop_off(triage: TestClient, store: ScreeningStore):
    make_handoff(store, "a")
    make_handoff(store, "b")
    store.start("c", TRIAL, "rest")  # started, never consented
    store.start("d", TRIAL, "rest")
    store.record_consent("d", TRIAL, version="v1", agreed=False, channel="rest")
    response = await triage.get("/funnel")
    assert response.status == 200
    page = await response.text()
    assert "<svg" in page and "<rect" in page

    def row(label: str, *cells: str) -> str:
        labels = ("Step", "Candidates", "Lost")
        return f'<tr><td data-label="Step">{label}</td>' + "".join(
            f'<td data-label="{name}">{cell}</td>'
            for name, cell in zip(labels[1:], cells, strict=True)
        )

    assert row("Conversations started", "4", "") in page
    assert row("Consented", "2", "2 (50%)") in page
    assert row("Finished the questions", "2", "0 (0%)") in page
    assert row("Handed off (likely or possibly eligible)", "2", "0 (0%)") in page
    assert '<td data-label="Outcome">declined</td><td data-label="Screenings">1</td>' in page
    assert '<td data-label="Outcome">likely eligible</td><td data-label="Screenings">2</td>' in page


async def test_the_status_form_offers_only_the_allowed_next_steps(
    triage: TestClient, store: ScreeningStore
):
    handoff = make_handoff(store, "alice")
    with store.engine.connect() as connection:
        assert connection.execute(select(Handoff.status)).scalar_one() == "new"
    page = await (await triage.get(f"/handoffs/{handoff}")).text()
    assert '<option value="contacted">contacted</option>' in page
    assert '<option value="enrolled">' not in page

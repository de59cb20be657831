"""The worklist, the handoff page's work tools, the call list and the funnel, through
the routes (SQLite and PostgreSQL), with a fixed clock in the site's time zone."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timezone

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient
from sqlalchemy import select, update
from web_helpers import ADMIN, TRIAGE, TRIAL, login, page_token

from trialbot.answers import Parsed
from trialbot.store import ScreeningStore
from trialbot.store.models import AuditEvent, Handoff, Screening
from trialbot.verdicts import CriterionResult, Evaluation, Outcome, Verdict
from trialbot.web.app import create_app
from trialbot.web.config import WebSettings
from trialbot.web.views.queue import CLOCK, CSV_COLUMNS, PAGE_SIZE

# Monday 30 March 2026, 10:00 in Prague (summer time since Sunday).
NOW = datetime(2026, 3, 30, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def web_database_url(database_url: str) -> str:
    """These tests run on SQLite and on PostgreSQL."""
    return database_url


@pytest.fixture
def clock() -> list[datetime]:
    return [NOW]


@pytest.fixture
def app(settings: WebSettings, staff: None, clock: list[datetime]) -> web.Application:
    app = create_app(settings, notify_worker=False)
    app[CLOCK] = lambda: clock[0]
    return app


def handoff(
    store: ScreeningStore,
    sender: str,
    *,
    name: str = "Jana Novak",
    phone: str = "+420 601 123 456",
    email: str | None = None,
    outcome: Outcome = Outcome.LIKELY_ELIGIBLE,
    unknown: tuple[str, ...] = (),
    failed: tuple[str, ...] = (),
    created: datetime | None = None,
    channel: str = "rest",
) -> int:
    store.start(sender, TRIAL, channel)
    store.record_consent(sender, TRIAL, version="v1", agreed=True, channel=channel)
    store.record_question_asked(sender, TRIAL, "age")
    store.record_answer(sender, TRIAL, "age", "I'm 61", Parsed(understood=True, value=61))
    store.record_answer(
        sender,
        TRIAL,
        "pain_duration",
        "about 8 months",
        Parsed(understood=True, value={"months": 8, "bound": "exact"}, hedged=True),
    )
    store.save_contact(
        sender, TRIAL, name=name, phone=phone, email=email or f"{sender}@example.org"
    )
    results = {"inc_age": CriterionResult("inc_age", Verdict.PASS, "Age 61", ())}
    for cid in unknown:
        results[cid] = CriterionResult(cid, Verdict.UNKNOWN, "not known", ())
    for cid in failed:
        results[cid] = CriterionResult(cid, Verdict.FAIL, "no", ())
    number = store.complete(
        sender, TRIAL, Evaluation(results=results, outcome=outcome), notify_channels=[]
    )
    if number is not None and created is not None:
        with store.engine.begin() as connection:
            connection.execute(
                update(Handoff).where(Handoff.id == number).values(created_at=created)
            )
    return number or 0


def order(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<td><a href="/handoffs/(\d+)">\d+</a></td>', page)]


def audits(store: ScreeningStore, action: str) -> list[AuditEvent]:
    with store.engine.connect() as connection:
        return list(
            connection.execute(
                select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
            )
        )


async def text(client: TestClient, path: str, status: int = 200) -> str:
    response = await client.get(path)
    assert response.status == status, await response.text()
    return await response.text()


async def test_the_worklist_puts_whom_to_call_first_on_top_with_the_reason(
    triage: TestClient, store: ScreeningStore
):
    day = lambda d, h=9: datetime(2026, 3, d, h, tzinfo=timezone.utc)  # noqa: E731
    possibly_two = handoff(
        store,
        "p2",
        outcome=Outcome.POSSIBLY_ELIGIBLE,
        unknown=("inc_mri_degeneration", "inc_spect_ct_multilevel"),
        created=day(1),
    )
    possibly_one = handoff(
        store,
        "p1",
        outcome=Outcome.POSSIBLY_ELIGIBLE,
        unknown=("inc_mri_degeneration",),
        created=day(20),
    )
    likely_new = handoff(store, "l2", created=day(25))
    likely_old = handoff(store, "l1", created=day(10))
    flagged = handoff(
        store,
        "rf",
        outcome=Outcome.POSSIBLY_ELIGIBLE,
        unknown=("inc_mri_degeneration", "inc_spect_ct_multilevel"),
        created=day(28),
    )
    store.record_flags("rf", TRIAL, red_flags=["bladder_bowel"])
    page = await text(triage, "/handoffs")
    assert order(page) == [flagged, likely_old, likely_new, possibly_one, possibly_two]
    first_row = page.split('data-rank="1"')[1].split("</tr>")[0]
    assert "Red flag</strong>" in first_row and "red flag: bladder bowel" in first_row
    assert "possibly eligible · 2 unknowns: MRI, SPECT/CT" in first_row
    assert "likely eligible · all criteria met" in page
    # The columns a caller needs, times in Prague time.
    assert '<a class="tel" href="tel:+420601123456">+420 601 123 456</a>' in page
    assert '<td data-label="Age">61</td>' in page
    assert '<td data-label="Duration">about 8 months</td>' in page
    assert '<td data-label="Waiting since">2026-03-01 10:00 CET</td>' in page
    assert '<td data-label="Waiting since">2026-03-28 10:00 CET</td>' in page
    assert "none configured" not in page


async def test_search_finds_by_name_phone_or_email_and_audits_only_that_it_searched(
    triage: TestClient, store: ScreeningStore
):
    dvorak = handoff(store, "a", name="Antonín Dvořák", phone="+420 777 888 999")
    novak = handoff(store, "b", name="Jana Novak", email="jana.n@example.net")
    for query, expected in [
        ("dvorak", [dvorak]),
        ("Dvořák", [dvorak]),
        ("777 888", [dvorak]),
        ("+420601", [novak]),
        ("JANA.N@", [novak]),
        ("nobody", []),
    ]:
        page = await text(triage, f"/handoffs?q={query.replace('+', '%2B')}")
        assert order(page) == expected, query
    assert "matching your search" in page
    details = audits(store, "handoffs.listed")[-1].details
    assert details["searched"] is True and "nobody" not in str(details)
    assert (await triage.get("/handoffs?q=" + "x" * 101)).status == 400


async def test_filters_by_status_assignee_trial_and_date_range(
    triage: TestClient, store: ScreeningStore
):
    march = handoff(store, "a", created=datetime(2026, 3, 5, 12, tzinfo=timezone.utc))
    # 31 March 22:30 UTC is already 1 April in Prague.
    april = handoff(store, "b", created=datetime(2026, 3, 31, 22, 30, tzinfo=timezone.utc))
    enrolled = handoff(store, "c")
    for step in ("contacted", "scheduled", "enrolled"):
        store.change_status(enrolled, step, "x", "n")
    store.assign(april, TRIAGE, TRIAGE)
    store.assign(march, ADMIN, ADMIN)

    assert order(await text(triage, "/handoffs")) == [march, april]  # open ones only
    assert sorted(order(await text(triage, "/handoffs?status=all"))) == [march, april, enrolled]
    assert order(await text(triage, "/handoffs?status=enrolled")) == [enrolled]
    assert order(await text(triage, "/handoffs?assignee=me")) == [april]
    assert order(await text(triage, f"/handoffs?assignee={ADMIN}")) == [march]
    assert order(await text(triage, "/handoffs?assignee=none&status=all")) == [enrolled]
    assert order(await text(triage, "/handoffs?from=2026-04-01")) == [april]
    assert order(await text(triage, "/handoffs?to=2026-03-31")) == [march]
    assert order(await text(triage, "/handoffs?trial=other_trial")) == []
    for bad in ("status=bogus", "from=yesterday", "from=2026-04-02&to=2026-04-01", "page=0"):
        assert (await triage.get(f"/handoffs?{bad}")).status == 400, bad


async def test_paging_after_sorting_and_filtering(triage: TestClient, store: ScreeningStore):
    made = [
        handoff(store, f"s{n:02}", created=datetime(2026, 3, 1, n % 24, n, tzinfo=timezone.utc))
        for n in range(PAGE_SIZE + 5)
    ]
    first = await text(triage, "/handoffs")
    second = await text(triage, "/handoffs?page=2")
    assert len(order(first)) == PAGE_SIZE and len(order(second)) == 5
    assert sorted(order(first) + order(second)) == sorted(made)
    assert f"1–{PAGE_SIZE} of {PAGE_SIZE + 5}" in first
    assert f"{PAGE_SIZE + 1}–{PAGE_SIZE + 5} of {PAGE_SIZE + 5}" in second
    assert 'rel="next" href="/handoffs?page=2"' in first
    assert f'data-rank="{PAGE_SIZE + 1}"' in second
    # Too far: the last page.
    assert order(await text(triage, "/handoffs?page=9")) == order(second)


async def test_assign_to_me_from_the_worklist_confirms_and_audits(
    triage: TestClient, store: ScreeningStore
):
    number = handoff(store, "a")
    token = await page_token(triage, "/handoffs?status=all")
    response = await triage.post(
        f"/handoffs/{number}/assign",
        data={"assignee": "me", "next": "/handoffs?status=all", "csrf_token": token},
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == f"/handoffs?status=all&saved=assigned#handoff-{number}"
    page = await text(triage, "/handoffs?status=all&saved=assigned")
    assert "Saved: the handoff is assigned to you." in page
    assert f'<td data-label="Assignee" class="assignee">{TRIAGE}' in page
    assert store.get_handoff(number).summary.assignee == TRIAGE
    [event] = audits(store, "handoff.assigned")
    assert (event.actor, event.details) == (TRIAGE, {"from": None, "to": TRIAGE})
    response = await triage.post(
        f"/handoffs/{number}/assign",
        data={"assignee": "someone@else.org", "csrf_token": token},
    )
    assert response.status == 400
    await triage.post(f"/handoffs/{number}/assign", data={"assignee": "", "csrf_token": token})
    assert store.get_handoff(number).summary.assignee is None


async def test_a_call_attempt_counts_proposes_a_follow_up_and_confirms(
    triage: TestClient, store: ScreeningStore, clock: list[datetime]
):
    number = handoff(store, "a")
    # Thursday 26 March, 23:30 UTC: Friday 00:30 in Prague, so the next business day
    # is Monday 30 March (in UTC it would have been Friday 27).
    clock[0] = datetime(2026, 3, 26, 23, 30, tzinfo=timezone.utc)
    page = await text(triage, f"/handoffs/{number}")
    assert 'name="follow_up" type="date" value="2026-03-30"' in page
    token = await page_token(triage, f"/handoffs/{number}")
    response = await triage.post(
        f"/handoffs/{number}/status",
        data={"status": "call_attempted", "note": "", "csrf_token": token},
        allow_redirects=False,
    )
    assert response.headers["Location"] == f"/handoffs/{number}?saved=attempt"
    page = await text(triage, response.headers["Location"])
    assert "Saved: the call attempt was recorded." in page
    assert '<dd class="attempts">1</dd>' in page
    assert '<dd class="follow-up">Mon 30 Mar 2026</dd>' in page
    assert "call attempt 1, no answer" in page and "Called, no answer." in page
    # Sunday 29 March 22:30 UTC is Monday 00:30 in Prague (summer time, +2): the second
    # attempt proposes two business days later, Wednesday 1 April.
    clock[0] = datetime(2026, 3, 29, 22, 30, tzinfo=timezone.utc)
    await triage.post(
        f"/handoffs/{number}/status",
        data={"status": "call_attempted", "note": "voicemail", "csrf_token": token},
    )
    summary = store.get_handoff(number).summary
    assert (summary.attempts, summary.follow_up_on) == (2, date(2026, 4, 1))
    # A date chosen by staff wins; one in the past is refused.
    response = await triage.post(
        f"/handoffs/{number}/status",
        data={"status": "call_attempted", "follow_up": "2026-03-27", "csrf_token": token},
    )
    assert response.status == 422 and "in the past" in await response.text()
    await triage.post(
        f"/handoffs/{number}/status",
        data={"status": "call_attempted", "follow_up": "2026-04-08", "csrf_token": token},
    )
    summary = store.get_handoff(number).summary
    assert (summary.attempts, summary.follow_up_on) == (3, date(2026, 4, 8))
    # After three unanswered calls "unreachable" is offered first.
    page = await text(triage, f"/handoffs/{number}")
    options = re.findall(
        r'<option value="(\w+)">', page.split('id="new-status"')[1].split("</select>")[0]
    )
    assert options[0] == "unreachable"
    # Not due before 8 April: it waits below handoffs that are due.
    due = handoff(store, "b")
    assert order(await text(triage, "/handoffs")) == [due, number]


async def test_the_status_menu_lists_the_next_sensible_steps_first(
    triage: TestClient, store: ScreeningStore
):
    number = handoff(store, "a")

    async def options() -> list[str]:
        page = await text(triage, f"/handoffs/{number}")
        menu = page.split('id="new-status"')[1].split("</select>")[0]
        return re.findall(r'<option value="(\w+)">', menu)

    assert await options() == ["contacted", "call_attempted"]
    store.change_status(number, "contacted", "rang", "n")
    assert await options() == ["scheduled", "not_enrolled", "call_attempted", "unreachable"]
    store.change_status(number, "scheduled", "booked", "n")
    assert await options() == ["enrolled", "not_enrolled", "unreachable"]


async def test_every_save_on_the_handoff_page_is_confirmed(
    triage: TestClient, store: ScreeningStore
):
    number = handoff(store, "a")
    token = await page_token(triage, f"/handoffs/{number}")
    for path, data, message in [
        ("status", {"status": "contacted", "note": "Rang"}, "Saved: the status was changed."),
        ("notes", {"note": "Prefers mornings"}, "Saved: the note was added."),
        (
            "plan",
            {"follow_up": "2026-04-02", "call_time": "mornings"},
            "Saved: the follow-up plan was updated.",
        ),
        ("assign", {"assignee": "me"}, "Saved: the handoff is assigned to you."),
    ]:
        response = await triage.post(
            f"/handoffs/{number}/{path}", data={**data, "csrf_token": token}
        )
        assert response.status == 200, path
        page = await response.text()
        assert f'<p class="saved" role="status">{message}</p>' in page, path
    assert '<dd class="call-time">mornings</dd>' in page
    assert '<dd class="follow-up">Thu 02 Apr 2026</dd>' in page
    # A failed save says so, and no confirmation.
    response = await triage.post(
        f"/handoffs/{number}/status", data={"status": "scheduled", "note": "", "csrf_token": token}
    )
    assert response.status == 422 and 'class="saved"' not in await response.text()


async def test_the_handoff_page_puts_work_first_with_call_and_mail_links(
    triage: TestClient, store: ScreeningStore
):
    number = handoff(store, "a", phone="+420 601 123 456", email="jana@example.org")
    store.record_flags(
        "a", TRIAL, answered_by="relative", relationship="daughter", call_whom="answerer"
    )
    page = await text(triage, f"/handoffs/{number}")
    assert '<a class="tel" href="tel:+420601123456">+420 601 123 456</a>' in page
    assert '<a class="mailto" href="mailto:jana@example.org">jana@example.org</a>' in page
    assert "Someone answered for the candidate, who is their daughter" in page
    assert "Hedged about how long you have had the pain" in page
    # Work (status, notes, history) comes before the criteria and the transcript,
    # which is collapsible.
    assert (
        page.index('id="new-status"')
        < page.index("<h2>History</h2>")
        < page.index("<h2>Criteria</h2>")
    )
    assert page.index("<h2>Criteria</h2>") < page.index('<details class="transcript-box">')


async def test_a_corrected_answer_is_flagged_on_the_handoff_page(
    triage: TestClient, store: ScreeningStore
):
    store.start("c", TRIAL, "rest")
    store.record_consent("c", TRIAL, version="v1", agreed=True, channel="rest")
    store.record_answer("c", TRIAL, "age", "I'm 80", Parsed(understood=True, value=80))
    store.record_answer("c", TRIAL, "age", "sorry, 58", Parsed(understood=True, value=58))
    store.save_contact("c", TRIAL, name="C", phone="+420601000000")
    number = store.complete(
        "c",
        TRIAL,
        Evaluation(
            results={"inc_age": CriterionResult("inc_age", Verdict.PASS, "ok", ())},
            outcome=Outcome.LIKELY_ELIGIBLE,
        ),
        notify_channels=[],
    )
    page = await text(triage, f"/handoffs/{number}")
    assert "Contradicted themselves about your age: first “I&#39;m 80”, then “sorry, 58”" in page


async def test_the_call_list_is_utf8_with_a_bom_in_worklist_order_and_audited(
    triage: TestClient, store: ScreeningStore
):
    later = handoff(
        store,
        "a",
        name="Antonín Dvořák",
        outcome=Outcome.POSSIBLY_ELIGIBLE,
        unknown=("inc_mri_degeneration",),
    )
    first = handoff(store, "b", name='=HYPERLINK("x")')
    store.add_note(first, "Call after 5", "n@x.org")
    store.change_status(
        first, "call_attempted", "no answer", "n@x.org", follow_up_on=date(2026, 3, 30)
    )
    response = await triage.get("/handoffs.csv")
    assert response.status == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    body = await response.read()
    assert body.startswith(b"\xef\xbb\xbf")
    assert "Dvořák".encode() in body
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))
    assert rows[0] == list(CSV_COLUMNS)
    table = [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]
    assert [int(r["id"]) for r in table] == [first, later]
    assert table[0]["name"] == '\'=HYPERLINK("x")'  # formula-safe
    assert (table[0]["attempts"], table[0]["status"], table[0]["last_note"]) == (
        "1",
        "call_attempted",
        "no answer",
    )
    assert table[0]["next_follow_up"] == "2026-03-30"  # due today: still first
    assert table[1]["phone"] == "'+420 601 123 456" and table[1]["email"] == "a@example.org"
    assert table[1]["verdicts"] == "Age: pass; MRI: unknown"
    assert table[1]["priority_reason"] == "possibly eligible · 1 unknown: MRI"
    [event] = audits(store, "handoffs.exported")
    assert event.actor == TRIAGE and event.details["rows"] == 2


async def test_the_call_list_is_only_for_roles_that_may_see_contact_details(
    aiohttp_client, settings: WebSettings, staff: None, store: ScreeningStore
):
    from dataclasses import replace

    number = handoff(store, "a", name="Jana Novak")
    client = await aiohttp_client(
        create_app(replace(settings, contact_roles=frozenset({"admin"})), notify_worker=False)
    )
    await login(client, TRIAGE)
    response = await client.get("/handoffs.csv")
    assert response.status == 403
    assert [e.actor for e in audits(store, "handoffs.export_refused")] == [TRIAGE]
    assert audits(store, "handoffs.exported") == []
    queue = await text(client, "/handoffs")
    assert "Jana Novak" not in queue and "tel:" not in queue and "handoffs.csv" not in queue
    assert "Jana Novak" not in await text(client, f"/handoffs/{number}")
    await login(client, ADMIN)
    assert (await client.get("/handoffs.csv")).status == 200
    assert [e.actor for e in audits(store, "handoffs.exported")] == [ADMIN]


async def test_the_funnel_page_shows_screen_outs_stops_channels_and_a_date_range(
    triage: TestClient, store: ScreeningStore
):
    handoff(store, "h1")
    handoff(store, "h2", channel="telegram")
    handoff(
        store, "x1", outcome=Outcome.NOT_ELIGIBLE, failed=("inc_age", "inc_spect_ct_multilevel")
    )
    handoff(store, "x2", outcome=Outcome.NOT_ELIGIBLE, failed=("inc_age",))
    store.start("m1", TRIAL, "rest")
    store.record_consent("m1", TRIAL, version="v1", agreed=True, channel="rest")
    store.record_question_asked("m1", TRIAL, "mri")
    store.record_consent("d1", TRIAL, version="v1", agreed=False, channel="telegram")
    with store.engine.begin() as connection:
        connection.execute(
            update(Screening)
            .where(Screening.sender_id == "h1")
            .values(started_at=datetime(2026, 1, 15, tzinfo=timezone.utc))
        )
    page = await text(triage, "/funnel")

    def cells(label: str, *values: str) -> bool:
        return (
            re.search(
                re.escape(label)
                + r"</td>"
                + "".join(r'<td data-label="[^"]+">' + re.escape(v) + "</td>" for v in values),
                page,
            )
            is not None
        )

    assert cells("Conversations started", "6", "")
    assert cells("Consented", "5", "1 (17%)")
    assert cells("Finished the questions", "4", "1 (20%)")
    assert cells("Handed off (likely or possibly eligible)", "2", "2 (50%)")
    assert cells("Age", "2") and cells("SPECT/CT", "1")  # screen-outs by plain name
    assert cells("your MRI scan", "1")  # where they stopped
    assert cells("Declined consent", "1") and cells("Stopped before the end (incomplete)", "1")
    assert cells("telegram", "2", "1", "1", "1", "0", "1", "0")
    assert cells("rest", "4", "4", "0", "3", "2", "1", "0")
    page = await text(triage, "/funnel?from=2026-02-01")
    assert cells("Conversations started", "5", "")
    page = await text(triage, "/funnel?to=2026-01-31")
    assert cells("Conversations started", "1", "")
    assert (await triage.get("/funnel?from=nonsense")).status == 400
    assert audits(store, "funnel.viewed")[-1].details == {"from": None, "to": "2026-01-31"}

"""Retention: how long a candidate's data is kept, and ``purge`` that applies it.

Each candidate (sender) falls in one category, from their latest screening; a sender is
erased (``trialbot.store.erasure.erase_candidate``, tracker included) once every one of
their screenings is past its period:

``declined``
    Declined consent: nothing but the fact of declining is kept. Due at once
    (``TRIALBOT_RETENTION_DECLINED_DAYS``, default 0) after the refusal.
``incomplete``
    Started, stopped or finished without an outcome: 30 days after the last activity
    (``TRIALBOT_RETENTION_INCOMPLETE_DAYS``).
``not_eligible``
    Finished as not eligible: 30 days after the last activity
    (``TRIALBOT_RETENTION_NOT_ELIGIBLE_DAYS``).
``handoff``
    Handed off to the study team: 90 days after the handoff was closed (enrolled, not
    enrolled, unreachable; ``TRIALBOT_RETENTION_HANDOFF_DAYS``). An open handoff is kept.
``future_contact``
    The candidate agreed to be contacted about future studies: kept until they withdraw
    (the flag set to no) or 2 years after they agreed
    (``TRIALBOT_RETENTION_FUTURE_CONTACT_DAYS``, default 730), whichever the category
    above does not keep longer.
``conversation``
    A conversation in the tracker database of a sender with no screening in the store
    (a greeting, then nothing): the incomplete period after its last event.

What erasure keeps (anonymous screening, consent and handoff shells for the funnel) is
described in ``trialbot.store.erasure``; shells are never purged.

``trialbot purge [--dry-run]`` runs it once; ``make run`` runs it daily
(:func:`run_daily`, started by ``trialbot.devtools.run``). In production, run
``trialbot purge`` daily (cron, a systemd timer).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import column, create_engine, func, select, table
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from trialbot.store import ScreeningStore
from trialbot.store.db import unit_of_work
from trialbot.store.erasure import erase_candidate, resolve_tracker_url
from trialbot.store.handoffs import HandoffStatus
from trialbot.store.models import ContactDetails, Handoff, HandoffEvent, Screening

log = logging.getLogger(__name__)

CATEGORIES = (
    "declined",
    "incomplete",
    "not_eligible",
    "handoff",
    "future_contact",
    "conversation",
)
CLOSED_HANDOFF = tuple(
    s.value for s in (HandoffStatus.ENROLLED, HandoffStatus.NOT_ENROLLED, HandoffStatus.UNREACHABLE)
)
ACTOR = "retention"
DAY = timedelta(days=1)
TRACKER_EVENTS = table("events", column("sender_id"), column("timestamp"))


@dataclass(frozen=True)
class RetentionPeriods:
    declined: timedelta = timedelta(0)
    incomplete: timedelta = timedelta(days=30)
    not_eligible: timedelta = timedelta(days=30)
    handoff: timedelta = timedelta(days=90)
    future_contact: timedelta = timedelta(days=730)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RetentionPeriods:
        env = os.environ if environ is None else environ
        defaults = cls()

        def days(category: str) -> timedelta:
            name = f"TRIALBOT_RETENTION_{category.upper()}_DAYS"
            raw = (env.get(name) or "").strip()
            if not raw:
                return getattr(defaults, category)  # type: ignore[no-any-return]
            value = float(raw)
            if value < 0:
                raise ValueError(f"{name} must be 0 or more days, not {raw}")
            return timedelta(days=value)

        return cls(
            declined=days("declined"),
            incomplete=days("incomplete"),
            not_eligible=days("not_eligible"),
            handoff=days("handoff"),
            future_contact=days("future_contact"),
        )


@dataclass(frozen=True)
class Due:
    """A candidate past retention. ``screening_id`` (not the sender id) names them."""

    sender_id: str
    category: str
    due_at: datetime
    screening_id: int | None
    trial_id: str | None


@dataclass
class PurgeReport:
    now: datetime
    dry_run: bool
    candidates: list[Due] = field(default_factory=list)
    # Candidates whose erasure failed (they are tried again on the next run).
    failed: int = 0

    @property
    def counts(self) -> dict[str, int]:
        """Candidates erased (or to erase, in a dry run) per category; every category."""
        counts = dict.fromkeys(CATEGORIES, 0)
        for due in self.candidates:
            counts[due.category] += 1
        return counts

    @property
    def total(self) -> int:
        return len(self.candidates)


def purge(
    store: ScreeningStore,
    now: datetime,
    *,
    dry_run: bool,
    tracker_url: str | None = None,
    periods: RetentionPeriods | None = None,
) -> PurgeReport:
    """Erase every candidate past their retention period at ``now``; what was (or, with
    ``dry_run``, would be) erased, per category."""
    periods = periods or RetentionPeriods.from_env()
    tracker = resolve_tracker_url(tracker_url)
    report = PurgeReport(now=now, dry_run=dry_run)
    due, live = _due_screenings(store, now, periods)
    due += _due_conversations(tracker, live, now - periods.incomplete)
    for candidate in due:
        if not dry_run:
            try:
                erase_candidate(
                    store,
                    candidate.sender_id,
                    actor=ACTOR,
                    tracker_url=tracker,
                    reason=f"retention:{candidate.category}",
                )
            except Exception:  # one candidate must not stop the others' erasure
                log.exception("retention: erasing screening %s failed", candidate.screening_id)
                report.failed += 1
                continue
        report.candidates.append(candidate)
    return report


def _due_screenings(
    store: ScreeningStore, now: datetime, periods: RetentionPeriods
) -> tuple[list[Due], set[str]]:
    """The senders whose every screening is past its period, and every sender with one."""
    final_event = (
        select(HandoffEvent.handoff_id, func.max(HandoffEvent.at).label("closed_at"))
        .where(
            HandoffEvent.to_status.in_(CLOSED_HANDOFF),
            HandoffEvent.from_status.is_distinct_from(HandoffEvent.to_status),
        )
        .group_by(HandoffEvent.handoff_id)
        .subquery()
    )
    query = (
        select(
            Screening.id,
            Screening.sender_id,
            Screening.trial_id,
            Screening.status,
            Screening.outcome,
            Screening.updated_at,
            Screening.completed_at,
            Handoff.status,
            Handoff.updated_at,
            final_event.c.closed_at,
            # The opt-in flag and when it was set; no contact detail is read.
            ContactDetails.future_contact,
            ContactDetails.updated_at,
        )
        .outerjoin(Handoff, Handoff.screening_id == Screening.id)
        .outerjoin(final_event, final_event.c.handoff_id == Handoff.id)
        .outerjoin(ContactDetails, ContactDetails.screening_id == Screening.id)
        .where(Screening.erased_at.is_(None))
        .order_by(Screening.id)
    )
    by_sender: dict[str, list[Due | None]] = {}
    with unit_of_work(store.engine, read_only=True) as session:
        for row in session.execute(query):
            (
                screening_id,
                sender_id,
                trial_id,
                status,
                outcome,
                updated_at,
                completed_at,
                handoff_status,
                handoff_updated_at,
                closed_at,
                future_contact,
                opted_in_at,
            ) = row
            category, due_at = _screening_due(
                status,
                outcome,
                updated_at,
                completed_at,
                handoff_status,
                closed_at or handoff_updated_at,
                periods,
            )
            if due_at is not None and future_contact:
                kept_for_future = opted_in_at + periods.future_contact
                if kept_for_future > due_at:
                    category, due_at = "future_contact", kept_for_future
            by_sender.setdefault(sender_id, []).append(
                None if due_at is None else Due(sender_id, category, due_at, screening_id, trial_id)
            )
    due = []
    for screenings in by_sender.values():
        if all(s is not None and s.due_at <= now for s in screenings):
            # The latest screening names the category.
            due.append(max((s for s in screenings if s), key=lambda s: s.screening_id or 0))
    return due, set(by_sender)


def _screening_due(
    status: str,
    outcome: str | None,
    updated_at: datetime,
    completed_at: datetime | None,
    handoff_status: str | None,
    closed_at: datetime | None,
    periods: RetentionPeriods,
) -> tuple[str, datetime | None]:
    """A screening's category and when its period ends (``None``: kept for now)."""
    last_activity = max(updated_at, completed_at or updated_at)
    if status == "declined":
        return "declined", last_activity + periods.declined
    if handoff_status is not None:
        if handoff_status not in CLOSED_HANDOFF or closed_at is None:
            return "handoff", None
        return "handoff", closed_at + periods.handoff
    if status == "completed" and outcome == "not_eligible":
        return "not_eligible", last_activity + periods.not_eligible
    return "incomplete", last_activity + periods.incomplete


def _due_conversations(tracker_url: str, live: set[str], before: datetime) -> list[Due]:
    """Conversations in the tracker of senders without a screening, quiet since ``before``."""
    parsed = make_url(tracker_url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            return []
    engine = create_engine(tracker_url, future=True)
    last = func.max(TRACKER_EVENTS.c.timestamp)
    query = (
        select(TRACKER_EVENTS.c.sender_id, last)
        .group_by(TRACKER_EVENTS.c.sender_id)
        .having(last < before.timestamp())
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError as error:  # no events table yet, or unreachable
        log.warning("retention: the tracker database cannot be read (%s)", type(error).__name__)
        return []
    finally:
        engine.dispose()
    return [
        Due(sender_id, "conversation", datetime.fromtimestamp(float(at), timezone.utc), None, None)
        for sender_id, at in rows
        if sender_id not in live
    ]


# -- daily, under ``make run`` ----------------------------------------------------------------


def run_daily(
    database_url: str,
    tracker_url: str,
    stop: threading.Event,
    *,
    interval: timedelta = DAY,
) -> None:
    """Purge now, then every ``interval`` until ``stop`` is set (a thread's target)."""
    from trialbot.store.models import utcnow

    while not stop.is_set():
        store = ScreeningStore.from_url(database_url)
        try:
            report = purge(store, utcnow(), dry_run=False, tracker_url=tracker_url)
            if report.total or report.failed:
                log.info(
                    "retention: erased %s candidate(s) %s, %s failed",
                    report.total,
                    report.counts,
                    report.failed,
                )
        except Exception:  # try again at the next interval
            log.exception("retention: the purge failed")
        finally:
            store.dispose()
        stop.wait(interval.total_seconds())

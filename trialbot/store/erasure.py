"""Erasing a candidate, everywhere they live: ``erase_candidate``.

One operation for every route (the chat's "delete my data", ``trialbot screening erase``,
the handoff page, ``DELETE /api/screenings/{sender_id}``, retention). For the sender it

* deletes answers (superseded ones too), question asks, criterion results, contact
  details and the notification outbox rows of their handoffs;
* keeps each screening, consent record and handoff as an anonymous shell: the sender id
  becomes ``erased:<screening id>``, red flags and who answered are cleared,
  ``screenings.erased_at`` is set. What stays is trial, channel, status, outcome,
  consent version, agreed or not, priority and times, so that the funnel still counts
  them (started, consented, outcomes, handed off, enrolled). The triage queue and the
  API no longer show erased handoffs;
* keeps handoff history rows (status changes, staff actor, time) with their notes
  replaced by ``[erased]``, and scrubs the audit trail: notes in audit details become
  ``[erased]``, the sender id (as an object id or a value) becomes its salted hash;
* deletes every row of the sender's conversations in Rasa's tracker database
  (``events`` where ``sender_id`` is theirs), unless ``erase_tracker=False`` (the chat
  path: the tracker store deletes the conversation's rows at the end of that turn);
* writes one audit event, ``candidate.erased``, with no personal data: who, when, the
  counts and an HMAC-SHA256 of the sender id keyed with the audit salt.

The store's changes are one transaction; the tracker's deletion is a second one, run
inside the first: if it fails nothing is erased, and an erasure the store failed to
commit afterwards is simply run again.

The audit salt is ``TRIALBOT_AUDIT_SALT``; without it, a random salt made once and kept
in ``var/audit-salt`` under the working directory (mode 0600), like the other
development secrets. With the salt an administrator can tell whether a given sender id
was erased (``sender_hash``); without it the hash says nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Text,
    cast,
    column,
    create_engine,
    delete,
    event,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy import table as sql_table
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from trialbot.config import default_tracker_url
from trialbot.store import audit
from trialbot.store.db import set_sqlite_pragmas, unit_of_work
from trialbot.store.models import (
    AnswerRow,
    AuditEvent,
    ConsentRecord,
    ContactDetails,
    CriterionResultRow,
    Handoff,
    HandoffEvent,
    Notification,
    QuestionAsk,
    Screening,
    utcnow,
)

if TYPE_CHECKING:
    from trialbot.store.screenings import ScreeningStore

AUDIT_SALT_VARIABLE = "TRIALBOT_AUDIT_SALT"
TRACKER_URL_VARIABLE = "TRIALBOT_TRACKER_URL"
SALT_FILE = Path("var") / "audit-salt"
ERASED_TEXT = "[erased]"
ERASED_ACTION = "candidate.erased"
# Rasa's SQLTrackerStore keeps every event of every conversation in this one table.
TRACKER_EVENTS = sql_table("events", column("sender_id"))


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure did: counts of rows deleted or anonymised, no personal data."""

    sender_hash: str
    actor: str
    erased_at: datetime
    screenings: int = 0  # kept as anonymous shells
    answers: int = 0
    question_asks: int = 0
    criterion_results: int = 0
    contact_details: int = 0
    consent_records: int = 0  # kept without the sender id
    handoffs: int = 0  # kept without the sender id
    handoff_notes: int = 0  # notes replaced by [erased]
    notifications: int = 0
    audit_events: int = 0  # earlier audit events scrubbed
    tracker_events: int = 0
    tracker_erased: bool = True
    trials: tuple[str, ...] = field(default=())

    @property
    def found(self) -> bool:
        """Whether anything of the sender was there to erase."""
        return self.screenings > 0 or self.tracker_events > 0

    def counts(self) -> dict[str, int]:
        return {
            name: value
            for name, value in asdict(self).items()
            if isinstance(value, int) and not isinstance(value, bool)
        }


# -- the salted hash ------------------------------------------------------------------------


def audit_salt(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> bytes:
    """``TRIALBOT_AUDIT_SALT``, else the development salt in ``var/audit-salt`` (made once)."""
    env = os.environ if environ is None else environ
    configured = (env.get(AUDIT_SALT_VARIABLE) or "").strip()
    if configured:
        return configured.encode()
    path = (cwd or Path.cwd()).resolve() / SALT_FILE
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_bytes().strip()
    salt = secrets.token_hex(32).encode()
    with os.fdopen(descriptor, "wb") as file:
        file.write(salt + b"\n")
    return salt


def sender_hash(sender_id: str, salt: bytes | None = None) -> str:
    """HMAC-SHA256 of the sender id under the audit salt, 64 hex digits."""
    key = audit_salt() if salt is None else salt
    return hmac.new(key, sender_id.encode(), hashlib.sha256).hexdigest()


def pseudonym(screening_id: int) -> str:
    """The sender id an erased screening keeps: unique, and saying nothing of anyone."""
    return f"erased:{screening_id}"


# -- the operation ------------------------------------------------------------------------


def erase_candidate(
    store: ScreeningStore,
    sender_id: str,
    *,
    actor: str,
    tracker_url: str | None = None,
    erase_tracker: bool = True,
    reason: str = "request",
) -> ErasureReport:
    """Erase everything of ``sender_id`` (see the module's doc); what was done.

    ``tracker_url`` defaults to ``TRIALBOT_TRACKER_URL``, else ``var/tracker.db``.
    ``reason`` goes into the audit event (``request``, ``retention:<category>``).
    Erasing a sender with nothing stored changes nothing and writes no audit event.
    """
    digest = sender_hash(sender_id)
    now = utcnow()
    with unit_of_work(store.engine) as session:
        counts = _erase_store(session, sender_id, digest, now)
        tracker_events = 0
        if erase_tracker:
            tracker_events = erase_tracker_events(resolve_tracker_url(tracker_url), sender_id)
        report = ErasureReport(
            sender_hash=digest,
            actor=actor,
            erased_at=now,
            tracker_events=tracker_events,
            tracker_erased=erase_tracker,
            **counts,
        )
        if report.found:
            details: dict[str, Any] = {**report.counts(), "reason": reason}
            details["trials"] = list(report.trials)
            details["tracker_erased"] = erase_tracker
            audit.write(session, actor, ERASED_ACTION, "sender", digest, details)
        return report


def _erase_store(session: Session, sender_id: str, digest: str, now: datetime) -> dict[str, Any]:
    # Screenings found earlier in a joined transaction must not be reused: they are shells now.
    from trialbot.store.screenings import CURRENT_FOUND_KEY

    session.info.pop(CURRENT_FOUND_KEY, None)
    screenings = list(
        session.execute(
            select(Screening).where(Screening.sender_id == sender_id).with_for_update()
        ).scalars()
    )
    ids = [s.id for s in screenings]
    counts: dict[str, Any] = {"screenings": len(ids)}
    if not ids:
        counts["audit_events"] = _scrub_audit(session, sender_id, digest, [], [])
        return counts
    counts["trials"] = tuple(sorted({s.trial_id for s in screenings}))
    handoff_ids = list(
        session.execute(select(Handoff.id).where(Handoff.screening_id.in_(ids))).scalars()
    )
    # Deleting by screening reads none of the contact details (trialbot.store.contacts
    # remains the only code that reads or writes them).
    for name, model in (
        ("answers", AnswerRow),
        ("question_asks", QuestionAsk),
        ("criterion_results", CriterionResultRow),
        ("contact_details", ContactDetails),
    ):
        counts[name] = _rowcount(session, delete(model).where(model.screening_id.in_(ids)))
    counts["notifications"] = 0
    counts["handoff_notes"] = 0
    if handoff_ids:
        counts["notifications"] = _rowcount(
            session, delete(Notification).where(Notification.handoff_id.in_(handoff_ids))
        )
        counts["handoff_notes"] = _rowcount(
            session,
            update(HandoffEvent)
            .where(HandoffEvent.handoff_id.in_(handoff_ids), HandoffEvent.note != "")
            .values(note=ERASED_TEXT),
        )
    counts["consent_records"] = 0
    counts["handoffs"] = 0
    for screening in screenings:
        shell = pseudonym(screening.id)
        counts["consent_records"] += _rowcount(
            session,
            update(ConsentRecord)
            .where(ConsentRecord.screening_id == screening.id)
            .values(sender_id=shell),
        )
        counts["handoffs"] += _rowcount(
            session,
            update(Handoff)
            .where(Handoff.screening_id == screening.id)
            .values(sender_id=shell, call_time=None),  # the best time to call is theirs
        )
        screening.sender_id = shell
        screening.red_flags = None
        screening.answered_by = None
        screening.relationship = None
        screening.call_whom = None
        screening.erased_at = now
    session.flush()
    counts["audit_events"] = _scrub_audit(session, sender_id, digest, ids, handoff_ids)
    return counts


def _rowcount(session: Session, statement: Any) -> int:
    result = session.execute(statement.execution_options(synchronize_session=False))
    return int(result.rowcount or 0)


def _scrub_audit(
    session: Session, sender_id: str, digest: str, screening_ids: list[int], handoff_ids: list[int]
) -> int:
    """Earlier audit events about the candidate lose their notes and the sender id."""
    # The sender id as it appears inside the JSON text of ``details``.
    fragment = json.dumps(sender_id)[1:-1]
    escaped = fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    about = [
        (AuditEvent.object_type == "sender") & (AuditEvent.object_id == sender_id[:64]),
        cast(AuditEvent.details, Text).like(f"%{escaped}%", escape="\\"),
    ]
    if screening_ids:
        about.append(
            (AuditEvent.object_type == "screening")
            & AuditEvent.object_id.in_([str(i) for i in screening_ids])
        )
    if handoff_ids:
        about.append(
            (AuditEvent.object_type == "handoff")
            & AuditEvent.object_id.in_([str(i) for i in handoff_ids])
        )
    handoffs = {str(i) for i in handoff_ids}
    scrubbed = 0
    for entry in session.execute(select(AuditEvent).where(or_(*about))).scalars():
        changed = False
        if entry.object_type == "sender" and entry.object_id == sender_id[:64]:
            entry.object_id = digest
            changed = True
        notes = entry.object_type == "handoff" and entry.object_id in handoffs
        details = _scrubbed(entry.details, sender_id, digest, notes)
        if details != entry.details:
            entry.details = details
            changed = True
        scrubbed += changed
    return scrubbed


def _scrubbed(value: Any, sender_id: str, digest: str, notes: bool) -> Any:
    if isinstance(value, dict):
        return {
            key: ERASED_TEXT
            if notes and key == "note" and item
            else _scrubbed(item, sender_id, digest, notes)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_scrubbed(item, sender_id, digest, notes) for item in value]
    if isinstance(value, str) and sender_id and sender_id in value:
        return value.replace(sender_id, digest)
    return value


# -- Rasa's tracker database ----------------------------------------------------------------


def resolve_tracker_url(url: str | None = None) -> str:
    """The given URL, else ``TRIALBOT_TRACKER_URL``, else ``var/tracker.db``."""
    return (url or "").strip() or os.environ.get(TRACKER_URL_VARIABLE) or default_tracker_url()


def erase_tracker_events(url: str, sender_id: str) -> int:
    """Delete every event row of the sender's conversations; how many there were.

    A tracker database that does not exist yet (or has no ``events`` table) holds
    nothing: it is not created.
    """
    parsed = make_url(url)
    sqlite = parsed.get_backend_name() == "sqlite"
    if sqlite:
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).is_file():
            return 0
    engine = create_engine(url, future=True)
    if sqlite:
        event.listen(engine, "connect", lambda dbapi, _record: set_sqlite_pragmas(dbapi))
    try:
        with engine.begin() as connection:
            if not inspect(connection).has_table("events"):
                return 0
            result = connection.execute(
                delete(TRACKER_EVENTS).where(TRACKER_EVENTS.c.sender_id == sender_id)
            )
            return int(result.rowcount or 0)
    finally:
        engine.dispose()

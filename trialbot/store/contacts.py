"""The only code that reads or writes a candidate's name, phone and e-mail.

Contact details will be encrypted at rest; keeping every access here means that
change touches one module. Nothing else may query ``contact_details``.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from trialbot.store.models import ContactDetails, utcnow


@dataclass(frozen=True)
class Contact:
    name: str | None = None
    phone: str | None = None
    email: str | None = None
    future_contact: bool | None = None


def save(
    session: Session,
    screening_id: int,
    *,
    name: str | None = None,
    phone: str | None = None,
    email: str | None = None,
    future_contact: bool | None = None,
) -> None:
    """Set the given fields (``None`` leaves a field as it was)."""
    row = session.execute(
        select(ContactDetails).where(ContactDetails.screening_id == screening_id)
    ).scalar_one_or_none()
    if row is None:
        row = ContactDetails(screening_id=screening_id)
        session.add(row)
    if name is not None:
        row.name = name
    if phone is not None:
        row.phone = phone
    if email is not None:
        row.email = email
    if future_contact is not None:
        row.future_contact = future_contact
    row.updated_at = utcnow()


def load(session: Session, screening_id: int) -> Contact | None:
    row = session.execute(
        select(ContactDetails).where(ContactDetails.screening_id == screening_id)
    ).scalar_one_or_none()
    if row is None:
        return None
    return Contact(row.name, row.phone, row.email, row.future_contact)


def load_many(session: Session, screening_ids: list[int]) -> dict[int, Contact]:
    """Contact details by screening, for the worklist and the call list."""
    if not screening_ids:
        return {}
    rows = session.execute(
        select(ContactDetails).where(ContactDetails.screening_id.in_(screening_ids))
    ).scalars()
    return {r.screening_id: Contact(r.name, r.phone, r.email, r.future_contact) for r in rows}


def names(session: Session, screening_ids: list[int]) -> dict[int, str | None]:
    """Candidates' names by screening, for lists of handoffs."""
    if not screening_ids:
        return {}
    rows = session.execute(
        select(ContactDetails.screening_id, ContactDetails.name).where(
            ContactDetails.screening_id.in_(screening_ids)
        )
    )
    return {screening_id: name for screening_id, name in rows}


def erase(session: Session, screening_id: int) -> None:
    row = session.execute(
        select(ContactDetails).where(ContactDetails.screening_id == screening_id)
    ).scalar_one_or_none()
    if row is not None:
        session.delete(row)

"""The audit trail: who did what to which object, inside the same transaction."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from trialbot.store.models import AuditEvent, utcnow

# The actor of changes the chatbot makes on a candidate's behalf.
BOT_ACTOR = "trialbot"


def write(
    session: Session,
    actor: str,
    action: str,
    object_type: str,
    object_id: object,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            at=utcnow(),
            actor=actor,
            action=action,
            object_type=object_type,
            object_id=str(object_id),
            details=dict(details or {}),
        )
    )

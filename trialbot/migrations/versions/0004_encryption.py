"""Encryption at rest: seal the candidate's words, contact details and staff notes.

Existing values are sealed with the data key (``trialbot.crypto``: AES-GCM, the
column as associated data) on upgrade and opened again on downgrade. The column types
do not change: sealed values are ASCII text (a JSON string in JSON columns). Empty
strings stay empty. Values already sealed are left alone, so a rerun changes nothing.

Revision ID: 0004_encryption
Revises: 0003_screening_flags
Create Date: 2026-12-01
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from alembic import op

from trialbot import crypto

revision = "0004_encryption"
down_revision = "0003_screening_flags"
branch_labels = None
depends_on = None

# (table, column); the context a value is bound to is "table.column".
TEXT_COLUMNS = (
    ("answers", "raw_text"),
    ("answers", "evidence"),
    ("criterion_results", "reason"),
    ("contact_details", "name"),
    ("contact_details", "phone"),
    ("contact_details", "email"),
    ("handoff_events", "note"),
)
JSON_COLUMNS = (("criterion_results", "evidence"),)
AUDIT_NOTE_CONTEXT = "audit_events.details.note"


def _seal(value: str, context: str) -> str:
    return value if crypto.is_sealed(value) else crypto.encrypt(value, context)


def _open(value: str, context: str) -> str:
    return crypto.decrypt(value, context) if crypto.is_sealed(value) else value


def _rewrite(
    table_name: str, column_name: str, kind: Any, change: Callable[[Any], Any | None]
) -> None:
    """Apply ``change`` to every non-empty value; ``None`` from it leaves the row alone."""
    bind = op.get_bind()
    table = sa.table(table_name, sa.column("id", sa.Integer), sa.column(column_name, kind))
    value_column = table.c[column_name]
    rows = bind.execute(
        sa.select(table.c.id, value_column).where(value_column.isnot(None)).order_by(table.c.id)
    ).all()
    updates = []
    for row_id, value in rows:
        changed = change(value)
        if changed is not None:
            updates.append({"row_id": row_id, "value": changed})
    if updates:
        bind.execute(
            table.update()
            .where(table.c.id == sa.bindparam("row_id"))
            .values({column_name: sa.bindparam("value")}),
            updates,
        )


def _sealed_text(context: str) -> Callable[[Any], Any | None]:
    return lambda v: None if v == "" or crypto.is_sealed(v) else crypto.encrypt(v, context)


def _opened_text(context: str) -> Callable[[Any], Any | None]:
    return lambda v: crypto.decrypt(v, context) if crypto.is_sealed(v) else None


def _sealed_json(context: str) -> Callable[[Any], Any | None]:
    return lambda v: None if crypto.is_sealed(v) else crypto.encrypt(json.dumps(v), context)


def _opened_json(context: str) -> Callable[[Any], Any | None]:
    return lambda v: json.loads(crypto.decrypt(v, context)) if crypto.is_sealed(v) else None


def _audit_notes(change: Callable[[str, str], str]) -> Callable[[Any], Any | None]:
    def rewrite(details: Any) -> Any | None:
        if not isinstance(details, dict) or not isinstance(details.get("note"), str):
            return None
        if not details["note"]:
            return None
        note = change(details["note"], AUDIT_NOTE_CONTEXT)
        return None if note == details["note"] else {**details, "note": note}

    return rewrite


def upgrade() -> None:
    for table, column in TEXT_COLUMNS:
        _rewrite(table, column, sa.Text(), _sealed_text(f"{table}.{column}"))
    for table, column in JSON_COLUMNS:
        _rewrite(table, column, sa.JSON(), _sealed_json(f"{table}.{column}"))
    _rewrite("audit_events", "details", sa.JSON(), _audit_notes(_seal))


def downgrade() -> None:
    for table, column in TEXT_COLUMNS:
        _rewrite(table, column, sa.Text(), _opened_text(f"{table}.{column}"))
    for table, column in JSON_COLUMNS:
        _rewrite(table, column, sa.JSON(), _opened_json(f"{table}.{column}"))
    _rewrite("audit_events", "details", sa.JSON(), _audit_notes(_open))

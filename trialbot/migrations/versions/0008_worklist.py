"""The triage worklist: call attempts, follow-up dates, assignees, the best time to call.

Revision ID: 0008_worklist
Revises: 0007_relatives
Create Date: 2026-12-02

``handoffs`` gain who works the handoff (``assignee``, a staff e-mail), how many calls
went unanswered (``attempts``), when the candidate was last called
(``last_contact_at``), the site-local date of the next follow-up (``follow_up_on``) and
the best time to call (``call_time``, sealed at rest like notes). The status
``call_attempted`` joins the workflow; ``handoff_events.attempt`` numbers the attempts.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_worklist"
down_revision = "0007_relatives"
branch_labels = None
depends_on = None

OLD_STATUSES = ("new", "contacted", "scheduled", "enrolled", "not_enrolled", "unreachable")
NEW_STATUSES = (*OLD_STATUSES, "call_attempted")


def _status_check(statuses: tuple[str, ...]) -> str:
    return f"status IN ({', '.join(repr(s) for s in statuses)})"


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_constraint(op.f("ck_handoffs_status"), type_="check")
        batch.create_check_constraint(op.f("ck_handoffs_status"), _status_check(NEW_STATUSES))
        batch.add_column(sa.Column("assignee", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch.add_column(sa.Column("last_contact_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("follow_up_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("call_time", sa.Text(), nullable=True))
        batch.create_index(op.f("ix_handoffs_assignee"), ["assignee"])
    with op.batch_alter_table("handoff_events") as batch:
        batch.add_column(sa.Column("attempt", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoff_events") as batch:
        batch.drop_column("attempt")
    op.execute("UPDATE handoffs SET status = 'contacted' WHERE status = 'call_attempted'")
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_index(op.f("ix_handoffs_assignee"))
        batch.drop_column("call_time")
        batch.drop_column("follow_up_on")
        batch.drop_column("last_contact_at")
        batch.drop_column("attempts")
        batch.drop_column("assignee")
        batch.drop_constraint(op.f("ck_handoffs_status"), type_="check")
        batch.create_check_constraint(op.f("ck_handoffs_status"), _status_check(OLD_STATUSES))

"""Someone answering for the candidate: who they are to them, and whom to call.

Revision ID: 0007_relatives
Revises: 0006_staff_security
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_relatives"
down_revision = "0006_staff_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("relationship", sa.String(length=32), nullable=True))
        batch.add_column(sa.Column("call_whom", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("call_whom")
        batch.drop_column("relationship")

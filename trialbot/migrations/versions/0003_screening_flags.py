"""Screening flags: red flags the candidate mentioned, and who answered.

Revision ID: 0003_screening_flags
Revises: 0002_staff
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_screening_flags"
down_revision = "0002_staff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("red_flags", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("answered_by", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("answered_by")
        batch.drop_column("red_flags")

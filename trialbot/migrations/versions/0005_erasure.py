"""Erasure and retention: screenings remember when their candidate was erased.

Revision ID: 0005_erasure
Revises: 0004_encryption
Create Date: 2026-12-01

An erased candidate's screenings stay as anonymous shells (``trialbot.store.erasure``);
``erased_at`` marks them, so that retention and the triage queue pass them by.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_erasure"
down_revision = "0004_encryption"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("screenings") as batch:
        batch.drop_column("erased_at")

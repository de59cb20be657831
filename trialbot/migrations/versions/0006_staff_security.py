"""Staff account security: sign-in throttles instead of an attempt log, token owners.

Revision ID: 0006_staff_security
Revises: 0005_erasure
Create Date: 2026-12-01

``login_throttles`` replaces ``login_attempts``: one row per (account, address) and
per address, locked while an attempt is checked, so that several app processes count
together; its keys are SHA-256 digests, not e-mail addresses and client addresses.
``api_tokens.staff_id`` names the account a token acts for (refused while disabled).

Self-contained on purpose: later model changes must not rewrite this revision.
The models are in ``trialbot.accounts``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_staff_security"
down_revision = "0005_erasure"
branch_labels = None
depends_on = None


def utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "login_throttles",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("last_failure_at", utc(), nullable=False),
        sa.CheckConstraint(
            "scope IN ('account_address', 'address')", name=op.f("ck_login_throttles_scope")
        ),
        sa.PrimaryKeyConstraint("scope", "key_hash", name=op.f("pk_login_throttles")),
    )
    op.create_index(
        op.f("ix_login_throttles_last_failure_at"), "login_throttles", ["last_failure_at"]
    )
    # Failures counted the old way are not carried over: the new limits start afresh.
    op.drop_index("ix_login_attempts_address_at", table_name="login_attempts")
    op.drop_index("ix_login_attempts_email_at", table_name="login_attempts")
    op.drop_table("login_attempts")
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("staff_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_api_tokens_staff_id_staff_users"),
            "staff_users",
            ["staff_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index(op.f("ix_api_tokens_staff_id"), ["staff_id"])


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_index(op.f("ix_api_tokens_staff_id"))
        batch.drop_constraint(op.f("fk_api_tokens_staff_id_staff_users"), type_="foreignkey")
        batch.drop_column("staff_id")
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    op.create_index("ix_login_attempts_email_at", "login_attempts", ["email", "at"])
    op.create_index("ix_login_attempts_address_at", "login_attempts", ["address", "at"])
    op.drop_index(op.f("ix_login_throttles_last_failure_at"), table_name="login_throttles")
    op.drop_table("login_throttles")

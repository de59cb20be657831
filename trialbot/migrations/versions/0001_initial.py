"""Initial schema: screenings, answers, consent, contacts, handoffs, outbox, audit.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-24

Self-contained on purpose: later model changes must not rewrite this revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None


def utc() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def screening_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["screening_id"],
        ["screenings.id"],
        name=op.f(f"fk_{table}_screening_id_screenings"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "screenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("trial_id", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=True),
        sa.Column("consent_version", sa.String(length=64), nullable=True),
        sa.Column("started_at", utc(), nullable=False),
        sa.Column("updated_at", utc(), nullable=False),
        sa.Column("completed_at", utc(), nullable=True),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('likely_eligible', 'possibly_eligible',"
            " 'not_eligible', 'declined', 'incomplete')",
            name=op.f("ck_screenings_outcome"),
        ),
        sa.CheckConstraint(
            "status IN ('in_progress', 'declined', 'completed', 'restarted', 'stopped')",
            name=op.f("ck_screenings_status"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_screenings")),
    )
    op.create_index(op.f("ix_screenings_sender_id"), "screenings", ["sender_id"])
    op.create_index(op.f("ix_screenings_trial_id"), "screenings", ["trial_id"])
    # At most one current screening per candidate and trial.
    op.create_index(
        "uq_screenings_current",
        "screenings",
        ["sender_id", "trial_id"],
        unique=True,
        sqlite_where=sa.text("status != 'restarted'"),
        postgresql_where=sa.text("status != 'restarted'"),
    )

    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("value", sa.JSON(), nullable=True),
        sa.Column("understood", sa.Boolean(), nullable=False),
        sa.Column("hedged", sa.Boolean(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("answered_at", utc(), nullable=False),
        sa.Column("superseded_at", utc(), nullable=True),
        screening_fk("answers"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
    )
    op.create_index(op.f("ix_answers_screening_id"), "answers", ["screening_id"])
    # One current answer per question: corrections supersede, never delete.
    op.create_index(
        "uq_answers_current",
        "answers",
        ["screening_id", "question_id"],
        unique=True,
        sqlite_where=sa.text("superseded_at IS NULL"),
        postgresql_where=sa.text("superseded_at IS NULL"),
    )

    op.create_table(
        "question_asks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.String(length=64), nullable=False),
        sa.Column("asked_at", utc(), nullable=False),
        sa.Column("attempt", sa.Integer(), nullable=False),
        screening_fk("question_asks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_question_asks")),
    )
    op.create_index(op.f("ix_question_asks_screening_id"), "question_asks", ["screening_id"])

    op.create_table(
        "criterion_results",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("criterion_id", sa.String(length=64), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("evaluated_at", utc(), nullable=False),
        sa.CheckConstraint(
            "verdict IN ('pass', 'fail', 'unknown')", name=op.f("ck_criterion_results_verdict")
        ),
        screening_fk("criterion_results"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_criterion_results")),
        sa.UniqueConstraint(
            "screening_id",
            "criterion_id",
            name=op.f("uq_criterion_results_screening_id_criterion_id"),
        ),
    )

    op.create_table(
        "consent_records",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("trial_id", sa.String(length=64), nullable=False),
        sa.Column("consent_version", sa.String(length=64), nullable=False),
        sa.Column("agreed", sa.Boolean(), nullable=False),
        sa.Column("channel", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", utc(), nullable=False),
        screening_fk("consent_records"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_records")),
    )
    op.create_index(op.f("ix_consent_records_screening_id"), "consent_records", ["screening_id"])
    op.create_index(op.f("ix_consent_records_sender_id"), "consent_records", ["sender_id"])

    op.create_table(
        "contact_details",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("phone", sa.Text(), nullable=True),
        sa.Column("email", sa.Text(), nullable=True),
        sa.Column("future_contact", sa.Boolean(), nullable=True),
        sa.Column("updated_at", utc(), nullable=False),
        screening_fk("contact_details"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_details")),
        sa.UniqueConstraint("screening_id", name=op.f("uq_contact_details_screening_id")),
    )

    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("screening_id", sa.Integer(), nullable=False),
        sa.Column("sender_id", sa.String(length=255), nullable=False),
        sa.Column("trial_id", sa.String(length=64), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", utc(), nullable=False),
        sa.Column("updated_at", utc(), nullable=False),
        sa.CheckConstraint("priority IN ('high', 'review')", name=op.f("ck_handoffs_priority")),
        sa.CheckConstraint(
            "status IN ('new', 'contacted', 'scheduled', 'enrolled', 'not_enrolled',"
            " 'unreachable')",
            name=op.f("ck_handoffs_status"),
        ),
        screening_fk("handoffs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        sa.UniqueConstraint("screening_id", name=op.f("uq_handoffs_screening_id")),
    )
    op.create_index(op.f("ix_handoffs_sender_id"), "handoffs", ["sender_id"])
    op.create_index(op.f("ix_handoffs_status"), "handoffs", ["status"])
    op.create_index(op.f("ix_handoffs_trial_id"), "handoffs", ["trial_id"])

    op.create_table(
        "handoff_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_handoff_events_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoff_events")),
    )
    op.create_index(op.f("ix_handoff_events_handoff_id"), "handoff_events", ["handoff_id"])

    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("handoff_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", utc(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", utc(), nullable=False),
        sa.Column("sent_at", utc(), nullable=True),
        sa.CheckConstraint(
            "channel IN ('email', 'webhook')", name=op.f("ck_notification_outbox_channel")
        ),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'failed')", name=op.f("ck_notification_outbox_status")
        ),
        sa.ForeignKeyConstraint(
            ["handoff_id"],
            ["handoffs.id"],
            name=op.f("fk_notification_outbox_handoff_id_handoffs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
        # A handoff is never notified twice on one channel.
        sa.UniqueConstraint(
            "handoff_id", "channel", name=op.f("uq_notification_outbox_handoff_id_channel")
        ),
    )
    op.create_index(
        "ix_notification_outbox_due", "notification_outbox", ["status", "next_attempt_at"]
    )

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", utc(), nullable=False),
        sa.Column("actor", sa.String(length=255), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index("ix_audit_events_object", "audit_events", ["object_type", "object_id"])


def downgrade() -> None:
    for table in (
        "audit_events",
        "notification_outbox",
        "handoff_events",
        "handoffs",
        "contact_details",
        "consent_records",
        "criterion_results",
        "question_asks",
        "answers",
        "screenings",
    ):
        op.drop_table(table)

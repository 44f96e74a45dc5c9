"""recommendations and their updates; information requests, questions, recipients, answers, reminders

Revision ID: 0003_recommendations_requests
Revises: 0002_form_stash
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_recommendations_requests"
down_revision = "0002_form_stash"
branch_labels = None
depends_on = None

STATUSES = "'open', 'in_progress', 'done', 'dropped'"


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer(), nullable=False)


def upgrade() -> None:
    op.create_table(
        "recommendations",
        _id(),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("standards", sa.String(length=200), nullable=False),
        sa.Column("owner_kind", sa.String(length=12), nullable=False),
        sa.Column("owner_name", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("dropped_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"status IN ({STATUSES})", name=op.f("ck_recommendations_status")),
        sa.CheckConstraint("owner_kind IN ('chair', 'committee', 'agency', 'sector')",
                           name=op.f("ck_recommendations_owner_kind")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_recommendations_created_by_id_users")),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"],
                                name=op.f("fk_recommendations_cycle_id_cycles")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendations")),
    )
    op.create_index(op.f("ix_recommendations_cycle_id"), "recommendations", ["cycle_id"])
    op.create_table(
        "recommendation_updates",
        _id(),
        sa.Column("recommendation_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(f"status IN ({STATUSES})",
                           name=op.f("ck_recommendation_updates_status")),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"],
                                name=op.f("fk_recommendation_updates_recommendation_id_recommendations")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_recommendation_updates_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_updates")),
    )
    op.create_index(op.f("ix_recommendation_updates_recommendation_id"), "recommendation_updates",
                    ["recommendation_id"])
    op.create_table(
        "information_requests",
        _id(),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("introduction", sa.Text(), nullable=False),
        sa.Column("signatory", sa.String(length=200), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("audience", sa.String(length=10), nullable=False),
        sa.Column("sector_id", sa.Integer(), nullable=True),
        sa.Column("recommendation_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("audience IN ('all', 'sector', 'chosen')",
                           name=op.f("ck_information_requests_audience")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"],
                                name=op.f("fk_information_requests_created_by_id_users")),
        sa.ForeignKeyConstraint(["recommendation_id"], ["recommendations.id"],
                                name=op.f("fk_information_requests_recommendation_id_recommendations")),
        sa.ForeignKeyConstraint(["sector_id"], ["sectors.id"],
                                name=op.f("fk_information_requests_sector_id_sectors")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_information_requests")),
    )
    op.create_index(op.f("ix_information_requests_recommendation_id"), "information_requests",
                    ["recommendation_id"])
    op.create_table(
        "request_questions",
        _id(),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.CheckConstraint("kind IN ('text', 'yes_no', 'choice')",
                           name=op.f("ck_request_questions_kind")),
        sa.ForeignKeyConstraint(["request_id"], ["information_requests.id"],
                                name=op.f("fk_request_questions_request_id_information_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_questions")),
        sa.UniqueConstraint("request_id", "position",
                            name=op.f("uq_request_questions_request_id_position")),
    )
    op.create_index(op.f("ix_request_questions_request_id"), "request_questions", ["request_id"])
    op.create_table(
        "request_recipients",
        _id(),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answered_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_request_recipients_agency_id_agencies")),
        sa.ForeignKeyConstraint(["answered_by_id"], ["users.id"],
                                name=op.f("fk_request_recipients_answered_by_id_users")),
        sa.ForeignKeyConstraint(["request_id"], ["information_requests.id"],
                                name=op.f("fk_request_recipients_request_id_information_requests")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_recipients")),
        sa.UniqueConstraint("request_id", "agency_id",
                            name=op.f("uq_request_recipients_request_id_agency_id")),
    )
    op.create_index(op.f("ix_request_recipients_request_id"), "request_recipients", ["request_id"])
    op.create_index(op.f("ix_request_recipients_agency_id"), "request_recipients", ["agency_id"])
    op.create_table(
        "request_answers",
        _id(),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["question_id"], ["request_questions.id"],
                                name=op.f("fk_request_answers_question_id_request_questions")),
        sa.ForeignKeyConstraint(["recipient_id"], ["request_recipients.id"],
                                name=op.f("fk_request_answers_recipient_id_request_recipients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_answers")),
        sa.UniqueConstraint("recipient_id", "question_id",
                            name=op.f("uq_request_answers_recipient_id_question_id")),
    )
    op.create_index(op.f("ix_request_answers_recipient_id"), "request_answers", ["recipient_id"])
    op.create_index(op.f("ix_request_answers_question_id"), "request_answers", ["question_id"])
    op.create_table(
        "request_reminders",
        _id(),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("stage_code", sa.String(length=40), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["recipient_id"], ["request_recipients.id"],
                                name=op.f("fk_request_reminders_recipient_id_request_recipients")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_reminders")),
        sa.UniqueConstraint("recipient_id", "stage_code",
                            name=op.f("uq_request_reminders_recipient_id_stage_code")),
    )
    op.create_index(op.f("ix_request_reminders_recipient_id"), "request_reminders",
                    ["recipient_id"])


def downgrade() -> None:
    for table in ("request_reminders", "request_answers", "request_recipients",
                  "request_questions", "information_requests", "recommendation_updates",
                  "recommendations"):
        op.drop_table(table)

"""practitioner survey: statements and their questions, links, anonymous responses and answers;
targeted moderation samples

Revision ID: 0009_practitioner_survey
Revises: 0008_published_reports
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009_practitioner_survey"
down_revision = "0008_published_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "survey_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tool_version_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tool_version_id"], ["tool_versions.id"],
                                name=op.f("fk_survey_statements_tool_version_id_tool_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_statements")),
        sa.UniqueConstraint("tool_version_id", "code",
                            name=op.f("uq_survey_statements_tool_version_id_code")),
    )
    op.create_index(op.f("ix_survey_statements_tool_version_id"), "survey_statements",
                    ["tool_version_id"])
    op.create_table(
        "survey_statement_questions",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["survey_statements.id"],
                                name=op.f("fk_survey_statement_questions_statement_id_survey_statements")),
        sa.ForeignKeyConstraint(["question_id"], ["questions.id"],
                                name=op.f("fk_survey_statement_questions_question_id_questions")),
        sa.PrimaryKeyConstraint("statement_id", "question_id",
                                name=op.f("pk_survey_statement_questions")),
    )
    op.create_index(op.f("ix_survey_statement_questions_question_id"), "survey_statement_questions",
                    ["question_id"])
    op.create_table(
        "survey_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"],
                                name=op.f("fk_survey_links_cycle_id_cycles")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_survey_links_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_links")),
        sa.UniqueConstraint("cycle_id", "agency_id", name=op.f("uq_survey_links_cycle_id_agency_id")),
        sa.UniqueConstraint("token", name=op.f("uq_survey_links_token")),
    )
    op.create_index(op.f("ix_survey_links_cycle_id"), "survey_links", ["cycle_id"])
    op.create_index(op.f("ix_survey_links_agency_id"), "survey_links", ["agency_id"])
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("role_band", sa.String(length=20), nullable=True),
        sa.Column("service_band", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"],
                                name=op.f("fk_survey_responses_cycle_id_cycles")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_survey_responses_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_responses")),
    )
    op.create_index(op.f("ix_survey_responses_cycle_id"), "survey_responses", ["cycle_id"])
    op.create_index(op.f("ix_survey_responses_agency_id"), "survey_responses", ["agency_id"])
    op.create_table(
        "survey_answers",
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.CheckConstraint("answer IN ('agree', 'partly', 'disagree', 'dont_know')",
                           name=op.f("ck_survey_answers_answer")),
        sa.ForeignKeyConstraint(["response_id"], ["survey_responses.id"],
                                name=op.f("fk_survey_answers_response_id_survey_responses")),
        sa.ForeignKeyConstraint(["statement_id"], ["survey_statements.id"],
                                name=op.f("fk_survey_answers_statement_id_survey_statements")),
        sa.PrimaryKeyConstraint("response_id", "statement_id", name=op.f("pk_survey_answers")),
    )
    op.create_index(op.f("ix_survey_answers_statement_id"), "survey_answers", ["statement_id"])
    with op.batch_alter_table("moderation_samples") as batch_op:
        batch_op.add_column(sa.Column("targeted", sa.Float(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("targeted_chosen", sa.JSON(), nullable=False,
                                      server_default="[]"))


def downgrade() -> None:
    with op.batch_alter_table("moderation_samples") as batch_op:
        batch_op.drop_column("targeted_chosen")
        batch_op.drop_column("targeted")
    op.drop_index(op.f("ix_survey_answers_statement_id"), table_name="survey_answers")
    op.drop_table("survey_answers")
    op.drop_index(op.f("ix_survey_responses_agency_id"), table_name="survey_responses")
    op.drop_index(op.f("ix_survey_responses_cycle_id"), table_name="survey_responses")
    op.drop_table("survey_responses")
    op.drop_index(op.f("ix_survey_links_agency_id"), table_name="survey_links")
    op.drop_index(op.f("ix_survey_links_cycle_id"), table_name="survey_links")
    op.drop_table("survey_links")
    op.drop_index(op.f("ix_survey_statement_questions_question_id"),
                  table_name="survey_statement_questions")
    op.drop_table("survey_statement_questions")
    op.drop_index(op.f("ix_survey_statements_tool_version_id"), table_name="survey_statements")
    op.drop_table("survey_statements")

"""published_reports: a closed cycle's report as published, in versions

Revision ID: 0008_published_reports
Revises: 0007_short_tool
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_published_reports"
down_revision = "0007_short_tool"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=False),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycles.id"],
                                name=op.f("fk_published_reports_cycle_id_cycles")),
        sa.ForeignKeyConstraint(["published_by_id"], ["users.id"],
                                name=op.f("fk_published_reports_published_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_reports")),
        sa.UniqueConstraint("cycle_id", "version",
                            name=op.f("uq_published_reports_cycle_id_version")),
    )
    op.create_index(op.f("ix_published_reports_cycle_id"), "published_reports", ["cycle_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_published_reports_cycle_id"), table_name="published_reports")
    op.drop_table("published_reports")

"""published_figures: the report data behind each published version, for all sectors and each
sector, so every format of a closed cycle's report renders as published

Existing versions are filled in by `flask reports publish-missing` (the demo load does it), for
the latest version whose figures still stand; this migration only makes the table.

Revision ID: 0010_published_figures
Revises: 0009_practitioner_survey
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010_published_figures"
down_revision = "0009_practitioner_survey"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "published_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("published_report_id", sa.Integer(), nullable=False),
        sa.Column("sector", sa.Text(), nullable=False),
        sa.Column("report", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_report_id"], ["published_reports.id"],
            name=op.f("fk_published_figures_published_report_id_published_reports")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_published_figures")),
        sa.UniqueConstraint("published_report_id", "sector",
                            name=op.f("uq_published_figures_published_report_id_sector")),
    )
    op.create_index(op.f("ix_published_figures_published_report_id"), "published_figures",
                    ["published_report_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_published_figures_published_report_id"),
                  table_name="published_figures")
    op.drop_table("published_figures")

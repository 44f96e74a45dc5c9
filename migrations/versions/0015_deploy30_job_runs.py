"""When each scheduled job (chasers, mail, backup) last succeeded, for /metrics (issue 30)

Revision ID: 0015_deploy30_job_runs
Revises: 0014_survey_privacy
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0015_deploy30_job_runs"
down_revision = "0014_survey_privacy"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "job_runs",
        sa.Column("name", sa.String(40), nullable=False),
        sa.Column("last_success_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_job_runs")),
    )


def downgrade() -> None:
    op.drop_table("job_runs")

"""An index of returns by partnership, cycle and status (issue 31): the dashboards' history of
return rates counts each cycle's issued and submitted returns from the index alone, instead of
reading every return of every year on each view.

Revision ID: 0020_returns_by_cycle_status
Revises: 0019_partnerships
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0020_returns_by_cycle_status"
down_revision = "0019_partnerships"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_returns_partnership_cycle_status", "returns",
                    ["partnership_id", "cycle_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_returns_partnership_cycle_status", table_name="returns")

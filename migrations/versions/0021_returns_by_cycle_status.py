"""Indexes for the cycle dashboard (issue 31): returns by partnership, cycle and status (the
history of return rates counts each cycle's issued and submitted returns from the index alone,
instead of reading every return of every year on each view), and the bounced contacts (a
partial index: the few bounced addresses without reading every contact).

Revision ID: 0021_returns_by_cycle_status
Revises: 0020_row_level_security
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021_returns_by_cycle_status"
down_revision = "0020_row_level_security"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_returns_partnership_cycle_status", "returns",
                    ["partnership_id", "cycle_id", "status"])
    bounced = sa.text("bounced_at IS NOT NULL")
    op.create_index("ix_contacts_bounced", "contacts", ["agency_id"], postgresql_where=bounced,
                    sqlite_where=bounced)


def downgrade() -> None:
    op.drop_index("ix_contacts_bounced", table_name="contacts")
    op.drop_index("ix_returns_partnership_cycle_status", table_name="returns")

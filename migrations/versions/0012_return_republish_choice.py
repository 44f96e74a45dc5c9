"""returns.republish_on_resubmit: what a manager chose, reopening a closed cycle's return, for its
published figures when the agency submits it again (true: republish; false: keep; NULL: not a
closed cycle's reopened return)

Revision ID: 0012_return_republish_choice
Revises: 0011_visit_slots
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_return_republish_choice"
down_revision = "0011_visit_slots"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("returns") as batch_op:
        batch_op.add_column(sa.Column("republish_on_resubmit", sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("returns") as batch_op:
        batch_op.drop_column("republish_on_resubmit")

"""visit_slots: dates and times offered to an agency for its moderation visit

Revision ID: 0011_visit_slots
Revises: 0010_published_figures
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_visit_slots"
down_revision = "0010_published_figures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "visit_slots",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("offered_at", sa.DateTime(), nullable=False),
        sa.Column("offered_by_id", sa.Integer(), nullable=True),
        sa.Column("chosen_at", sa.DateTime(), nullable=True),
        sa.Column("chosen_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["visit_id"], ["visits.id"],
                                name=op.f("fk_visit_slots_visit_id_visits")),
        sa.ForeignKeyConstraint(["offered_by_id"], ["users.id"],
                                name=op.f("fk_visit_slots_offered_by_id_users")),
        sa.ForeignKeyConstraint(["chosen_by_id"], ["users.id"],
                                name=op.f("fk_visit_slots_chosen_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_slots")),
        sa.UniqueConstraint("visit_id", "starts_at",
                            name=op.f("uq_visit_slots_visit_id_starts_at")),
    )
    op.create_index(op.f("ix_visit_slots_visit_id"), "visit_slots", ["visit_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_visit_slots_visit_id"), table_name="visit_slots")
    op.drop_table("visit_slots")

"""form stash: input posted after the session expired, restored after sign-in

Revision ID: 0002_form_stash
Revises: 0001
Create Date: 2026-11-28
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_form_stash"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "form_stashes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=500), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_stashes")),
        sa.UniqueConstraint("token", name=op.f("uq_form_stashes_token")),
    )
    with op.batch_alter_table("form_stashes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_stashes_created_at"), ["created_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("form_stashes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_stashes_created_at"))
    op.drop_table("form_stashes")

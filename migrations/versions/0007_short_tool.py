"""short tool: per-variant wording, page groups, one evidence box, sectors' default variant,
copied answers marked until saved

Revision ID: 0007_short_tool
Revises: 0006_case_insensitive_lookups
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_short_tool"
down_revision = "0006_case_insensitive_lookups"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("tool_versions") as batch_op:
        batch_op.add_column(sa.Column("pages", sa.JSON(), nullable=True))
    with op.batch_alter_table("standards") as batch_op:
        batch_op.add_column(sa.Column("short_title", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("short_summary", sa.Text(), nullable=True))
    with op.batch_alter_table("questions") as batch_op:
        batch_op.add_column(sa.Column("short_text", sa.Text(), nullable=True))
    with op.batch_alter_table("grade_descriptors") as batch_op:
        batch_op.add_column(sa.Column("short_text", sa.Text(), nullable=True))
    with op.batch_alter_table("returns") as batch_op:
        batch_op.add_column(sa.Column("overall_evidence", sa.Text(), nullable=True))
    with op.batch_alter_table("answers") as batch_op:
        batch_op.add_column(sa.Column("copied_from", sa.String(length=20), nullable=True))
    with op.batch_alter_table("sectors") as batch_op:
        batch_op.add_column(sa.Column("default_variant", sa.String(length=10), nullable=False,
                                      server_default="full"))
    op.execute("UPDATE sectors SET default_variant = 'short' "
               "WHERE name = 'Voluntary and community'")
    op.execute("UPDATE sectors SET default_variant = 'schools' WHERE name = 'Schools and colleges'")
    with op.batch_alter_table("sectors") as batch_op:
        batch_op.alter_column("default_variant", server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("sectors") as batch_op:
        batch_op.drop_column("default_variant")
    with op.batch_alter_table("answers") as batch_op:
        batch_op.drop_column("copied_from")
    with op.batch_alter_table("returns") as batch_op:
        batch_op.drop_column("overall_evidence")
    with op.batch_alter_table("grade_descriptors") as batch_op:
        batch_op.drop_column("short_text")
    with op.batch_alter_table("questions") as batch_op:
        batch_op.drop_column("short_text")
    with op.batch_alter_table("standards") as batch_op:
        batch_op.drop_column("short_title")
        batch_op.drop_column("short_summary")
    with op.batch_alter_table("tool_versions") as batch_op:
        batch_op.drop_column("pages")

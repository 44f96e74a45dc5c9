"""Practitioner survey privacy and stuffing (issue 26): random 64-bit response ids, the day a
response came (no finer time), a burst flag and a set-aside reason on responses, and the staff
headcount an agency declares for its link (the most responses the link accepts) and how many
it has taken, and a short code to type from the poster

Revision ID: 0014_survey_privacy
Revises: 0013_sqlite_lower
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014_survey_privacy"
down_revision = "0013_sqlite_lower"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("survey_answers") as batch_op:
        batch_op.alter_column("response_id", type_=sa.BigInteger(), existing_nullable=False)
    with op.batch_alter_table("survey_responses") as batch_op:
        batch_op.alter_column("id", type_=sa.BigInteger(), existing_nullable=False)
        batch_op.add_column(sa.Column("answered_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("flag", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("set_aside", sa.String(500), nullable=True))
    with op.batch_alter_table("survey_links") as batch_op:
        batch_op.add_column(sa.Column("headcount", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("taken", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("short_code", sa.String(12), nullable=True))
        batch_op.create_unique_constraint("uq_survey_links_short_code", ["short_code"])
    op.execute("UPDATE survey_links SET taken = (SELECT count(*) FROM survey_responses r "
               "WHERE r.cycle_id = survey_links.cycle_id AND r.agency_id = survey_links.agency_id)")


def downgrade() -> None:
    with op.batch_alter_table("survey_links") as batch_op:
        batch_op.drop_constraint("uq_survey_links_short_code", type_="unique")
        batch_op.drop_column("short_code")
        batch_op.drop_column("taken")
        batch_op.drop_column("headcount")
    with op.batch_alter_table("survey_responses") as batch_op:
        batch_op.drop_column("set_aside")
        batch_op.drop_column("flag")
        batch_op.drop_column("answered_on")
        batch_op.alter_column("id", type_=sa.Integer(), existing_nullable=False)
    with op.batch_alter_table("survey_answers") as batch_op:
        batch_op.alter_column("response_id", type_=sa.Integer(), existing_nullable=False)

"""case-insensitive lookups: expression indexes on lower(users.email) and lower(agencies.name)

Revision ID: 0006_case_insensitive_lookups
Revises: 0005_reliable_mail
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_case_insensitive_lookups"
down_revision = "0005_reliable_mail"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")], unique=True)
    op.create_index("ix_agencies_name_lower", "agencies", [sa.text("lower(name)")], unique=True)


def downgrade() -> None:
    op.drop_index("ix_agencies_name_lower", table_name="agencies")
    op.drop_index("ix_users_email_lower", table_name="users")

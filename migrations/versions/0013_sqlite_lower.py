"""SQLite: rebuild the lower(users.email) and lower(agencies.name) unique indexes with the
portal's lower(), which folds every letter as PostgreSQL's does (SQLite's own folds only A-Z);
nothing changes on PostgreSQL

Revision ID: 0013_sqlite_lower
Revises: 0012_return_republish_choice
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

revision = "0013_sqlite_lower"
down_revision = "0012_return_republish_choice"
branch_labels = None
depends_on = None

INDEXES = ("ix_agencies_name_lower", "ix_users_email_lower")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # the same function portal.db registers on every connection the portal opens
    bind.connection.driver_connection.create_function(  # type: ignore[union-attr]
        "lower", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True)
    for index in INDEXES:
        op.execute(f"REINDEX {index}")  # fails on two names that differ only in case: rename one


def downgrade() -> None:
    pass  # the index is as valid under SQLite's own lower(), which folds fewer letters

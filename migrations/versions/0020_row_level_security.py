"""Row-level security on every partnership-owned table (issue 28, step 4), on PostgreSQL only:
enabled and forced, with one policy showing and accepting only the rows of the partnership the
transaction names in `portal.partnership` (portal/row_security.py)

Revision ID: 0020_row_level_security
Revises: 0019_partnerships
Create Date: 2026-12-03
"""

from __future__ import annotations

from alembic import op

from portal.row_security import FIRST_OWNED, secure, unsecure

revision = "0020_row_level_security"
down_revision = "0019_partnerships"
branch_labels = None
depends_on = None

SECURED = FIRST_OWNED


def upgrade() -> None:
    for table in SECURED:
        secure(op, table)


def downgrade() -> None:
    for table in reversed(SECURED):
        unsecure(op, table)

"""Partnerships as tenants (issue 28): the partnerships table, holding the installation's own
partnership (named from the environment), and partnership_id on every partnership-owned table,
each row given to that partnership

Revision ID: 0019_partnerships
Revises: 0018_passkeys29_passkeys
Create Date: 2026-12-03
"""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from config import Settings
from portal.row_security import FIRST_OWNED

revision = "0019_partnerships"
down_revision = "0018_passkeys29_passkeys"
branch_labels = None
depends_on = None

FIRST = 1
# Every table of one partnership's data (portal.models.PartnershipOwned); the others are shared
# reference data (sectors, tools, survey statements), people and their factors, or the
# service's own (job runs, mail pauses, throttles). One list, which 0020 secures as well.
OWNED = FIRST_OWNED


def upgrade() -> None:
    partnerships = op.create_table(
        "partnerships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("help_email", sa.String(254), nullable=False),
        sa.Column("dpo_email", sa.String(254), nullable=False),
        sa.Column("host", sa.String(253), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnerships")),
        sa.UniqueConstraint("slug", name=op.f("uq_partnerships_slug")),
        sa.UniqueConstraint("host", name=op.f("uq_partnerships_host")),
    )
    op.bulk_insert(partnerships, [_installations_partnership()])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("SELECT setval(pg_get_serial_sequence('partnerships', 'id'), 1)")
    for table in OWNED:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("partnership_id", sa.Integer(), nullable=False,
                                       server_default=sa.text(str(FIRST))))
            batch.create_foreign_key(f"fk_{table}_partnership_id_partnerships", "partnerships",
                                     ["partnership_id"], ["id"])


def downgrade() -> None:
    for table in reversed(OWNED):
        with op.batch_alter_table(table) as batch:
            batch.drop_constraint(f"fk_{table}_partnership_id_partnerships", type_="foreignkey")
            batch.drop_column("partnership_id")
    op.drop_table("partnerships")


def _installations_partnership() -> dict[str, object]:
    """The partnership this installation served until now, as its environment names it, with
    the defaults the pages fall back on (config.Settings')."""
    name = os.environ.get("PARTNERSHIP_NAME") or Settings.PARTNERSHIP_NAME
    help_email = os.environ.get("HELP_EMAIL") or Settings.HELP_EMAIL
    slug = os.environ.get("PARTNERSHIP_SLUG") or _slug(name)
    return {"id": FIRST, "slug": slug, "name": name, "help_email": help_email,
            "dpo_email": os.environ.get("PARTNERSHIP_DPO_EMAIL", ""), "host": None,
            "created_at": datetime.now(UTC).replace(tzinfo=None)}


def _slug(name: str) -> str:
    """'Anyshire Safeguarding Children Partnership' -> 'anyshire'."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    return (words[0] if words else "partnership")[:40]

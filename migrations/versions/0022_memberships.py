"""People's roles per partnership (issue 28, step 1): partnership_members (user, partnership,
role, agency), every user's role and agency moved into a membership of the installation's own
partnership, users.role and users.agency_id dropped; users.is_operator, the service's operator

Revision ID: 0022_memberships
Revises: 0021_returns_by_cycle_status
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022_memberships"
down_revision = "0021_returns_by_cycle_status"
branch_labels = None
depends_on = None

FIRST = 1
# The partnership-owned tables this migration adds (0019_partnerships' OWNED has the others).
OWNED = ("partnership_members",)
ROLES = "role IN ('agency', 'manager', 'moderator', 'committee')"
AGENCY_USERS = "(role = 'agency') = (agency_id IS NOT NULL)"


def upgrade() -> None:
    op.create_table(
        "partnership_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("partnership_id", sa.Integer(), nullable=False,
                  server_default=sa.text(str(FIRST))),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(ROLES, name=op.f("ck_partnership_members_role")),
        sa.CheckConstraint(AGENCY_USERS, name=op.f("ck_partnership_members_agency_members_have_agency")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"],
                                name=op.f("fk_partnership_members_user_id_users")),
        sa.ForeignKeyConstraint(["partnership_id"], ["partnerships.id"],
                                name=op.f("fk_partnership_members_partnership_id_partnerships")),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"],
                                name=op.f("fk_partnership_members_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partnership_members")),
        sa.UniqueConstraint("user_id", "partnership_id",
                            name=op.f("uq_partnership_members_user_id")),
    )
    op.create_index(op.f("ix_partnership_members_partnership_id"), "partnership_members",
                    ["partnership_id", "role"])
    op.create_index(op.f("ix_partnership_members_agency_id"), "partnership_members",
                    ["agency_id"])
    op.execute(sa.text(
        "INSERT INTO partnership_members (user_id, partnership_id, role, agency_id, created_at) "
        "SELECT id, :first, role, agency_id, created_at FROM users ORDER BY id"
    ).bindparams(first=FIRST))
    with _users_batch() as batch:
        batch.drop_constraint(op.f("ck_users_agency_users_have_agency"), type_="check")
        batch.drop_constraint(op.f("ck_users_role"), type_="check")
        batch.drop_index(op.f("ix_users_agency_id"))
        batch.drop_constraint(op.f("fk_users_agency_id_agencies"), type_="foreignkey")
        batch.drop_column("agency_id")
        batch.drop_column("role")
        batch.add_column(sa.Column("is_operator", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    _restore_email_index()


def downgrade() -> None:
    with _users_batch() as batch:
        batch.drop_column("is_operator")
        # filled from the memberships below; 'committee' (who sees least) until then
        batch.add_column(sa.Column("role", sa.String(20), nullable=False,
                                   server_default="committee"))
        batch.add_column(sa.Column("agency_id", sa.Integer(), nullable=True))
    _restore_email_index()
    op.execute(sa.text(
        "UPDATE users SET role = (SELECT m.role FROM partnership_members m WHERE m.user_id = "
        "users.id AND m.partnership_id = :first), agency_id = (SELECT m.agency_id FROM "
        "partnership_members m WHERE m.user_id = users.id AND m.partnership_id = :first) "
        "WHERE id IN (SELECT user_id FROM partnership_members WHERE partnership_id = :first)"
    ).bindparams(first=FIRST))
    with _users_batch() as batch:
        batch.alter_column("role", server_default=None)
        batch.create_foreign_key(op.f("fk_users_agency_id_agencies"), "agencies", ["agency_id"], ["id"])
        batch.create_index(op.f("ix_users_agency_id"), ["agency_id"])
        batch.create_check_constraint(op.f("ck_users_role"), sa.text(ROLES))
        batch.create_check_constraint(op.f("ck_users_agency_users_have_agency"), sa.text(AGENCY_USERS))
    _restore_email_index()
    op.drop_table("partnership_members")


def _users_batch():  # type: ignore[no-untyped-def]
    """users altered in place (PostgreSQL) or copied (SQLite). The copy would lose the
    lower(email) index, an expression SQLite's reflection skips: it is dropped first and made
    again after (_restore_email_index)."""
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP INDEX IF EXISTS ix_users_email_lower")
    return op.batch_alter_table("users")


def _restore_email_index() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    # the portal's lower(), as portal.db registers it on every connection (0013_sqlite_lower)
    bind.connection.driver_connection.create_function(  # type: ignore[union-attr]
        "lower", 1, lambda v: v.lower() if isinstance(v, str) else v, deterministic=True)
    op.execute("CREATE UNIQUE INDEX IF NOT EXISTS ix_users_email_lower ON users (lower(email))")

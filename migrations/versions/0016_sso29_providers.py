"""Single sign-on: identity providers, the email domains they serve, linked identities (issue 29)

Revision ID: 0016_sso29_providers
Revises: 0015_deploy30_job_runs
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016_sso29_providers"
down_revision = "0015_deploy30_job_runs"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sa.String(40), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("issuer", sa.String(500), nullable=False),
        sa.Column("client_id", sa.String(200), nullable=False),
        sa.Column("client_secret", sa.String(500), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_providers_agency_id_agencies")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_providers")),
        sa.UniqueConstraint("slug", name=op.f("uq_identity_providers_slug")),
    )
    op.create_index(op.f("ix_identity_providers_agency_id"), "identity_providers", ["agency_id"])
    op.create_table(
        "identity_provider_domains",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(253), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["identity_providers.id"], ondelete="CASCADE",
                                name=op.f("fk_identity_provider_domains_provider_id_identity_providers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_identity_provider_domains")),
        sa.UniqueConstraint("domain", name=op.f("uq_identity_provider_domains_domain")),
    )
    op.create_index(op.f("ix_identity_provider_domains_provider_id"), "identity_provider_domains",
                    ["provider_id"])
    op.create_table(
        "linked_identities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["provider_id"], ["identity_providers.id"], ondelete="CASCADE",
                                name=op.f("fk_linked_identities_provider_id_identity_providers")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE",
                                name=op.f("fk_linked_identities_user_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_linked_identities")),
        sa.UniqueConstraint("provider_id", "subject",
                            name=op.f("uq_linked_identities_provider_id_subject")),
        sa.UniqueConstraint("provider_id", "user_id",
                            name=op.f("uq_linked_identities_provider_id_user_id")),
    )
    op.create_index(op.f("ix_linked_identities_provider_id"), "linked_identities", ["provider_id"])
    op.create_index(op.f("ix_linked_identities_user_id"), "linked_identities", ["user_id"])


def downgrade() -> None:
    op.drop_table("linked_identities")
    op.drop_table("identity_provider_domains")
    op.drop_table("identity_providers")

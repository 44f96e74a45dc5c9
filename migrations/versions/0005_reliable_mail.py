"""reliable mail: claims with a lease, a retry window, "undelivered", delivery pauses; one
moderation sample in force per cycle

Revision ID: 0005_reliable_mail
Revises: 0004_security
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_reliable_mail"
down_revision = "0004_security"
branch_labels = None
depends_on = None

NEW_STATUSES = "status IN ('pending', 'sending', 'sent', 'failed', 'undelivered')"
OLD_STATUSES = "status IN ('pending', 'sent', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_outbox_messages_status"), type_="check")
        batch_op.alter_column("status", existing_type=sa.String(length=10),
                              type_=sa.String(length=12), existing_nullable=False)
        batch_op.add_column(sa.Column("retry_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.create_check_constraint(op.f("ck_outbox_messages_status"), sa.text(NEW_STATUSES))
        batch_op.create_index("ix_outbox_messages_due", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "mail_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("since", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mail_pauses")),
    )
    with op.batch_alter_table("mail_pauses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_mail_pauses_ended_at"), ["ended_at"], unique=False)
    op.create_index("uq_moderation_samples_current", "moderation_samples", ["cycle_id"],
                    unique=True, sqlite_where=sa.text("superseded_at IS NULL"),
                    postgresql_where=sa.text("superseded_at IS NULL"))


def downgrade() -> None:
    op.drop_index("uq_moderation_samples_current", table_name="moderation_samples")
    with op.batch_alter_table("mail_pauses", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_mail_pauses_ended_at"))
    op.drop_table("mail_pauses")
    # Messages in the new states go back to what the old code understands.
    op.execute("UPDATE outbox_messages SET status = 'pending' WHERE status = 'sending'")
    op.execute("UPDATE outbox_messages SET status = 'failed' WHERE status = 'undelivered'")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_due")
        batch_op.drop_constraint(op.f("ck_outbox_messages_status"), type_="check")
        batch_op.drop_column("claimed_by")
        batch_op.drop_column("lease_until")
        batch_op.drop_column("retry_until")
        batch_op.alter_column("status", existing_type=sa.String(length=12),
                              type_=sa.String(length=10), existing_nullable=False)
        batch_op.create_check_constraint(op.f("ck_outbox_messages_status"), sa.text(OLD_STATUSES))

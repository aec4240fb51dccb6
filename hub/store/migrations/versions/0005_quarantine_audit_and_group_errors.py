"""quarantine audit trail, consumer groups' last error

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 23:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from hub.store.types import BigId, UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quarantine_audit",
        sa.Column("id", BigId, autoincrement=True, nullable=False),
        sa.Column("inbox_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=128), nullable=False),
        sa.Column("at", UTCDateTime, nullable=False),
        sa.ForeignKeyConstraint(["inbox_id"], ["inbox.id"], name=op.f("fk_quarantine_audit_inbox_id_inbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quarantine_audit")),
    )
    with op.batch_alter_table("quarantine_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_quarantine_audit_inbox_id"), ["inbox_id"], unique=False)
    op.create_table(
        "consumer_group_errors",
        sa.Column("group_name", sa.String(length=128), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("failed_at", UTCDateTime, nullable=False),
        sa.PrimaryKeyConstraint("group_name", name=op.f("pk_consumer_group_errors")),
    )


def downgrade() -> None:
    op.drop_table("consumer_group_errors")
    with op.batch_alter_table("quarantine_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_quarantine_audit_inbox_id"))
    op.drop_table("quarantine_audit")

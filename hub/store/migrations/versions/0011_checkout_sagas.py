"""checkout sagas

The checkout saga's state after every step, whichever variant runs it, and each step it took, tried or
undid.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import hub.store.types

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC = hub.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sagas",
        sa.Column("saga_id", sa.String(length=64), nullable=False),
        sa.Column("variant", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("deadline", UTC, nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("request", sa.JSON(), nullable=False),
        sa.Column("order_id", sa.String(length=128), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("saga_id", name=op.f("pk_sagas")),
    )
    with op.batch_alter_table("sagas", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sagas_status_updated_at"), ["status", "updated_at"], unique=False
        )
    op.create_table(
        "saga_steps",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("saga_id", sa.String(length=64), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("at", UTC, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saga_steps")),
    )
    with op.batch_alter_table("saga_steps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_saga_steps_saga_id_id"), ["saga_id", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("saga_steps", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_saga_steps_saga_id_id"))
    op.drop_table("saga_steps")
    with op.batch_alter_table("sagas", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sagas_status_updated_at"))
    op.drop_table("sagas")

"""staff log-in sessions that can be ended

The staff pages' sessions move from the signed cookie into the database: the table
`staffsession` (the SHA-256 of the token, the staff account, when made, when it expires, when
it was ended), so that log-out and a new password end them. Sessions start afresh (staff
log in once more).

Revision ID: 0003_staff_sessions
Revises: 0002
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003_staff_sessions"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staffsession",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["staffuser.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("staffsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_staffsession_account_id"), ["account_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_staffsession_expires_at"), ["expires_at"],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table("staffsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_staffsession_expires_at"))
        batch_op.drop_index(batch_op.f("ix_staffsession_account_id"))
    op.drop_table("staffsession")

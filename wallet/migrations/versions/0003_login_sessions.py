"""log-in sessions that can be ended

The pages' sessions move from the signed cookie into the database, beside the JSON API's
bearer tokens: one table `loginsession` for both (the SHA-256 of the token, the account, when
made, when it expires, when it was ended), so that log-out and a new password end them. The
API's live tokens are carried over from `apisession` and keep working; page sessions start
afresh (people log in once more).

Revision ID: 0003_login_sessions
Revises: 0002
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0003_login_sessions"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "loginsession",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("account_id", sa.String(length=32), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("revoked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"], ondelete="CASCADE",
                                onupdate="CASCADE"),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_loginsession_account_id"), ["account_id"],
                              unique=False)
        batch_op.create_index(batch_op.f("ix_loginsession_expires_at"), ["expires_at"],
                              unique=False)
    op.execute("INSERT INTO loginsession (token_hash, account_id, created_at, expires_at) "
               "SELECT token_hash, account_id, created_at, expires_at FROM apisession")
    with op.batch_alter_table("apisession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_apisession_account_id"))
    op.drop_table("apisession")


def downgrade() -> None:
    op.create_table(
        "apisession",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("account_id", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["account_id"], ["account.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    with op.batch_alter_table("apisession", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_apisession_account_id"), ["account_id"],
                              unique=False)
    # Live sessions go back as API tokens (the old schema cannot tell pages from the API;
    # the pages' cookies of that version name the account themselves).
    op.execute("INSERT INTO apisession (id, account_id, token_hash, created_at, expires_at) "
               "SELECT substr(token_hash, 1, 32), account_id, token_hash, created_at, "
               "expires_at FROM loginsession WHERE revoked_at IS NULL")
    with op.batch_alter_table("loginsession", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_loginsession_expires_at"))
        batch_op.drop_index(batch_op.f("ix_loginsession_account_id"))
    op.drop_table("loginsession")

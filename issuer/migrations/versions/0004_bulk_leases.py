"""bulk jobs resume after a crash

A bulk job gets a lease (`lease_owner`, `lease_expires_at`, renewed while it runs) and a count
of the runs that took it on (`attempts`); its CSV is kept in `bulkjobinput` while it runs, so
any instance can resume it once the lease expired (issuer.services.bulk_lease). Jobs still
`running` from before have no stored CSV: the first instance that finds them says so and
ends them (upload the CSV again: rows issued before come back as already issued).

Revision ID: 0004_bulk_leases
Revises: 0003_staff_sessions
Create Date: 2026-12-07 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004_bulk_leases"
down_revision = "0003_staff_sessions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("bulkjob") as batch:
        batch.add_column(sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=64),
                                   nullable=True))
        batch.add_column(sa.Column("lease_expires_at", sqlmodel.sql.sqltypes.UTCDateTime(),
                                   nullable=True))
        batch.add_column(sa.Column("attempts", sa.Integer(), nullable=False,
                                   server_default="0"))
        batch.create_index(batch.f("ix_bulkjob_lease_expires_at"), ["lease_expires_at"],
                           unique=False)
    op.create_table(
        "bulkjobinput",
        sa.Column("job_id", sa.String(32), sa.ForeignKey("bulkjob.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("csv", sa.LargeBinary(), nullable=False))


def downgrade() -> None:
    op.drop_table("bulkjobinput")
    with op.batch_alter_table("bulkjob") as batch:
        batch.drop_index(batch.f("ix_bulkjob_lease_expires_at"))
        batch.drop_column("attempts")
        batch.drop_column("lease_expires_at")
        batch.drop_column("lease_owner")

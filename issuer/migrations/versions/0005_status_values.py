"""status lists of more than one bit per entry

A status list gets `status_size` (bits per entry; 1 for every list made before), and a status
entry's `value` becomes the entry's status value, an integer (true was 1, false 0), so a
"message" entry can hold 0 .. 2^status_size - 1.

Revision ID: 0005_status_values
Revises: 0004_bulk_leases
Create Date: 2026-12-07 23:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_status_values"
down_revision = "0004_bulk_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("statuslistrecord") as batch:
        batch.add_column(sa.Column("status_size", sa.Integer(), nullable=False,
                                   server_default="1"))
    with op.batch_alter_table("statusentry") as batch:
        batch.alter_column("value", existing_type=sa.Boolean(), type_=sa.Integer(),
                           existing_nullable=False, postgresql_using="value::integer")


def downgrade() -> None:
    # A value above 1 (a message entry) has no boolean form: PostgreSQL makes it true, SQLite
    # keeps the integer, which reads as true (status set).
    with op.batch_alter_table("statusentry") as batch:
        batch.alter_column("value", existing_type=sa.Integer(), type_=sa.Boolean(),
                           existing_nullable=False, postgresql_using="value <> 0")
    with op.batch_alter_table("statuslistrecord") as batch:
        batch.drop_column("status_size")

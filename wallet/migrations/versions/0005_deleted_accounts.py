"""rows that outlive the account that made them

An owner can delete her account. What she did as a delegate in other owners' dossiers stays
there, without naming her: `evidence.added_by`, `reflection.author_id` and
`auditevent.actor_id` may be NULL, and their foreign keys to `account` set them to NULL when
the account is deleted (ON DELETE SET NULL), so no row refers to an account that is gone.

The foreign keys were made without names. PostgreSQL named them `<table>_<column>_fkey`;
on SQLite the table is rebuilt (batch mode), with names from `NAMING` for the unnamed
ones. Downgrading gives a row without its person to the dossier's owner (the old schema
needs a person).

Revision ID: 0005_deleted_accounts
Revises: 0004_share_view_days
Create Date: 2026-12-08 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005_deleted_accounts"
down_revision = "0004_share_view_days"
branch_labels = None
depends_on = None

COLUMNS = [("evidence", "added_by"), ("reflection", "author_id"), ("auditevent", "actor_id")]
NAMING = {"fk": "%(table_name)s_%(column_0_name)s_fkey"}  # PostgreSQL's own names


def _foreign_key_name(table: str, column: str) -> str:
    for key in sa.inspect(op.get_bind()).get_foreign_keys(table):
        if key["constrained_columns"] == [column]:
            return key["name"] or NAMING["fk"] % {"table_name": table, "column_0_name": column}
    raise RuntimeError(f"{table}.{column} has no foreign key")


def _change(table: str, column: str, *, nullable: bool, ondelete: str | None) -> None:
    name = _foreign_key_name(table, column)
    with op.batch_alter_table(table, naming_convention=NAMING) as batch:
        batch.drop_constraint(name, type_="foreignkey")
        batch.alter_column(column, existing_type=sqlmodel.sql.sqltypes.AutoString(length=32),
                           nullable=nullable)
        batch.create_foreign_key(name, "account", [column], ["id"], ondelete=ondelete)


def upgrade() -> None:
    for table, column in COLUMNS:
        _change(table, column, nullable=True, ondelete="SET NULL")


def downgrade() -> None:
    for table, column in COLUMNS:
        op.execute(f"UPDATE {table} SET {column} = owner_id WHERE {column} IS NULL")
        _change(table, column, nullable=False, ondelete=None)

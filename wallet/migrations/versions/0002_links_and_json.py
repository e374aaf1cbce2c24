"""links and JSON columns

The id lists kept as JSON text (`evidence.competence_ids_json`, `share.credential_ids_json`
...) become link tables with foreign keys; the lists of plain values and the documents the
wallet made (`delegation.scopes`, `storedcredential.types`, `storedcredential.verification`,
`share.presentation`) become JSON columns (JSONB on PostgreSQL). Signed credentials stay text.

Existing lists are converted in order. An id that names no row of the owner's dossier (the
item was deleted, or never belonged there) is dropped and logged, except in an internship
report: there the link stays without an item, so the report still counts it as missing, as
it did before.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import json
import logging
from typing import Any, NamedTuple

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("wallet.migrations")

JSON_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")


class Link(NamedTuple):
    """`parent.column` (a JSON list of ids of `item` rows) becomes the rows of `table`.
    (A NamedTuple: alembic loads this file outside sys.modules, where a dataclass fails.)"""

    table: str
    parent: str
    column: str
    parent_key: str  # the link's column naming the parent (and the parent's key column)
    item: str
    item_key: str  # the link's column naming the item
    keep_missing: bool = False  # a report's links: a gone item leaves a link without it

    @property
    def parent_id(self) -> str:
        return "owner_id" if self.parent == "cvpage" else "id"


LINKS = [
    Link("evidencecompetence", "evidence", "competence_ids_json", "evidence_id",
         "competence", "competence_id"),
    Link("reflectioncompetence", "reflection", "competence_ids_json", "reflection_id",
         "competence", "competence_id"),
    Link("reflectionevidence", "reflection", "evidence_ids_json", "reflection_id",
         "evidence", "evidence_id"),
    Link("credentialcompetence", "storedcredential", "competence_ids_json", "credential_id",
         "competence", "competence_id"),
    Link("sharecredential", "share", "credential_ids_json", "share_id",
         "storedcredential", "credential_id"),
    Link("shareevidence", "share", "evidence_ids_json", "share_id", "evidence", "evidence_id"),
    Link("reportevidence", "internshipreport", "evidence_ids_json", "report_id",
         "evidence", "evidence_id", keep_missing=True),
    Link("reportreflection", "internshipreport", "reflection_ids_json", "report_id",
         "reflection", "reflection_id", keep_missing=True),
    Link("cvcredential", "cvpage", "credential_ids_json", "owner_id",
         "storedcredential", "credential_id"),
    Link("cvevidence", "cvpage", "evidence_ids_json", "owner_id", "evidence", "evidence_id"),
]

# (table, old text column, new JSON column, nullable)
JSON_COLUMNS = [
    ("delegation", "scopes_json", "scopes", False),
    ("storedcredential", "types_json", "types", False),
    ("storedcredential", "verification_json", "verification", False),
    ("share", "presentation_json", "presentation", True),
]


def upgrade() -> None:
    bind = op.get_bind()
    for link in LINKS:
        _copy_links(bind, link, _create_link_table(link))
    for table, old, new, _nullable in JSON_COLUMNS:
        op.add_column(table, sa.Column(new, JSON_DOCUMENT, nullable=True))
        # an empty text was "no document" (a share that arrived in an archive)
        cast = f"CAST(NULLIF({old}, '') AS JSONB)" if bind.dialect.name == "postgresql" \
            else f"NULLIF({old}, '')"
        op.execute(f"UPDATE {table} SET {new} = {cast}")
    dropped: dict[str, list[str]] = {}
    for link in LINKS:
        dropped.setdefault(link.parent, []).append(link.column)
    for table, old, _new, _nullable in JSON_COLUMNS:
        dropped.setdefault(table, []).append(old)
    for table, columns in dropped.items():
        with op.batch_alter_table(table) as batch:
            for table_name, _old, new, nullable in JSON_COLUMNS:
                if table_name == table and not nullable:
                    batch.alter_column(new, existing_type=JSON_DOCUMENT, nullable=False)
            for column in columns:
                batch.drop_column(column)


def _create_link_table(link: Link) -> sa.Table:
    def end(name: str, target: str, *, ondelete: str, key: bool) -> sa.Column[Any]:
        return sa.Column(name, sa.String(32),
                         sa.ForeignKey(target, ondelete=ondelete, onupdate="CASCADE"),
                         primary_key=key, nullable=not key, index=True)

    parent = end(link.parent_key, f"{link.parent}.{link.parent_id}", ondelete="CASCADE",
                 key=True)
    target = f"{link.item}.id"
    if link.keep_missing:
        return op.create_table(
            link.table, parent, sa.Column("position", sa.Integer(), primary_key=True),
            end(link.item_key, target, ondelete="SET NULL", key=False))
    return op.create_table(
        link.table, parent, end(link.item_key, target, ondelete="CASCADE", key=True),
        sa.Column("position", sa.Integer(), nullable=False))


def _copy_links(bind: sa.Connection, link: Link, table: sa.Table) -> None:
    owners: dict[str, str] = dict(bind.execute(sa.text(f"SELECT id, owner_id FROM {link.item}")).all())
    rows: list[dict[str, Any]] = []
    parents = bind.execute(sa.text(
        f"SELECT {link.parent_id}, owner_id, {link.column} FROM {link.parent}"))
    for parent_id, owner_id, text in parents:
        wanted = _id_list(text)
        kept: list[str | None] = []
        for item_id in wanted:
            found = item_id if owners.get(item_id) == owner_id else None
            if found is not None and found in kept and not link.keep_missing:
                continue  # the same item twice: once is what it meant
            if found is not None or link.keep_missing:
                kept.append(found)
        gone = [item_id for item_id in wanted if owners.get(item_id) != owner_id]
        if gone:
            log.warning("%s %s: %d %s id(s) name no %s of its dossier%s: %s", link.parent,
                        parent_id, len(gone), link.column, link.item,
                        " (kept as missing)" if link.keep_missing else "; dropped",
                        ", ".join(map(str, gone)))
        rows += [{link.parent_key: parent_id, link.item_key: item_id, "position": position}
                 for position, item_id in enumerate(kept)]
    if rows:
        op.bulk_insert(table, rows)


def _id_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def downgrade() -> None:
    """Back to id lists in text columns (the links' order kept; a report's missing items
    are lost, as they would have been dangling ids)."""
    bind = op.get_bind()
    for table, old, new, _nullable in JSON_COLUMNS:
        op.add_column(table, sa.Column(old, sa.Text(), nullable=True))
        cast = f"CAST({new} AS TEXT)" if bind.dialect.name == "postgresql" else new
        op.execute(f"UPDATE {table} SET {old} = COALESCE({cast}, '')")
    for link in LINKS:
        op.add_column(link.parent, sa.Column(link.column, sa.Text(), nullable=True))
        lists: dict[str, list[str]] = {}
        for parent_id, item_id in bind.execute(sa.text(
                f"SELECT {link.parent_key}, {link.item_key} FROM {link.table} "
                f"ORDER BY {link.parent_key}, position")):
            lists.setdefault(parent_id, []).append(item_id)
        parent = sa.table(link.parent, sa.column(link.parent_id), sa.column(link.column))
        op.execute(parent.update().values({link.column: "[]"}))
        for parent_id, ids in lists.items():
            op.execute(parent.update().where(parent.c[link.parent_id] == parent_id)
                       .values({link.column: json.dumps([i for i in ids if i])}))
        op.drop_table(link.table)
    changed: dict[str, tuple[list[str], list[str]]] = {}
    for link in LINKS:
        changed.setdefault(link.parent, ([], []))[0].append(link.column)
    for table, old, new, _nullable in JSON_COLUMNS:
        changed.setdefault(table, ([], []))
        changed[table][0].append(old)
        changed[table][1].append(new)
    for table, (texts, jsons) in changed.items():
        with op.batch_alter_table(table) as batch:
            for column in texts:
                batch.alter_column(column, existing_type=sa.Text(), nullable=False)
            for column in jsons:
                batch.drop_column(column)

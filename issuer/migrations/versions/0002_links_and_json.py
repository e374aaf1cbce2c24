"""links and JSON columns

`achievement.competence_ids_json` (a JSON list of competence ids) becomes the link table
`achievementcompetence`; the lists of plain values and the offer options
(`issuerprofile.identifiers`, `achievement.result_descriptions`,
`credentialoffer.issue_options`) become JSON columns (JSONB on PostgreSQL). Signed documents
stay text.

Existing lists are converted in order. An id that names no competence of the achievement's
organisation is dropped and logged.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 14:30:00
"""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

log = logging.getLogger("issuer.migrations")

JSON_DOCUMENT = sa.JSON().with_variant(JSONB(), "postgresql")

# (table, old text column, new JSON column)
JSON_COLUMNS = [
    ("issuerprofile", "identifiers_json", "identifiers"),
    ("achievement", "result_descriptions_json", "result_descriptions"),
    ("credentialoffer", "issue_options_json", "issue_options"),
]


def upgrade() -> None:
    bind = op.get_bind()
    links = op.create_table(
        "achievementcompetence",
        sa.Column("achievement_id", sa.String(32),
                  sa.ForeignKey("achievement.id", ondelete="CASCADE", onupdate="CASCADE"),
                  primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("competence_id", sa.String(32),
                  sa.ForeignKey("competence.id", ondelete="RESTRICT", onupdate="CASCADE"),
                  nullable=False),
    )
    op.create_index("ix_achievementcompetence_competence_id", "achievementcompetence",
                    ["competence_id"])
    _copy_links(bind, links)
    for table, old, new in JSON_COLUMNS:
        op.add_column(table, sa.Column(new, JSON_DOCUMENT, nullable=True))
        cast = f"CAST({old} AS JSONB)" if bind.dialect.name == "postgresql" else old
        op.execute(f"UPDATE {table} SET {new} = {cast}")
    dropped = {"achievement": ["competence_ids_json"]}
    for table, old, _new in JSON_COLUMNS:
        dropped.setdefault(table, []).append(old)
    for table, columns in dropped.items():
        with op.batch_alter_table(table) as batch:
            for table_name, _old, new in JSON_COLUMNS:
                if table_name == table:
                    batch.alter_column(new, existing_type=JSON_DOCUMENT, nullable=False)
            for column in columns:
                batch.drop_column(column)


def _copy_links(bind: sa.Connection, links: sa.Table) -> None:
    org_of_competence: dict[str, str] = dict(bind.execute(sa.text(
        "SELECT competence.id, framework.org_id FROM competence "
        "JOIN framework ON framework.id = competence.framework_id")).all())
    rows: list[dict[str, Any]] = []
    for achievement_id, org_id, text in bind.execute(sa.text(
            "SELECT id, org_id, competence_ids_json FROM achievement")).all():
        wanted = _id_list(text)
        kept = [i for i in wanted if org_of_competence.get(i) == org_id]
        gone = [i for i in wanted if org_of_competence.get(i) != org_id]
        if gone:
            log.warning("achievement %s: %d competence id(s) name no competence of its "
                        "organisation; dropped: %s", achievement_id, len(gone),
                        ", ".join(map(str, gone)))
        rows += [{"achievement_id": achievement_id, "position": position,
                  "competence_id": competence_id}
                 for position, competence_id in enumerate(kept)]
    if rows:
        op.bulk_insert(links, rows)


def _id_list(text: str | None) -> list[Any]:
    try:
        value = json.loads(text) if text else []
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def downgrade() -> None:
    bind = op.get_bind()
    for table, old, new in JSON_COLUMNS:
        op.add_column(table, sa.Column(old, sa.Text(), nullable=True))
        cast = f"CAST({new} AS TEXT)" if bind.dialect.name == "postgresql" else new
        op.execute(f"UPDATE {table} SET {old} = {cast}")
    op.add_column("achievement", sa.Column("competence_ids_json", sa.Text(), nullable=True))
    lists: dict[str, list[str]] = {}
    for achievement_id, competence_id in bind.execute(sa.text(
            "SELECT achievement_id, competence_id FROM achievementcompetence "
            "ORDER BY achievement_id, position")).all():
        lists.setdefault(achievement_id, []).append(competence_id)
    achievement = sa.table("achievement", sa.column("id"), sa.column("competence_ids_json"))
    op.execute(achievement.update().values(competence_ids_json="[]"))
    for achievement_id, ids in lists.items():
        op.execute(achievement.update().where(achievement.c.id == achievement_id)
                   .values(competence_ids_json=json.dumps(ids)))
    op.drop_index("ix_achievementcompetence_competence_id", "achievementcompetence")
    op.drop_table("achievementcompetence")
    changed: dict[str, tuple[list[str], list[str]]] = {
        "achievement": (["competence_ids_json"], [])}
    for table, old, new in JSON_COLUMNS:
        changed.setdefault(table, ([], []))
        changed[table][0].append(old)
        changed[table][1].append(new)
    for table, (texts, jsons) in changed.items():
        with op.batch_alter_table(table) as batch:
            for column in texts:
                batch.alter_column(column, existing_type=sa.Text(), nullable=False)
            for column in jsons:
                batch.drop_column(column)

"""The migrations keep everything. Databases made by main before the link tables (revision
0001): the issuer's and the wallet's example data (`seed-example`), plus a wallet dossier
filled the way people fill it (tests/wallet/fill_before_links.py), all made by main's own
code at that commit. Upgraded to head by today's code, every link, document and moment is
found again, on SQLite and on PostgreSQL, and the schema is the one the models describe.
"""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import tarfile
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from issuer import db as issuer_db
from issuer.models import Achievement, CredentialOffer, IssuerProfile
from servicekit.database import make_engine
from tests.databases import BACKENDS, fresh_database
from wallet import db as wallet_db
from wallet.config import WalletSettings
from wallet.models import (
    CvPage,
    Delegation,
    Evidence,
    InternshipReport,
    Reflection,
    Share,
    StoredCredential,
    WalletTable,
)
from wallet.services.context import WalletContext
from wallet.services.reports import report_contents

REPO = Path(__file__).resolve().parents[1]
# The last commit of main whose newest revision was 0001 (wallet and issuer).
MAIN_BEFORE_LINKS = "1a4eefa92f6876f0e93749d6251de20de9d63db2"
FILL_WALLET = REPO / "tests" / "wallet" / "fill_before_links.py"
FILL_ISSUER = REPO / "tests" / "issuer" / "fill_before_links.py"

# (table, key column, old list column) -> (model, new list attribute, model the ids name)
WALLET_LISTS: dict[tuple[str, str, str], tuple[type[WalletTable], str, str]] = {
    ("evidence", "id", "competence_ids_json"): (Evidence, "competence_ids", "competence"),
    ("reflection", "id", "competence_ids_json"): (Reflection, "competence_ids", "competence"),
    ("reflection", "id", "evidence_ids_json"): (Reflection, "evidence_ids", "evidence"),
    ("storedcredential", "id", "competence_ids_json"):
        (StoredCredential, "competence_ids", "competence"),
    ("share", "id", "credential_ids_json"): (Share, "credential_ids", "storedcredential"),
    ("share", "id", "evidence_ids_json"): (Share, "evidence_ids", "evidence"),
    ("internshipreport", "id", "evidence_ids_json"):
        (InternshipReport, "evidence_ids", "evidence"),
    ("internshipreport", "id", "reflection_ids_json"):
        (InternshipReport, "reflection_ids", "reflection"),
    ("cvpage", "owner_id", "credential_ids_json"): (CvPage, "credential_ids", "storedcredential"),
    ("cvpage", "owner_id", "evidence_ids_json"): (CvPage, "evidence_ids", "evidence"),
}


RowT = TypeVar("RowT", bound=SQLModel)


def found(session: Session, model: type[RowT], key: str) -> RowT:
    row = session.get(model, key)
    assert row is not None, (model.__name__, key)
    return row


@pytest.fixture(scope="module")
def main_before_links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The code of main at MAIN_BEFORE_LINKS, from this clone's git history."""
    tree = tmp_path_factory.mktemp("main-before-links")
    archive = subprocess.run(["git", "archive", MAIN_BEFORE_LINKS], cwd=REPO,
                             capture_output=True)
    if archive.returncode != 0:
        pytest.fail(f"this clone lacks commit {MAIN_BEFORE_LINKS} (a shallow clone?): "
                    f"{archive.stderr.decode(errors='replace')}")
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        tar.extractall(tree, filter="data")
    return tree


def run_main(tree: Path, *args: str) -> str:
    """`python *args` with main's code first on the path."""
    result = subprocess.run([sys.executable, *args], cwd=tree, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(tree)}, timeout=300)
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    assert str(REPO) not in result.stderr  # main's code ran, not today's
    return result.stdout


def old_rows(engine: Engine, table: str, columns: str) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(sa.text(
            f"SELECT {columns} FROM {table}"))]


def old_values(engine: Engine, table: str, column: str) -> dict[str, Any]:
    """`column` of every row of `table`, by id."""
    return {key: value for key, value in old_rows(engine, table, f"id, {column}")}


def _is_moment(column: sa.Column[Any]) -> bool:
    kind = column.type.impl if isinstance(column.type, sa.TypeDecorator) else column.type
    return isinstance(kind, sa.DateTime)


def moments(engine: Engine, metadata: sa.MetaData) -> dict[tuple[str, str, Any], datetime]:
    """Every datetime of every table of `metadata` the database has, by (table, column,
    row key), read through the models' column types."""
    found = {}
    inspector = sa.inspect(engine)
    present = set(inspector.get_table_names())
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            if table.name not in present:
                continue
            key = next(iter(table.primary_key.columns))
            # (a column a later revision adds is not there yet)
            columns = {column["name"] for column in inspector.get_columns(table.name)}
            for column in filter(_is_moment, table.columns):
                if column.name not in columns:
                    continue
                for row_key, value in connection.execute(sa.select(key, column)):
                    if value is not None:
                        found[(table.name, column.name, row_key)] = value
    return found


@pytest.mark.parametrize("backend", BACKENDS)
def test_example_databases_survive_the_links_migration(
        backend: str, tmp_path: Path, main_before_links: Path,
        caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / "issuer").mkdir()
    (tmp_path / "wallet").mkdir()
    with fresh_database(backend, tmp_path / "issuer") as issuer_url, \
            fresh_database(backend, tmp_path / "wallet") as wallet_url:
        seeded = json.loads(run_main(
            main_before_links, "-m", "opendossier", "issuer", "seed-example",
            "--data-dir", str(tmp_path / "issuer"), "--database-url", issuer_url))
        issuer_made = json.loads(run_main(main_before_links, str(FILL_ISSUER),
                                          str(tmp_path / "issuer"), issuer_url))
        frameworks = tmp_path / "frameworks.json"
        frameworks.write_text(json.dumps(seeded["frameworks"]), "utf-8")
        run_main(main_before_links, "-m", "opendossier", "wallet", "seed-example",
                 "--data-dir", str(tmp_path / "wallet"), "--database-url", wallet_url,
                 "--frameworks", str(frameworks))
        made = json.loads(run_main(main_before_links, str(FILL_WALLET),
                                   str(tmp_path / "wallet"), wallet_url))
        check_issuer(make_engine(issuer_url), issuer_made, caplog)
        check_wallet(make_engine(wallet_url), tmp_path / "wallet", made, caplog)


def same_schema(engine: Engine, metadata: sa.MetaData) -> None:
    """The migrated database is what the models describe (alembic finds nothing to do)."""
    with engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []


def same_moments(engine: Engine, metadata: sa.MetaData,
                 before: dict[tuple[str, str, Any], datetime]) -> None:
    """Every moment there was is there, and every moment is in UTC with its zone."""
    after = moments(engine, metadata)
    assert after.keys() >= before.keys()
    for place, moment in after.items():
        offset = moment.utcoffset()
        assert offset is not None and offset.total_seconds() == 0, place
        if place in before:
            assert moment == before[place], place


def check_issuer(engine: Engine, made: dict[str, str],
                 caplog: pytest.LogCaptureFixture) -> None:
    try:
        aligned = {key: (org, text) for key, org, text in old_rows(
            engine, "achievement", "id, org_id, competence_ids_json")}
        org_of_competence: dict[str, str] = dict(old_rows(
            engine, "competence JOIN framework ON framework.id = competence.framework_id",
            "competence.id, framework.org_id"))
        results = old_values(engine, "achievement", "result_descriptions_json")
        identifiers = old_values(engine, "issuerprofile", "identifiers_json")
        options = old_values(engine, "credentialoffer", "issue_options_json")
        documents = old_values(engine, "issuedcredential", "document")
        before = moments(engine, SQLModel.metadata)
        assert before and any(json.loads(text) for _org, text in aligned.values())

        with caplog.at_level(logging.WARNING, logger="issuer.migrations"):
            issuer_db.migrate(engine)
        logged = [r.getMessage() for r in caplog.records if r.name == "issuer.migrations"]
        same_schema(engine, SQLModel.metadata)

        with Session(engine) as session:
            for achievement_id, (org, text) in aligned.items():
                achievement = found(session, Achievement, achievement_id)
                assert achievement is not None
                assert achievement.competence_ids == \
                    [i for i in json.loads(text) if org_of_competence.get(i) == org]
                assert achievement.result_descriptions == json.loads(results[achievement_id])
            for profile_id, text in identifiers.items():
                assert found(session, IssuerProfile, profile_id).identifiers == json.loads(text)
            for offer_id, text in options.items():
                assert found(session, CredentialOffer, offer_id).issue_options == json.loads(text)
            assert made["offer"] in options
            for record_id, document in old_values(engine, "issuedcredential",
                                                  "document").items():
                assert document == documents[record_id]  # byte for byte
            achievement = found(session, Achievement, made["achievement"])
            assert achievement.competence_ids  # the good ones stayed
            assert not set(made["odd"].split(",")) & set(achievement.competence_ids)
        same_moments(engine, SQLModel.metadata, before)
        assert any(made["achievement"] in m and all(i in m for i in made["odd"].split(","))
                   for m in logged)
    finally:
        engine.dispose()


def check_wallet(engine: Engine, data_dir: Path, made: dict[str, str],
                 caplog: pytest.LogCaptureFixture) -> None:
    try:
        lists = {spec: old_rows(engine, spec[0], f"{spec[1]}, owner_id, {spec[2]}")
                 for spec in WALLET_LISTS}
        owners = {table: old_values(engine, table, "owner_id")
                  for table in ("competence", "evidence", "reflection", "storedcredential")}
        texts = {table: old_values(engine, table, column)
                 for table, column in (("share", "presentation_json"),
                                       ("storedcredential", "verification_json"),
                                       ("reflection", "credential_json"),
                                       ("internshipreport", "credential_json"))}
        types = old_values(engine, "storedcredential", "types_json")
        scopes = old_values(engine, "delegation", "scopes_json")
        contents = old_values(engine, "storedcredential", "content")
        before = moments(engine, WalletTable.metadata)
        assert before, "the example data has moments"

        with caplog.at_level(logging.WARNING, logger="wallet.migrations"):
            wallet_db.migrate(engine)
        logged = [r.getMessage() for r in caplog.records if r.name == "wallet.migrations"]

        same_schema(engine, WalletTable.metadata)

        with Session(engine) as session:
            for (table, _key, column), (model, attribute, target) in WALLET_LISTS.items():
                keep_missing = table == "internshipreport"
                for key, owner, text in lists[(table, _key, column)]:
                    row = found(session, model, key)
                    assert row is not None
                    wanted = [i for i in json.loads(text) if owners[target].get(i) == owner]
                    assert getattr(row, attribute) == list(dict.fromkeys(wanted)), \
                        (table, column, key)
                    if keep_missing:  # every id keeps its place, gone ones without an item
                        links = getattr(row, attribute.replace("_ids", "_links"))
                        assert [link.position for link in links] == \
                            list(range(len(json.loads(text))))
            for share_id, text in texts["share"].items():
                share = found(session, Share, share_id)
                assert share is not None
                assert share.presentation == (json.loads(text) if text else None)
            for credential_id, text in texts["storedcredential"].items():
                stored = found(session, StoredCredential, credential_id)
                assert stored is not None
                assert stored.verification == json.loads(text)
                assert stored.types == json.loads(types[credential_id])
                assert stored.content == contents[credential_id]  # byte for byte
            for reflection_id, text in texts["reflection"].items():
                assert found(session, Reflection, reflection_id).credential_json == text
            for report_id, text in texts["internshipreport"].items():
                assert found(session, InternshipReport, report_id).credential_json == text
            for delegation_id, text in scopes.items():
                assert found(session, Delegation, delegation_id).scopes == json.loads(text)

            # what fill_before_links made, by name
            note = found(session, Evidence, made["note"])
            assert note.competence_ids == [made["first"], made["second"]]
            reflection = found(session, Reflection, made["reflection"])
            assert reflection.evidence_ids == [made["note"], made["photo"]]
            assert reflection.competence_ids == [made["first"]]
            report = found(session, InternshipReport, made["report"])
            assert report.evidence_ids == [made["note"], made["photo"]]
            assert [link.evidence_id for link in report.evidence_links] == \
                [made["note"], made["photo"], None]
            assert report.reflection_ids == [made["reflection"]]
            share = found(session, Share, made["share"])
            assert share.credential_ids == [made["aligned"], made["report_credential"]]
            assert share.evidence_ids == [made["photo"]]
            assert share.presentation is not None
            assert "VerifiablePresentation" in share.presentation["type"]
            assert found(session, Share, made["archived_share"]).presentation is None
            assert found(session, StoredCredential, made["aligned"]).competence_ids == \
                [made["first"]]
            cv = found(session, CvPage, made["pupil"])
            assert cv.credential_ids == [made["aligned"]] and cv.evidence_ids == [made["photo"]]
            assert found(session, Evidence, made["teacher_note"]).competence_ids == []

            context = WalletContext.open(WalletSettings(data_dir=data_dir,
                                                        database_url=str(engine.url)),
                                         run_migrations=False)
            try:
                contents_now = report_contents(context, session, report, inline_images=False)
            finally:
                context.close()
            assert contents_now.missing == 1  # the deleted note, as before the migration
            assert [item.evidence.id for item in contents_now.evidence] == \
                [made["note"], made["photo"]]
            assert all(item.digest_sri for item in contents_now.evidence
                       if item.evidence.sha256)  # matched to the credential by position

        same_moments(engine, WalletTable.metadata, before)

        teacher_note = [m for m in logged if made["teacher_note"] in m]
        assert teacher_note and "0" * 32 in teacher_note[0] and made["first"] in \
            teacher_note[0] and "dropped" in teacher_note[0]
        assert any(made["report"] in m and made["doomed"] in m and "kept as missing" in m
                   for m in logged)
    finally:
        engine.dispose()


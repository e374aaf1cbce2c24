"""Links follow deletions as designed (wallet/models.py, "Links"): deleting a competence,
evidence item, credential or reflection removes its links from evidence, reflections,
credentials, shares and the CV; an internship report keeps a link without its item, so the
item counts as missing; deleting a parent removes its links. No link ever names a row that
is not there."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from PIL import Image
from sqlalchemy import text
from sqlmodel import Session, SQLModel, select

from tests.databases import BACKENDS, fresh_database
from wallet.config import WalletSettings
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.models import (
    Account,
    Competence,
    CvPage,
    Evidence,
    InternshipReport,
    Reflection,
    Share,
    StoredCredential,
    WalletTable,
)
from wallet.services.access import Actor, owner_actor
from wallet.services.accounts import new_account
from wallet.services.competences import add_competence
from wallet.services.context import WalletContext
from wallet.services.credentials import delete_credential
from wallet.services.cv import update_cv
from wallet.services.evidence import add_file, add_note, delete_evidence, fields_from
from wallet.services.evidence_types import sniff
from wallet.services.reflections import delete_reflection, write_reflection
from wallet.services.reports import create_report, delete_report, report_contents
from wallet.services.shares import create_share

RowT = TypeVar("RowT", bound=SQLModel)


def found(session: Session, model: type[RowT], key: str) -> RowT:
    row = session.get(model, key)
    assert row is not None, (model.__name__, key)
    return row


@pytest.fixture(params=BACKENDS)
def context(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WalletContext]:
    with fresh_database(request.param, tmp_path) as url:
        ctx = WalletContext.open(WalletSettings(data_dir=tmp_path / "data", database_url=url))
        try:
            yield ctx
        finally:
            ctx.close()


def _photo(ctx: WalletContext, session: Session, actor: Actor, competence_ids: list[str]
           ) -> Evidence:
    jpeg = io.BytesIO()
    Image.new("RGB", (32, 24), "teal").save(jpeg, "JPEG")
    data = jpeg.getvalue()
    with evidence_store(ctx.settings.evidence_dir).writer(len(data)) as writer:
        writer.write(data)
        return add_file(ctx, session, actor, fields_from(
            {"title": "Foto", "kind": "photo", "competences": competence_ids}), writer,
            sniff(data, "foto.jpg"), "foto.jpg")


def dangling_links(session: Session) -> list[tuple[str, str]]:
    """(link table, column) of every link naming a row that is not there."""
    found = []
    for table in WalletTable.metadata.sorted_tables:
        for key in table.foreign_keys:
            if not key.ondelete:
                continue
            target = key.column
            missing = session.execute(text(
                f"SELECT COUNT(*) FROM {table.name} WHERE {key.parent.name} IS NOT NULL AND "
                f"{key.parent.name} NOT IN (SELECT {target.name} FROM {target.table.name})"
            )).scalar_one()
            if missing:
                found.append((table.name, key.parent.name))
    return found


def owner(session: Session, owner_id: str) -> Actor:
    account = found(session, Account, owner_id)
    assert account is not None
    return owner_actor(account)


def test_deleting_items_removes_or_keeps_their_links(context: WalletContext) -> None:
    ctx = context
    with session_scope(ctx.engine) as session:
        account = new_account(ctx, session, "links@example.org", password="geheim-wachtwoord",
                              display_name="Links")
        actor = owner_actor(account)
        kept = add_competence(session, actor, "Samenwerken")
        doomed = add_competence(session, actor, "Plannen")
        note = add_note(session, actor, fields_from(
            {"title": "Notitie", "kind": "note", "competences": [kept.id, doomed.id]}))
        photo = _photo(ctx, session, actor, [doomed.id, kept.id])
        reflection = write_reflection(ctx, session, actor, "Goed gedaan.",
                                      [doomed.id, kept.id], [photo.id, note.id])
        report = create_report(ctx, session, actor, "Verslag", "", "", "",
                               [note.id, photo.id], [reflection.id])
        # the report's credential joined the dossier
        [credential] = session.exec(select(StoredCredential)).all()
        share = create_share(ctx, session, actor, [credential.id], [photo.id])
        update_cv(session, actor, enabled=True, credential_ids=[credential.id],
                  evidence_ids=[photo.id])
        ids = {"note": note.id, "photo": photo.id, "reflection": reflection.id,
               "report": report.id, "credential": credential.id, "share": share.id,
               "kept": kept.id, "doomed": doomed.id, "owner": account.id}
    with Session(ctx.engine) as session:  # everything linked as made
        assert found(session, Evidence, ids["note"]).competence_ids == [ids["kept"], ids["doomed"]]
        assert found(session, Evidence, ids["photo"]).competence_ids == [ids["doomed"], ids["kept"]]
        made = found(session, Reflection, ids["reflection"])
        assert made.competence_ids == [ids["doomed"], ids["kept"]]
        assert made.evidence_ids == [ids["photo"], ids["note"]]
        made_report = found(session, InternshipReport, ids["report"])
        assert made_report.evidence_ids == [ids["note"], ids["photo"]]
        assert made_report.reflection_ids == [ids["reflection"]]
        made_share = found(session, Share, ids["share"])
        assert made_share.credential_ids == [ids["credential"]]
        assert made_share.evidence_ids == [ids["photo"]]
        made_cv = found(session, CvPage, ids["owner"])
        assert made_cv.credential_ids == [ids["credential"]]
        assert made_cv.evidence_ids == [ids["photo"]]

    with session_scope(ctx.engine) as session:  # a competence goes: links to it go
        session.delete(found(session, Competence, ids["doomed"]))
    with Session(ctx.engine) as session:
        assert found(session, Evidence, ids["note"]).competence_ids == [ids["kept"]]
        assert found(session, Evidence, ids["photo"]).competence_ids == [ids["kept"]]
        assert found(session, Reflection, ids["reflection"]).competence_ids == [ids["kept"]]
        assert dangling_links(session) == []

    with session_scope(ctx.engine) as session:  # evidence goes
        delete_evidence(ctx, session, owner(session, ids["owner"]),
                        ids["photo"])
    with Session(ctx.engine) as session:
        assert found(session, Reflection, ids["reflection"]).evidence_ids == [ids["note"]]
        assert found(session, Share, ids["share"]).evidence_ids == []
        assert found(session, CvPage, ids["owner"]).evidence_ids == []
        report_row = found(session, InternshipReport, ids["report"])
        assert report_row.evidence_ids == [ids["note"]]
        assert [link.evidence_id for link in report_row.evidence_links] == [ids["note"], None]
        contents = report_contents(ctx, session, report_row, inline_images=False)
        assert contents.missing == 1 and [i.evidence.id for i in contents.evidence] == \
            [ids["note"]]
        assert dangling_links(session) == []

    with session_scope(ctx.engine) as session:  # the reflection and the credential go
        actor = owner(session, ids["owner"])
        delete_reflection(session, actor, ids["reflection"])
        delete_credential(session, actor, ids["credential"])
    with Session(ctx.engine) as session:
        report_row = found(session, InternshipReport, ids["report"])
        assert report_row.reflection_ids == []
        assert [link.reflection_id for link in report_row.reflection_links] == [None]
        assert report_contents(ctx, session, report_row, inline_images=False).missing == 2
        assert found(session, Share, ids["share"]).credential_ids == []
        assert found(session, Share, ids["share"]).presentation is not None  # still signed
        assert found(session, CvPage, ids["owner"]).credential_ids == []
        assert session.execute(text("SELECT COUNT(*) FROM reflectionevidence")).scalar_one() == 0
        assert session.execute(text("SELECT COUNT(*) FROM reflectioncompetence")
                               ).scalar_one() == 0
        assert dangling_links(session) == []

    with session_scope(ctx.engine) as session:  # the report goes, with its links
        delete_report(session, owner(session, ids["owner"]),
                      ids["report"])
    with Session(ctx.engine) as session:
        for table in ("reportevidence", "reportreflection"):
            assert session.execute(text(f"SELECT COUNT(*) FROM {table}")).scalar_one() == 0
        assert found(session, Evidence, ids["note"]).competence_ids == [ids["kept"]]
        assert dangling_links(session) == []

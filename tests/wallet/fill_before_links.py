"""Fill a wallet made by `seed-example` the way people do: evidence linked to competences,
a reflection, an internship report (whose credential joins the dossier), a credential
aligned to a competence, a share, a CV, then an item deleted, which leaves its id behind in
the report. Plus ids that name nothing, or another owner's row.

tests/test_migrations.py runs this with the code of main before the link tables (revision
0001), so it calls only service functions whose signatures did not change and writes the
odd ids with plain SQL. Usage: python fill_before_links.py DATA_DIR DATABASE_URL; prints
the ids the test looks for as JSON.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

from PIL import Image
from sqlalchemy import text

from standards.ob3 import Alignment
from wallet.config import WalletSettings
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.example_data import PUPIL, TEACHER
from wallet.services.access import owner_actor
from wallet.services.accounts import account_by_email
from wallet.services.competences import competences_of
from wallet.services.context import WalletContext
from wallet.services.credentials import add_credential
from wallet.services.cv import update_cv
from wallet.services.evidence import add_file, add_note, delete_evidence, fields_from
from wallet.services.evidence_types import sniff
from wallet.services.reflections import write_reflection
from wallet.services.reports import create_report
from wallet.services.self_issued import issue_self_credential
from wallet.services.shares import create_share

NOWHERE = "0" * 32


def fill(ctx: WalletContext) -> dict[str, str]:
    made: dict[str, str] = {}
    with session_scope(ctx.engine) as session:
        pupil = account_by_email(session, PUPIL.email)
        assert pupil is not None, "run `opendossier wallet seed-example` first"
        actor = owner_actor(pupil)
        first, second = (c.id for c in competences_of(session, actor)[:2])
        note = add_note(session, actor, fields_from(
            {"title": "Afspraken", "kind": "note", "competences": [first, second]}))
        jpeg = io.BytesIO()
        Image.new("RGB", (64, 48), "orange").save(jpeg, "JPEG")
        data = jpeg.getvalue()
        with evidence_store(ctx.settings.evidence_dir).writer(len(data)) as writer:
            writer.write(data)
            photo = add_file(ctx, session, actor, fields_from(
                {"title": "Kas", "kind": "photo", "competences": [first]}), writer,
                sniff(data, "kas.jpg"), "kas.jpg")
        doomed = add_note(session, actor, fields_from({"title": "Weg", "kind": "note"}))
        reflection = write_reflection(ctx, session, actor, "Ik kwam mijn afspraken na.",
                                      [first], [note.id, photo.id])
        report = create_report(ctx, session, actor, "Stageverslag", "Het Groene Hart",
                               "voorjaar", "Tien weken stage.", [note.id, photo.id, doomed.id],
                               [reflection.id])
        competence = next(c for c in competences_of(session, actor) if c.id == first)
        credential = issue_self_credential(
            ctx, pupil, pupil.did, name="Afspraken nakomen", description="Zelf beoordeeld",
            criteria_narrative="Tien weken", alignments=[Alignment(
                target_name=competence.name, target_url=competence.url or "",
                target_framework=competence.framework, target_code=competence.code)])
        aligned = add_credential(ctx, session, actor, json.dumps(credential).encode()).credential
        report_credential = session.execute(text(
            "SELECT id FROM storedcredential WHERE owner_id = :owner AND id != :aligned"),
            {"owner": pupil.id, "aligned": aligned.id}).scalar_one()
        share = create_share(ctx, session, actor, [aligned.id, report_credential], [photo.id],
                             audience="Stageschool")
        update_cv(session, actor, enabled=True, credential_ids=[aligned.id],
                  evidence_ids=[photo.id])
        delete_evidence(ctx, session, actor, doomed.id)
        made.update(pupil=pupil.id, first=first, second=second, note=note.id, photo=photo.id,
                    doomed=doomed.id, reflection=reflection.id, report=report.id,
                    aligned=aligned.id, report_credential=report_credential, share=share.id)

        teacher = account_by_email(session, TEACHER.email)
        assert teacher is not None
        teacher_note = add_note(session, owner_actor(teacher), fields_from(
            {"title": "Les", "kind": "note"}))
        # ids that name nothing, or a row of another dossier: the migration drops them
        session.execute(text("UPDATE evidence SET competence_ids_json = :ids WHERE id = :id"),
                        {"ids": json.dumps([first, NOWHERE]), "id": teacher_note.id})
        # a share as an archive import makes it: no presentation, switched off
        session.execute(text(
            "INSERT INTO share (id, owner_id, token, audience, credential_ids_json, "
            "evidence_ids_json, presentation_json, created_at, expires_at, revoked_at) "
            "SELECT :id, owner_id, :token, 'Archief', :credentials, '[]', '', created_at, "
            "created_at, created_at FROM share WHERE id = :share"),
            {"id": "a" * 32, "token": "archived", "credentials": json.dumps([aligned.id]),
             "share": share.id})
        made.update(teacher_note=teacher_note.id, archived_share="a" * 32)
    return made


if __name__ == "__main__":
    settings = WalletSettings(data_dir=Path(sys.argv[1]), database_url=sys.argv[2])
    context = WalletContext.open(settings)
    try:
        print(json.dumps(fill(context)))
    finally:
        context.close()

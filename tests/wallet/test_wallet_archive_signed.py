"""Signed content is the truth (issue 17, item 5): what an archive's rows repeat of a signed
credential (a reflection's text and author, a report's content, its evidence files and
reflections) must be what was signed, or the archive is refused naming the item; reports
are built from signed text only. Real wallets, SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

from tests.wallet.conftest import Owner, WalletService
from tests.wallet.evidence_files import jpeg_bytes
from tests.wallet.test_wallet_archive import storage, wallet_b  # noqa: F401
from tests.wallet.test_wallet_archive_upload_rules import (
    ZIP,
    exported,
    upload,
    with_file_swapped,
    zipped,
)
from wallet.db import session_scope
from wallet.models import InternshipReport, Reflection

TEXT = "Ik bleef rustig toen de klas onrustig werd."


def filled(owner: Owner) -> dict[str, str]:
    """A photo, the owner's reflection on it and a report holding both."""
    photo = upload(owner, "les.jpg", jpeg_bytes())
    assert photo.status_code == 201, photo.text
    reflection = owner.client.post(owner.url("/reflections"), json={
        "text": TEXT, "evidence": [photo.json()["id"]]})
    assert reflection.status_code == 201, reflection.text
    report = owner.client.post(owner.url("/reports"), json={
        "title": "Stage groep 5", "organisation": "OBS De Linde", "period": "voorjaar",
        "summary": "Tien weken stage.", "evidence": [photo.json()["id"]],
        "reflections": [reflection.json()["id"]]})
    assert report.status_code == 201, report.text
    return {"evidence": photo.json()["id"], "reflection": reflection.json()["id"],
            "report": report.json()["id"]}


def changed(members: dict[str, bytes], change: Any) -> bytes:
    dossier = json.loads(members["dossier.json"])
    change(dossier)
    return zipped({**members, "dossier.json": json.dumps(dossier).encode()})


def refused(server: WalletService, archive: bytes, *words: str) -> None:
    newcomer = server.sign_up()
    answer = newcomer.client.post(newcomer.url("/import"), content=archive, headers=ZIP)
    assert answer.status_code == 422, answer.text
    message = answer.json()["message"]
    assert message.startswith("the archive is refused: "), message
    for word in words:
        assert word in message, message
    for kind in ("/reflections", "/evidence", "/credentials", "/reports"):
        assert newcomer.client.get(newcomer.url(kind)).json() == [], kind


def test_rows_that_differ_from_what_was_signed_are_refused(
        wallet_server: WalletService, wallet_b: WalletService) -> None:  # noqa: F811
    owner = wallet_server.create_owner(name="Sanne")
    ids = filled(owner)
    members = exported(owner)

    def reflection(dossier: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in dossier["reflections"] if r["id"] == ids["reflection"])

    def report(dossier: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in dossier["internshipReports"] if r["id"] == ids["report"])

    refused(wallet_b, changed(members, lambda d: reflection(d).update(
        text="Ik heb de klas perfect in de hand.")),
        f"reflection {ids['reflection']}: its text differs from the text its author signed")
    refused(wallet_b, changed(members, lambda d: reflection(d)["author"].update(
        role="mentor")), f"reflection {ids['reflection']}", "role")
    refused(wallet_b, changed(members, lambda d: reflection(d)["author"].update(
        did="did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK")),
        f"reflection {ids['reflection']}: its author differs")
    refused(wallet_b, changed(members, lambda d: report(d).update(title="Stage cum laude")),
            f"internship report {ids['report']}: its title differs")
    refused(wallet_b, changed(members, lambda d: report(d).update(period="heel 2026")),
            f"internship report {ids['report']}", "organisation or period")

    # another photo in place of the one the report signed (a file an upload takes)
    swapped = with_file_swapped(members, jpeg_bytes("purple"))
    refused(wallet_b, zipped(swapped), f"internship report {ids['report']}: the file of "
            f"evidence {ids['evidence']} is not the file the report signed")

    # the archive as exported imports, with the signed text
    newcomer = wallet_b.sign_up()
    answer = newcomer.client.post(newcomer.url("/import"), content=zipped(members),
                                  headers=ZIP)
    assert answer.status_code == 200, answer.text
    assert answer.json()["counts"]["reflections"]["added"] == 1
    assert answer.json()["counts"]["internshipReports"]["added"] == 1
    [imported] = newcomer.client.get(newcomer.url("/reflections")).json()
    assert imported["text"] == TEXT


def test_a_report_signs_only_what_the_author_signed(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner(name="Daan")
    ids = filled(owner)
    with storage(wallet_server) as ctx, session_scope(ctx.engine) as session:
        first = session.get(InternshipReport, ids["report"])
        assert first is not None
        [_, entry] = json.loads(first.credential_json)["evidence"]
        assert entry["narrative"] == TEXT
        # the row is changed behind the wallet's back (a damaged or forged database)
        row = session.get(Reflection, ids["reflection"])
        assert row is not None
        row.text = "Ik heb de klas perfect in de hand."
        session.add(row)
    again = owner.client.post(owner.url("/reports"), json={
        "title": "Tweede verslag", "reflections": [ids["reflection"]]})
    assert again.status_code == 422, again.text
    assert "its text differs from the text its author signed" in again.json()["message"]
    assert [r["id"] for r in owner.client.get(owner.url("/reports")).json()] == [ids["report"]]

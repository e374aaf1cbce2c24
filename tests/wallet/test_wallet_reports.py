"""The internship report (stageverslag) against the real wallet service over HTTP (SQLite
and PostgreSQL): composed from approved evidence and reflections, issued as a credential
signed by the owner whose digestSRI matches the evidence files, exported as escaped HTML
and as a PDF."""

from __future__ import annotations

import io
import os
from typing import Any

import httpx
from PIL import Image
from pypdf import PdfReader

from servicekit.qr import qr_png
from standards.ob3 import matches_digest_sri
from standards.verification import verify_credential
from tests.wallet.conftest import Owner, WalletService
from wallet.services.report_pdf import ReportPdf, latin1

SCRIPT = "<script>alert('stage')</script>"


def upload_photo(person: Owner, content: bytes, title: str, owner: Owner | None = None,
                 filename: str = "les.png") -> dict[str, Any]:
    answer = person.client.post(
        person.url("/evidence", owner.id if owner else None),
        data={"title": title, "kind": "photo", "description": "Kring in groep 5 — coördinator",
              "practice_date": "2026-03-12", "place": "OBS De Linde"},
        files={"file": (filename, content, "image/png")})
    assert answer.status_code == 201, answer.text
    return answer.json()


def reflect(person: Owner, text: str, owner: Owner | None = None) -> dict[str, Any]:
    answer = person.client.post(person.url("/reflections", owner.id if owner else None),
                                json={"text": text})
    assert answer.status_code == 201, answer.text
    return answer.json()


def make_report(person: Owner, owner: Owner | None = None, **fields: Any) -> httpx.Response:
    body = {"title": "Stage bij De Linde – coördinator", "organisation": "OBS De Linde",
            "period": "februari – juni 2026", "summary": "Wat ik leerde.", **fields}
    return person.client.post(person.url("/reports", owner.id if owner else None), json=body)


def pdf_text(pdf: bytes) -> str:
    """The text shown in a PDF, read with pypdf; white space (line wraps) as single spaces.
    (A hand-written parser here once missed a reflection: issue 18.)"""
    pages = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join((page.extract_text() or "").split()) for page in pages)


def test_report_from_evidence_and_reflections(wallet_server: WalletService,
                                              owner: Owner) -> None:
    photo = qr_png("klassenmanagement")
    evidence = upload_photo(owner, photo, "Foto <b>les</b>")
    own = reflect(owner, f"Mijn les. {SCRIPT}")
    mentor = wallet_server.delegate(owner, "mentor", ["reflections:write"])
    by_mentor = reflect(mentor, "Goed gedaan, coördinator in de dop.", owner)

    refused = make_report(owner, evidence=[evidence["id"]],
                          reflections=[own["id"], by_mentor["id"]])
    assert refused.status_code == 422
    assert "only approved reflections" in refused.json()["message"]
    assert owner.client.get(owner.url("/reports")).json() == []

    assert owner.client.post(owner.url(f"/reflections/{by_mentor['id']}/approve")
                             ).status_code == 200
    answer = make_report(owner, evidence=[evidence["id"]],
                         reflections=[own["id"], by_mentor["id"]])
    assert answer.status_code == 201, answer.text
    report = answer.json()
    credential = report["credential"]

    # Signed by the owner, verifiable by anyone, and among the dossier's credentials.
    assert credential["issuer"]["id"] == owner.did
    assert credential["credentialSubject"]["id"] == owner.did
    assert credential["credentialSubject"]["achievement"]["achievementType"] == "Fieldwork"
    assert verify_credential(credential).verified
    stored = [c for c in owner.client.get(owner.url("/credentials")).json()
              if c["credentialId"] == credential["id"]]
    assert len(stored) == 1 and stored[0]["source"] == "self" and stored[0]["verified"]

    # The photo is named with the digest of its bytes; the reflections with their authors.
    photo_entry, own_entry, mentor_entry = credential["evidence"]
    assert photo_entry["name"] == "Foto <b>les</b>"
    assert matches_digest_sri(photo, photo_entry["digestSRI"])
    assert not matches_digest_sri(photo + b"x", photo_entry["digestSRI"])
    downloaded = owner.client.get(owner.url(f"/evidence/{evidence['id']}/file")).content
    assert matches_digest_sri(downloaded, photo_entry["digestSRI"])
    assert own_entry["narrative"] == own["text"]
    assert own_entry["id"] == own["credential"]["id"]
    assert "mentor" in mentor_entry["name"]

    # Tampering with the report breaks its proof.
    tampered = {**credential, "name": "Iets anders"}
    assert not verify_credential(tampered).verified

    assert owner.client.get(owner.url(f"/reports/{report['id']}/credential")).json() == \
        credential
    listed = owner.client.get(owner.url("/reports")).json()
    assert [(r["id"], r["credentialId"]) for r in listed] == [(report["id"], credential["id"])]

    html = owner.client.get(owner.url(f"/reports/{report['id']}.html"))
    assert html.status_code == 200
    assert html.headers["content-type"].startswith("text/html")
    assert "sandbox" in html.headers["content-security-policy"]
    page = html.text
    assert '<html lang="nl">' in page and "Stageverslag" in page
    assert "Stage bij De Linde – coördinator" in page
    assert "&lt;script&gt;alert(&#39;stage&#39;)&lt;/script&gt;" in page
    assert "<script" not in page
    assert "Foto &lt;b&gt;les&lt;/b&gt;" in page and "<b>les" not in page
    assert "data:image/png;base64," in page  # a small photo travels inside the file
    assert photo_entry["digestSRI"] in page
    english = owner.client.get(owner.url(f"/reports/{report['id']}.html"),
                               params={"lang": "en"}).text
    assert '<html lang="en">' in english and "Internship report" in english

    pdf = owner.client.get(owner.url(f"/reports/{report['id']}.pdf"))
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    text = pdf_text(pdf.content)
    assert "Stage bij De Linde – coördinator" in text  # DejaVu is on the test machines
    assert "Goed gedaan, coördinator in de dop." in text
    assert SCRIPT in text


def test_large_photo_is_named_not_embedded(owner: Owner) -> None:
    noise = Image.frombytes("RGB", (1000, 800), os.urandom(1000 * 800 * 3))
    buffer = io.BytesIO()
    noise.save(buffer, "PNG")
    big = buffer.getvalue()
    assert len(big) > 2 * 1024 * 1024
    evidence = upload_photo(owner, big, "Groot bord", filename="bord.png")
    report = make_report(owner, evidence=[evidence["id"]]).json()
    assert matches_digest_sri(big, report["credential"]["evidence"][0]["digestSRI"])
    page = owner.client.get(owner.url(f"/reports/{report['id']}.html")).text
    assert "data:image" not in page
    assert "bord.png" in page and "te groot om in te voegen" in page
    pdf = owner.client.get(owner.url(f"/reports/{report['id']}.pdf"))
    assert pdf.content.startswith(b"%PDF") and "Groot bord" in pdf_text(pdf.content)


def test_report_refusals(wallet_server: WalletService, owner: Owner) -> None:
    note = owner.client.post(owner.url("/evidence"), json={"kind": "note", "title": "Notitie",
                                                            "description": "Observatie"})
    assert note.status_code == 201, note.text
    note_id = note.json()["id"]
    coordinator = wallet_server.delegate(owner, "coordinator")
    pending = upload_photo(coordinator, qr_png("pending"), "Van de coördinator", owner)
    assert pending["status"] == "pending"
    stranger = wallet_server.create_owner()
    theirs = upload_photo(stranger, qr_png("theirs"), "Niet van jou")

    for fields, words in (
        ({"title": "  ", "evidence": [note_id]}, "the title is empty"),
        ({"title": None, "evidence": [note_id]}, "the title is empty"),
        ({"title": 7, "evidence": [note_id]}, "the title must be text"),
        ({"evidence": [], "reflections": []}, "choose at least one"),
        ({"evidence": [theirs["id"]]}, "not evidence of this dossier"),
        ({"evidence": [pending["id"]]}, "only approved evidence"),
        ({"evidence": "abc"}, "must be a list of ids"),
        ({"reflections": ["r" * 32]}, "not a reflection of this dossier"),
        ({"evidence": [note_id], "summary": "x" * 20_001}, "longer than 20000"),
    ):
        answer = make_report(owner, **fields)
        assert answer.status_code == 422, (fields, answer.text)
        assert words in answer.json()["message"], answer.text
    assert owner.client.get(owner.url("/reports")).json() == []

    by_delegate = make_report(coordinator, owner, evidence=[note_id])
    assert by_delegate.status_code == 403
    assert "only the owner" in by_delegate.json()["message"]
    assert coordinator.client.get(coordinator.url("/reports", owner.id)).status_code == 403

    made = make_report(owner, evidence=[note_id])
    assert made.status_code == 201, made.text
    report_id = made.json()["id"]
    assert "digestSRI" not in made.json()["credential"]["evidence"][0]  # a note has no file
    for path in (f"/reports/{report_id}", f"/reports/{report_id}.html",
                 f"/reports/{report_id}.pdf", f"/reports/{report_id}/credential"):
        foreign = stranger.client.get(stranger.url(path, owner.id))
        assert foreign.status_code == 404, path
        assert stranger.client.get(stranger.url(path)).status_code == 404, path
    missing = owner.client.get(owner.url("/reports/" + "0" * 32 + ".pdf"))
    assert missing.status_code == 404
    assert "no such internship report" in missing.json()["message"]


def test_pdf_without_unicode_font_transliterates() -> None:
    """On a machine without DejaVu the core font is used: Latin-1 letters stay, the rest
    is transliterated, and the PDF is still made."""
    pdf = ReportPdf(None)
    pdf.add_page()
    pdf.write_block("Stage coördinator – “klas” café ✓")
    text = pdf_text(bytes(pdf.output()))
    assert 'Stage coördinator - "klas" café ?' in text
    assert latin1("ĳverig Łódź €5") == "ijverig Lódz EUR5"

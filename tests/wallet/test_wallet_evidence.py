"""Evidence through the real wallet service (SQLite and PostgreSQL): streamed uploads of real
files, digests, byte-identical downloads, type sniffing, size limits, uploads that break off,
delegates and approval, isolation between owners, edits and deletion."""

from __future__ import annotations

import base64
import hashlib
import json

import pytest
from sqlmodel import Session, select

from tests.wallet.conftest import Owner, WalletProcess, WalletService
from tests.wallet.evidence_files import (
    blob_path,
    jpeg_bytes,
    left_in_tmp,
    multipart_body,
    pdf_bytes,
    png_bytes,
    raw_request,
    status_of,
)
from wallet.db import make_engine
from wallet.models import AuditEvent


def upload(owner: Owner, content: bytes, filename: str, dossier: str | None = None,
           **fields: str | list[str]) -> tuple[int, dict]:  # type: ignore[type-arg]
    answer = owner.client.post(owner.url("/evidence", dossier), data=fields,
                               files={"file": (filename, content, "application/octet-stream")})
    return answer.status_code, answer.json()


def test_photo_upload_digest_and_identical_download(wallet_server: WalletService,
                                                    owner: Owner) -> None:
    photo = jpeg_bytes()
    status, item = upload(owner, photo, "werkplaats.jpg", title="Lasnaad", kind="photo",
                          practice_date="2026-03-14", place="Garage Jansen",
                          description="Mijn eerste\nlasnaad")
    assert status == 201, item
    assert item["kind"] == "photo" and item["mediaType"] == "image/jpeg"
    assert item["sha256"] == hashlib.sha256(photo).hexdigest() and item["size"] == len(photo)
    assert item["status"] == "approved" and item["addedBy"] == owner.id
    assert item["practiceDate"] == "2026-03-14" and item["place"] == "Garage Jansen"
    assert item["description"] == "Mijn eerste\nlasnaad"
    assert blob_path(wallet_server, item["sha256"]).read_bytes() == photo

    download = owner.client.get(item["file"])
    assert download.status_code == 200 and download.content == photo
    assert download.headers["content-type"] == "image/jpeg"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-disposition"].startswith("inline")
    digest = base64.b64encode(hashlib.sha256(photo).digest()).decode()
    assert download.headers["repr-digest"] == f"sha-256=:{digest}:"

    listed = owner.client.get(owner.url("/evidence")).json()
    assert [e["id"] for e in listed] == [item["id"]]
    assert owner.client.get(owner.url(f"/evidence/{item['id']}")).json() == item


def test_png_sniffed_without_kind_and_pdf_is_a_download(wallet_server: WalletService,
                                                        owner: Owner) -> None:
    status, picture = upload(owner, png_bytes(), "scan.bin")  # no kind, no title, odd name
    assert status == 201, picture
    assert picture["kind"] == "photo" and picture["mediaType"] == "image/png"
    assert picture["title"] == "scan"
    pdf = pdf_bytes()
    status, document = upload(owner, pdf, "stageplan.pdf", title="Stageplan", kind="document")
    assert status == 201, document
    assert document["mediaType"] == "application/pdf"
    download = owner.client.get(document["file"])
    assert download.content == pdf
    assert download.headers["content-disposition"].startswith("attachment")
    assert "stageplan.pdf" in download.headers["content-disposition"]


def test_plain_text_and_note(wallet_server: WalletService, owner: Owner) -> None:
    text = "# Logboek\n\nVandaag: één lasnaad, twee bouten.\n".encode()
    status, item = upload(owner, text, "logboek.md", title="Logboek")
    assert status == 201, item
    assert item["kind"] == "document" and item["mediaType"].startswith("text/plain")
    not_utf8 = upload(owner, "caf\xe9 ".encode("latin-1") * 5000, "oud.txt", title="Oud")
    assert not_utf8[0] == 415 and "UTF-8" in not_utf8[1]["message"]

    note = owner.client.post(owner.url("/evidence"), json={
        "kind": "note", "title": "Gesprek met mentor", "description": "Feedback op planning",
        "practiceDate": "2026-04-01"})
    assert note.status_code == 201, note.text
    assert note.json()["kind"] == "note" and note.json()["file"] is None
    assert owner.client.get(f"{owner.url('/evidence')}/{note.json()['id']}/file").status_code \
        == 404
    photo_without_file = owner.client.post(owner.url("/evidence"),
                                           json={"kind": "photo", "title": "Foto"})
    assert photo_without_file.status_code == 422
    assert "needs a file" in photo_without_file.json()["message"]


@pytest.mark.parametrize(("content", "filename", "kind", "words"), [
    (b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 400, "foto.jpg", "photo",
     "application/x-msdownload"),
    (b"\x7fELF\x02\x01\x01" + b"\x00" * 400, "foto.jpg", "photo", "x-executable"),
    (b"<!DOCTYPE html><html><script>alert(1)</script></html>", "foto.jpg", "photo", "HTML"),
    (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.svg", "photo",
     "HTML/XML"),
    (b"<html><script>alert(1)</script></html>", "notes.txt", "", "markup"),
    (b"PK\x03\x04" + b"\x00" * 60, "archief.zip", "document", "application/zip"),
])
def test_lying_or_dangerous_types_are_refused(wallet_server: WalletService, owner: Owner,
                                              content: bytes, filename: str, kind: str,
                                              words: str) -> None:
    fields = {"title": "Iets", **({"kind": kind} if kind else {})}
    status, answer = upload(owner, content, filename, **fields)
    assert status == 415, answer
    assert answer["error"] == "unsupported_media_type" and words in answer["message"]
    assert owner.client.get(owner.url("/evidence")).json() == []
    assert left_in_tmp(wallet_server) == []


def test_declared_kind_must_match_the_file(wallet_server: WalletService, owner: Owner) -> None:
    status, answer = upload(owner, png_bytes(), "clip.mp4", title="Filmpje", kind="video")
    assert status == 415
    assert "sent as a video" in answer["message"] and "PNG" in answer["message"]
    status, answer = upload(owner, png_bytes(), "x.png", title="X", kind="note")
    assert status == 422 and "a note has no file" in answer["message"]
    status, answer = upload(owner, png_bytes(), "x.png", title="X", kind="sculpture")
    assert status == 422 and "kind must be one of" in answer["message"]
    assert owner.client.get(owner.url("/evidence")).json() == []
    assert left_in_tmp(wallet_server) == []


def test_bad_fields_are_refused_and_leave_nothing(wallet_server: WalletService,
                                                  owner: Owner) -> None:
    photo = jpeg_bytes("#123457")
    status, answer = upload(owner, photo, "a.jpg", title="A", practice_date="14-03-2026")
    assert status == 422 and "YYYY-MM-DD" in answer["message"]
    status, answer = upload(owner, photo, "a.jpg", title="A",
                            competence=["0123456789abcdef0123456789abcdef"])
    assert status == 422 and "not a competence of this dossier" in answer["message"]
    assert owner.client.get(owner.url("/evidence")).json() == []
    assert left_in_tmp(wallet_server) == []
    # the refused JPEG's blob is not kept either: nothing refers to it
    assert not blob_path(wallet_server, hashlib.sha256(photo).hexdigest()).exists()


def test_competences_of_the_dossier_are_linked(wallet_server: WalletService,
                                               owner: Owner) -> None:
    made = owner.client.post(owner.url("/competences"), json=[
        {"name": "Veilig werken", "url": "https://example.org/kd/veilig"},
        {"name": "Lassen", "url": "https://example.org/kd/lassen"}])
    assert made.status_code == 201, made.text
    ids = [c["id"] for c in made.json()["added"]]
    status, item = upload(owner, jpeg_bytes("red"), "las.jpg", title="Las", competence=ids)
    assert status == 201, item
    assert item["competences"] == ids
    other = wallet_server.create_owner()
    status, answer = upload(other, jpeg_bytes("red"), "las.jpg", title="Las", competence=ids)
    assert status == 422 and "not a competence of this dossier" in answer["message"]


def test_declared_too_large_is_refused_before_reading(wallet_server: WalletService,
                                                      wallet_process: WalletProcess,
                                                      owner: Owner) -> None:
    """A process test: the request lies about its length on a raw socket."""
    boundary = "b0undary"
    answer = raw_request(wallet_process, owner, {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(50 * 1024**3)}, b"")
    assert status_of(answer) == 413 and b"larger than the limit" in answer
    assert owner.client.get(owner.url("/evidence")).json() == []
    assert left_in_tmp(wallet_server) == []


def test_upload_cut_off_midway_leaves_nothing(wallet_server: WalletService,
                                              wallet_process: WalletProcess,
                                              owner: Owner) -> None:
    """A process test: the socket closes midway through the body."""
    boundary = "cutcutcut"
    body = multipart_body(boundary, {"title": "Afgebroken", "kind": "photo"}, "big.jpg",
                          jpeg_bytes() + b"\xff" * 2_000_000)
    raw_request(wallet_process, owner, {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(body))}, body[: len(body) // 2], close_early=True)
    assert left_in_tmp(wallet_server) == []
    assert owner.client.get(owner.url("/evidence")).json() == []
    # and a body that ends without its closing boundary is refused as incomplete
    truncated = body[: len(body) // 2]
    answer = raw_request(wallet_process, owner, {
        "Content-Type": f"multipart/form-data; boundary={boundary}",
        "Content-Length": str(len(truncated))}, truncated)
    assert status_of(answer) == 400 and b"incomplete" in answer
    assert left_in_tmp(wallet_server) == []
    assert owner.client.get(owner.url("/evidence")).json() == []


def test_delegate_adds_pending_and_owner_decides(wallet_server: WalletService,
                                                 owner: Owner) -> None:
    employer = wallet_server.delegate(owner, "employer", scopes=["evidence:add"])
    status, item = upload(employer, jpeg_bytes("navy"), "klant.jpg", dossier=owner.id,
                          title="Klantgesprek")
    assert status == 201, item
    assert item["status"] == "pending" and item["addedBy"] == employer.id
    _, second = upload(employer, png_bytes("olive"), "b.png", dossier=owner.id, title="B")
    # the delegate sees what they added, even without evidence:read
    mine = employer.client.get(employer.url("/evidence", owner.id)).json()
    assert {e["id"] for e in mine} == {item["id"], second["id"]}
    # only the owner decides
    refused = employer.client.post(employer.url(f"/evidence/{item['id']}/approve", owner.id))
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    pending = owner.client.get(owner.url("/evidence"), params={"status": "pending"}).json()
    assert {e["id"] for e in pending} == {item["id"], second["id"]}
    approved = owner.client.post(owner.url(f"/evidence/{item['id']}/approve"))
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    again = owner.client.post(owner.url(f"/evidence/{item['id']}/approve"))
    assert again.status_code == 409 and "already approved" in again.json()["message"]
    rejected = owner.client.post(owner.url(f"/evidence/{second['id']}/reject"))
    assert rejected.json()["status"] == "rejected"
    assert [e["id"] for e in owner.client.get(owner.url("/evidence"),
                                              params={"status": "approved"}).json()] \
        == [item["id"]]
    audit = _audit(wallet_server, owner.id)
    assert ("evidence.add", employer.id, item["id"]) in audit
    assert ("evidence.approve", owner.id, item["id"]) in audit
    assert ("evidence.reject", owner.id, second["id"]) in audit


def _audit(server: WalletService, owner_id: str) -> list[tuple[str, str | None, str | None]]:
    """The dossier's log, read from the service's database."""
    engine = make_engine(server.database_url)
    try:
        with Session(engine) as session:
            return [(e.action, e.actor_id, e.subject_id) for e in session.exec(
                select(AuditEvent).where(AuditEvent.owner_id == owner_id))]
    finally:
        engine.dispose()


def test_delegate_without_scope_is_refused(wallet_server: WalletService, owner: Owner) -> None:
    mentor = wallet_server.delegate(owner, "mentor", scopes=["reflections:write"])
    status, answer = upload(mentor, jpeg_bytes(), "a.jpg", dossier=owner.id, title="A")
    assert status == 403 and "does not allow you to add evidence" in answer["message"]
    assert mentor.client.get(mentor.url("/evidence", owner.id)).status_code == 403
    assert left_in_tmp(wallet_server) == []
    reader = wallet_server.delegate(owner, "mentor", scopes=["evidence:read"])
    upload(owner, jpeg_bytes("lime"), "a.jpg", title="Zichtbaar")
    seen = reader.client.get(reader.url("/evidence", owner.id)).json()
    assert [e["title"] for e in seen] == ["Zichtbaar"]
    assert reader.client.get(seen[0]["file"]).content == jpeg_bytes("lime")
    for verb in ("delete", "patch"):
        refused = reader.client.request(verb.upper(), reader.url(f"/evidence/{seen[0]['id']}",
                                                                 owner.id), json={"title": "X"})
        assert refused.status_code == 403, refused.text


def test_another_owner_reaches_nothing(wallet_server: WalletService, owner: Owner) -> None:
    _, item = upload(owner, jpeg_bytes(), "a.jpg", title="Van mij")
    other = wallet_server.create_owner()
    assert other.client.get(other.url("/evidence", owner.id)).status_code == 404
    assert other.client.get(item["file"]).status_code == 404
    assert upload(other, jpeg_bytes(), "b.jpg", dossier=owner.id, title="B")[0] == 404
    # its own dossier does not reveal the item either
    answer = other.client.get(other.url(f"/evidence/{item['id']}"))
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert other.client.delete(other.url(f"/evidence/{item['id']}")).status_code == 404
    assert wallet_server.client().get(item["file"]).status_code == 401


PATH_TRICKS = ["..%2F..%2Fwallet.db", "%2e%2e", "..", "0" * 64, "ZZ" * 16, "a" * 31,
               "%00" * 3, "blobs%2F00", "%2F..%2F..%2Fetc%2Fpasswd"]


def test_path_tricks_in_ids(wallet_server: WalletService, owner: Owner) -> None:
    for evidence_id in PATH_TRICKS:
        for suffix in ("", "/file"):
            answer = owner.client.get(owner.url(f"/evidence/{evidence_id}{suffix}"))
            assert answer.status_code in (404, 422), (evidence_id, answer.text)
            assert b"SQLite" not in answer.content and b"root:" not in answer.content


def test_edit_and_delete_with_shared_blob(wallet_server: WalletService, owner: Owner) -> None:
    photo = jpeg_bytes("purple")
    _, item = upload(owner, photo, "a.jpg", title="Eerste")
    other = wallet_server.create_owner()
    _, same = upload(other, photo, "b.jpg", title="Dezelfde bytes")
    assert same["sha256"] == item["sha256"]  # one blob for both

    edited = owner.client.patch(owner.url(f"/evidence/{item['id']}"), json={
        "title": "Lasnaad, verbeterd", "practiceDate": "2026-05-02", "place": "Hal 3"})
    assert edited.status_code == 200, edited.text
    assert edited.json()["title"] == "Lasnaad, verbeterd"
    assert edited.json()["practiceDate"] == "2026-05-02"
    bad = owner.client.patch(owner.url(f"/evidence/{item['id']}"), json={"sha256": "0" * 64})
    assert bad.status_code == 422 and "cannot be changed" in bad.json()["message"]
    empty = owner.client.patch(owner.url(f"/evidence/{item['id']}"), json={"title": " "})
    assert empty.status_code == 422 and "title" in empty.json()["message"]

    assert owner.client.delete(owner.url(f"/evidence/{item['id']}")).status_code == 200
    assert owner.client.get(owner.url(f"/evidence/{item['id']}")).status_code == 404
    assert blob_path(wallet_server, item["sha256"]).exists()  # the other owner still has it
    assert other.client.get(same["file"]).content == photo
    assert other.client.delete(other.url(f"/evidence/{same['id']}")).status_code == 200
    assert not blob_path(wallet_server, item["sha256"]).exists()


def test_raw_body_upload(wallet_server: WalletService, owner: Owner) -> None:
    photo = jpeg_bytes("gold")
    answer = owner.client.post(owner.url("/evidence"), content=photo, params={
        "title": "Rauw", "kind": "photo", "filename": "rauw.jpg"},
        headers={"Content-Type": "application/octet-stream"})
    assert answer.status_code == 201, answer.text
    assert answer.json()["sha256"] == hashlib.sha256(photo).hexdigest()
    assert answer.json()["filename"] == "rauw.jpg"
    malformed = owner.client.post(owner.url("/evidence"), content=b"{not json",
                                  headers={"Content-Type": "application/json"})
    assert malformed.status_code == 400 and "malformed JSON" in malformed.json()["message"]
    assert json.loads(owner.client.get(owner.url("/evidence")).text)[0]["title"] == "Rauw"

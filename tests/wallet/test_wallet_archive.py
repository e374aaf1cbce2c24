"""Moving school between two REAL wallet instances (SQLite and PostgreSQL): a dossier filled
with credentials from the real issuer, evidence files, competences, reflections, a share and
a CV is exported (CLI and API), imported into a second wallet, and arrives complete, byte
for byte, verifying; a second import adds nothing. Plus the standard bundles (VP, CLR 2.0),
checked by the real verifier.

Evidence is put into wallet A through the evidence store and rows directly (the evidence
API belongs to another module); reflections through `write_reflection` (signed as in the
product).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session, select

from servicekit.scratch import files_in
from tests.databases import started_on_fresh_database
from tests.issuer.conftest import IssuerProcess
from tests.issuer.test_issuer_vc_api import unsigned_credential_of
from tests.verifier.conftest import issuer, issuer_org, trust_registry_file, verifier  # noqa: F401
from tests.wallet.conftest import PASSWORD, Owner, WalletService
from tests.wallet.evidence_files import jpeg_bytes, pdf_bytes
from wallet.config import WalletSettings
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.models import (
    Account,
    Competence,
    CvPage,
    Evidence,
    Reflection,
    Share,
    StoredCredential,
    with_links,
)
from wallet.services.access import owner_actor
from wallet.services.accounts import holder_key
from wallet.services.context import WalletContext
from wallet.services.reflections import write_reflection

COMPETENCE_URL = "https://example.org/competences/klassenmanagement"


@contextmanager
def storage(server: WalletService) -> Iterator[WalletContext]:
    """The wallet's own storage, opened from the test (same data dir and database)."""
    ctx = WalletContext.open(WalletSettings(data_dir=server.data_dir,
                                            database_url=server.database_url),
                             run_migrations=False)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture(scope="session")
def wallet_b(wallet_server: WalletService,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletService]:
    """A second wallet instance on the same kind of database as `wallet_server`."""
    backend = "sqlite" if wallet_server.database_url.startswith("sqlite") else "postgres"
    directory = tmp_path_factory.mktemp(f"wallet-b-{backend}")
    with started_on_fresh_database(backend, directory, WalletService) as server:
        yield server


@pytest.fixture(scope="module")
def issuer_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssuerProcess]:
    """A real issuer process: `opendossier wallet import` (a process of its own) verifies the
    credentials it takes, so their issuer must answer on a socket."""
    directory = tmp_path_factory.mktemp("issuer-process")
    server = IssuerProcess(directory / "data",
                           f"sqlite:///{directory / 'data' / 'issuer.db'}").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def issuer_api(issuer_process: IssuerProcess) -> Iterator[httpx.Client]:
    org = issuer_process.create_org("OBS De Linde", did="web")
    with issuer_process.client(org["api_token"]) as client:
        yield client


def issue_to(issuer_api: httpx.Client, did: str, name: str) -> dict[str, Any]:
    credential = unsigned_credential_of(issuer_api, name=name)
    subject = credential["credentialSubject"]
    subject["id"] = did
    subject["achievement"] = {**subject["achievement"], "name": name,
                              "id": f"https://example.org/achievements/{os.urandom(4).hex()}"}
    answer = issuer_api.post("/credentials/issue", json={"credential": credential})
    assert answer.status_code == 201, answer.text
    return answer.json()["verifiableCredential"]  # type: ignore[no-any-return]


def revoke(issuer_api: httpx.Client, credential: dict[str, Any]) -> None:
    answer = issuer_api.post("/credentials/status", json={
        "credentialId": credential["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}]})
    assert answer.status_code == 200, answer.text


def add_credentials(owner: Owner, issuer_api: httpx.Client, names: list[str]) -> list[str]:
    ids = []
    for name in names:
        answer = owner.client.post(owner.url("/credentials"),
                                   json=issue_to(issuer_api, owner.did, name))
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


@dataclass
class Filled:
    owner: Owner
    credential_ids: list[str]
    revoked_id: str
    blobs: dict[str, bytes] = field(default_factory=dict)  # sha256 -> bytes
    evidence_ids: list[str] = field(default_factory=list)
    competence_id: str = ""
    reflection_id: str = ""
    share_id: str = ""


def put_blob(ctx: WalletContext, data: bytes) -> str:
    with evidence_store(ctx.settings.evidence_dir).writer(len(data)) as writer:
        writer.write(data)
        return writer.finish().sha256


def fill_dossier(server: WalletService, owner: Owner, issuer_api: httpx.Client) -> Filled:
    """Credentials (one revoked after it arrived), evidence (one file used twice, a note),
    a competence, a reflection, a share and a CV."""
    ids = add_credentials(owner, issuer_api, ["Klassenmanagement", "Didactiek"])
    revoked_credential = issue_to(issuer_api, owner.did, "Ingetrokken")
    answer = owner.client.post(owner.url("/credentials"), json=revoked_credential)
    assert answer.status_code == 201, answer.text
    revoke(issuer_api, revoked_credential)
    filled = Filled(owner, ids, answer.json()["id"])
    # files an upload takes (a JPEG, a PDF), made large and unique by bytes after them
    photo, document = jpeg_bytes() + os.urandom(300_000), pdf_bytes() + os.urandom(1000)
    with storage(server) as ctx, session_scope(ctx.engine) as session:
        account = session.get(Account, owner.id)
        assert account is not None
        actor = owner_actor(account)
        competence = Competence(owner_id=owner.id, url=COMPETENCE_URL, name="Klassenmanagement",
                                framework="Bekwaamheidseisen")
        session.add(competence)
        session.flush()
        filled.competence_id = competence.id
        links = [competence.id]
        for title, data, kind, media in (("Les 1", photo, "photo", "image/jpeg"),
                                         ("Les 1 again", photo, "photo", "image/jpeg"),
                                         ("Verslag", document, "document", "application/pdf")):
            sha256 = put_blob(ctx, data)
            filled.blobs[sha256] = data
            item = with_links(Evidence(
                owner_id=owner.id, added_by=owner.id, kind=kind, title=title,
                filename=f"{title}.bin", media_type=media, size=len(data), sha256=sha256,
                practice_date=date(2026, 3, 4), place="Utrecht"), competence_ids=links)
            session.add(item)
            filled.evidence_ids.append(item.id)
        note = with_links(Evidence(owner_id=owner.id, added_by=owner.id, kind="note",
                                   title="Notitie", description="Rustige klas."),
                          competence_ids=links)
        session.add(note)
        filled.evidence_ids.append(note.id)
        session.flush()
        reflection = write_reflection(ctx, session, actor, "Ik leerde rust te bewaren.",
                                      [competence.id], [filled.evidence_ids[0]])
        filled.reflection_id = reflection.id
        share = with_links(Share(owner_id=owner.id, token=os.urandom(16).hex(),
                                 audience="Stageschool",
                                 expires_at=datetime.now(UTC) + timedelta(days=7)),
                           credential_ids=ids[:1], evidence_ids=filled.evidence_ids[:1])
        session.add(share)
        filled.share_id = share.id
        session.add(with_links(CvPage(owner_id=owner.id, slug=os.urandom(6).hex(), enabled=True,
                                      headline="Leraar in opleiding", about="Over mij"),
                               credential_ids=ids))
    return filled


def write_password(server: WalletService, password: str = PASSWORD) -> Path:
    path = server.data_dir / f"archive-password-{os.urandom(4).hex()}"
    path.write_text(password + "\n")
    return path


def members(archive: bytes | Path, password: str | None = None) -> dict[str, bytes]:
    import pyzipper

    source = io.BytesIO(archive) if isinstance(archive, bytes) else archive
    with pyzipper.AESZipFile(source) as opened:
        if password:
            opened.setpassword(password.encode())
        return {name: opened.read(name) for name in opened.namelist()}


def rows(session: Session, table: Any, owner_id: str) -> list[Any]:
    return list(session.exec(select(table).where(table.owner_id == owner_id)))


def test_round_trip_cli_encrypted_keeps_everything(wallet_server: WalletService,
                                                  wallet_b: WalletService,
                                                  issuer_api: httpx.Client) -> None:
    owner = wallet_server.create_owner(name="Sanne de Vries")
    filled = fill_dossier(wallet_server, owner, issuer_api)
    archive = wallet_server.data_dir / f"export-{owner.id}.zip"
    password_file = write_password(wallet_server)
    exported = wallet_server.cli("export", owner.email, "--out", str(archive),
                                 "--password-file", str(password_file))
    summary = json.loads(exported.stdout)
    assert summary["encrypted"] is True and summary["holderKeyIncluded"] is True
    assert summary["counts"]["credentials"] == 3 and summary["counts"]["evidenceFiles"] == 2
    assert "items" in exported.stderr  # progress on stderr
    assert not list(archive.parent.glob(f".{archive.name}.*"))  # no temp file left

    inside = members(archive, PASSWORD)
    manifest = json.loads(inside["manifest.json"])
    assert manifest["format"] == "opendossier-archive" and manifest["version"] == 1
    assert manifest["owner"]["email"] == owner.email and manifest["owner"]["did"] == owner.did
    for item in manifest["items"]:
        assert hashlib.sha256(inside[item["path"]]).hexdigest() == item["sha256"]
        assert len(inside[item["path"]]) == item["size"]
    assert sorted(n for n in inside if n.startswith("evidence/")) == \
        sorted(f"evidence/{sha}" for sha in filled.blobs)  # each file once
    key_file = json.loads(inside["holder-key.json"])
    secret = holder_secret(wallet_server, owner.id)
    assert secret not in inside["holder-key.json"].decode()  # wrapped again with scrypt
    assert key_file["secretKeyEncryption"]["kdf"] == "scrypt"

    imported = wallet_b.cli("import", str(archive), "--password-file", str(password_file))
    result = json.loads(imported.stdout)
    assert result["createdOwner"] is True and result["tookHolderKey"] is True
    assert result["owner"] == owner.id and result["did"] == owner.did
    counts = result["counts"]
    assert counts["credentials"] == {"added": 2, "alreadyThere": 0, "refused": 1}
    assert [r["id"] for r in result["refused"]] == [filled.revoked_id]
    assert "revoked" in result["refused"][0]["reason"]
    assert counts["evidence"]["added"] == 4 and counts["reflections"]["added"] == 1
    assert counts["competences"]["added"] == 1 and counts["shares"]["added"] == 1
    assert counts["cv"]["added"] == 1
    assert any("share" in problem for problem in result["problems"])
    assert_same_dossier(wallet_server, wallet_b, filled)

    # the imported owner has no password until create-owner sets it; then the API shows it
    again = wallet_b.create_owner_cli(owner.email)
    assert again.id == owner.id and again.did == owner.did
    listed = again.client.get(again.url("/credentials")).json()
    assert sorted(c["id"] for c in listed) == sorted(filled.credential_ids)
    assert all(c["verified"] and c["source"] == "archive" for c in listed)

    # a second import duplicates nothing
    second = json.loads(wallet_b.cli("import", str(archive), "--password-file",
                                      str(password_file)).stdout)
    assert second["createdOwner"] is False
    assert all(kind["added"] == 0 for kind in second["counts"].values())
    assert second["counts"]["credentials"]["alreadyThere"] == 2
    assert second["counts"]["evidence"]["alreadyThere"] == 4
    assert_same_dossier(wallet_server, wallet_b, filled)


def holder_secret(server: WalletService, owner_id: str) -> str:
    with storage(server) as ctx, Session(ctx.engine) as session:
        account = session.get(Account, owner_id)
        assert account is not None
        return holder_key(ctx, account).secret_key_multibase()


def assert_same_dossier(a: WalletService, b: WalletService, filled: Filled) -> None:
    """Everything of the owner in B as in A: ids, bytes, links; nothing twice."""
    owner_id = filled.owner.id
    with storage(a) as ctx_a, storage(b) as ctx_b, Session(ctx_a.engine) as sa, \
            Session(ctx_b.engine) as sb:
        in_a = {c.id: c for c in rows(sa, StoredCredential, owner_id)}
        in_b = {c.id: c for c in rows(sb, StoredCredential, owner_id)}
        assert sorted(in_b) == sorted(filled.credential_ids)
        for credential_id, stored in in_b.items():
            assert stored.content == in_a[credential_id].content  # byte for byte
            assert stored.digest == in_a[credential_id].digest and stored.verified
            assert stored.verification["verified"] is True
        evidence_a = {e.id: e for e in rows(sa, Evidence, owner_id)}
        evidence_b = {e.id: e for e in rows(sb, Evidence, owner_id)}
        assert sorted(evidence_b) == sorted(evidence_a)
        store_b = evidence_store(ctx_b.settings.evidence_dir)
        for evidence_id, item in evidence_b.items():
            original = evidence_a[evidence_id]
            assert (item.title, item.kind, item.sha256, item.size, item.practice_date,
                    item.place, item.competence_ids, item.status) == \
                (original.title, original.kind, original.sha256, original.size,
                 original.practice_date, original.place, original.competence_ids,
                 original.status)
            if item.sha256:
                data = store_b.path(item.sha256).read_bytes()
                assert hashlib.sha256(data).hexdigest() == item.sha256
                assert data == filled.blobs[item.sha256]
        [competence] = rows(sb, Competence, owner_id)
        assert competence.id == filled.competence_id and competence.url == COMPETENCE_URL
        [reflection] = rows(sb, Reflection, owner_id)
        original_reflection = sa.get(Reflection, filled.reflection_id)
        assert original_reflection is not None
        assert reflection.id == filled.reflection_id
        assert reflection.credential_json == original_reflection.credential_json
        assert reflection.evidence_ids == [filled.evidence_ids[0]]
        [share] = rows(sb, Share, owner_id)
        original_share = sa.get(Share, filled.share_id)
        assert original_share is not None
        assert share.id == filled.share_id and share.token != original_share.token
        assert share.revoked_at is not None and share.audience == "Stageschool"
        assert share.credential_ids == filled.credential_ids[:1]
        cv = sb.get(CvPage, owner_id)
        assert cv is not None and cv.enabled and cv.headline == "Leraar in opleiding"
        assert sorted(cv.credential_ids) == sorted(filled.credential_ids)


def test_api_export_unencrypted_has_no_private_key_and_imports(
        wallet_server: WalletService, wallet_b: WalletService, issuer_api: httpx.Client) -> None:
    owner = wallet_server.create_owner()
    ids = add_credentials(owner, issuer_api, ["Observeren"])
    answer = owner.client.post(owner.url("/export"), json={})
    assert answer.status_code == 200, (answer.status_code, answer.text[:300],
                                       "is wallet.api.archive in ROUTERS?")
    assert answer.headers["content-type"] == "application/zip"
    assert answer.headers["x-archive-encrypted"] == "false"
    inside = members(answer.content)
    assert "holder-key.json" not in inside
    secret = holder_secret(wallet_server, owner.id)
    assert all(secret.encode() not in data for data in inside.values())
    assert json.loads(inside["manifest.json"])["encrypted"] is False
    assert not files_in(wallet_server.data_dir / "tmp-archives")  # deleted after

    # into someone's dossier in B (another e-mail): the owner keeps B's own DID
    newcomer = wallet_b.sign_up()
    imported = newcomer.client.post(newcomer.url("/import"), content=answer.content,
                                    headers={"content-type": "application/zip"})
    assert imported.status_code == 200, imported.text
    result = imported.json()
    assert result["owner"] == newcomer.id and result["did"] == newcomer.did
    assert result["tookHolderKey"] is False
    assert result["counts"]["credentials"] == {"added": 1, "alreadyThere": 0, "refused": 0}
    listed = newcomer.client.get(newcomer.url("/credentials")).json()
    assert [c["id"] for c in listed] == ids
    again = newcomer.client.post(newcomer.url("/import"), content=answer.content)
    assert again.status_code == 200, again.text
    assert again.json()["counts"]["credentials"]["alreadyThere"] == 1
    assert len(newcomer.client.get(newcomer.url("/credentials")).json()) == 1

    # encrypted over the API; a wrong password is refused with nothing changed
    encrypted = owner.client.post(owner.url("/export"), json={"password": PASSWORD})
    assert encrypted.headers["x-archive-encrypted"] == "true"
    wrong = newcomer.client.post(newcomer.url("/import"), content=encrypted.content,
                                 headers={"x-archive-password": "not the password"})
    assert wrong.status_code == 422 and "wrong password" in wrong.json()["message"]
    assert newcomer.client.get(newcomer.url("/credentials")).json()[0]["id"] == ids[0]
    # multipart (archive + password fields): the owner already has credentials here, so
    # keeps this wallet's DID and is told why
    form = newcomer.client.post(newcomer.url("/import"), data={"password": PASSWORD},
                                files={"archive": ("d.zip", encrypted.content, "application/zip")})
    assert form.status_code == 200, form.text
    assert form.json()["tookHolderKey"] is False and form.json()["did"] == newcomer.did
    assert any("keeps the DID" in problem for problem in form.json()["problems"])
    short = owner.client.post(owner.url("/export"), json={"password": "short"})
    assert short.status_code == 422 and "at least 10" in short.json()["message"]


def test_only_the_owner_moves_the_dossier(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner()
    mentor = wallet_server.delegate(owner, "mentor", ["reflections:write", "evidence:read"])
    refused = mentor.client.post(mentor.url("/export", owner.id), json={})
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    refused = mentor.client.post(mentor.url("/import", owner.id), content=b"PK")
    assert refused.status_code == 403
    assert mentor.client.get(mentor.url("/export/vp", owner.id)).status_code == 403
    stranger = wallet_server.create_owner()
    assert stranger.client.post(stranger.url("/export", owner.id), json={}).status_code == 404
    assert wallet_server.client().post(owner.url("/export"), json={}).status_code == 401
    empty = owner.client.post(owner.url("/import"), content=b"")
    assert empty.status_code == 400 and "zip" in empty.json()["message"]
    not_zip = owner.client.post(owner.url("/import"), content=b"hello, not a zip")
    assert not_zip.status_code == 422 and "not a readable zip" in not_zip.json()["message"]


def test_bundles_verify_at_the_verifier(wallet_server: WalletService, issuer_api: httpx.Client,
                                        verifier: Any) -> None:  # noqa: F811
    owner = wallet_server.create_owner(name="Sanne")
    ids = add_credentials(owner, issuer_api, ["Klassenmanagement", "Didactiek"])
    vp = owner.client.get(owner.url("/export/vp"))
    assert vp.status_code == 200, vp.text
    assert "attachment" in vp.headers["content-disposition"]
    presentation = vp.json()
    assert presentation["holder"] == owner.did
    assert len(presentation["verifiableCredential"]) == 2
    report = verifier.verify_presentation(presentation)
    assert report["verified"] is True, report
    chosen = owner.client.get(owner.url("/export/vp"), params={"credential": ids[1]}).json()
    assert len(chosen["verifiableCredential"]) == 1
    missing = owner.client.get(owner.url("/export/vp"), params={"credential": "0" * 32})
    assert missing.status_code == 404

    clr = owner.client.get(owner.url("/export/clr"))
    assert clr.status_code == 200, clr.text
    document = clr.json()
    assert "ClrCredential" in document["type"] and document["issuer"]["id"] == owner.did
    assert len(document["credentialSubject"]["verifiableCredential"]) == 2
    report = verifier.verify_credential(document)
    assert report["verified"] is True, report

    # A revoked badge stays out of the CLR, named in a header; the rest still verifies.
    revoked = issue_to(issuer_api, owner.did, "Ingetrokken")
    stored = owner.client.post(owner.url("/credentials"), json=revoked).json()["id"]
    revoke(issuer_api, revoked)
    clr = owner.client.get(owner.url("/export/clr"))
    assert clr.status_code == 200, clr.text
    assert clr.headers["X-Skipped-Credentials"] == stored
    assert len(clr.json()["credentialSubject"]["verifiableCredential"]) == 2
    assert verifier.verify_credential(clr.json())["verified"] is True

    nothing = wallet_server.create_owner()
    empty = nothing.client.get(nothing.url("/export/clr"))
    assert empty.status_code == 422 and "no valid AchievementCredentials" in empty.json()["message"]

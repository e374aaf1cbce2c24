"""Deleting an account through the real wallet (SQLite and PostgreSQL): a wrong password
deletes nothing; the right one deletes the whole dossier (credentials, evidence and its own
files, reflections, a report, a share whose link then answers 404, the online CV, delegations
both ways, the log) and every session; a file another owner also uploaded stays; what she did
as a delegate in another owner's dossier stays there without her name; no row anywhere still
names her account; and the other owner's dossier is untouched."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from servicekit.api_errors import status_of
from servicekit.database import ChangedMeanwhile, session_scope
from tests import inprocess
from tests.verifier.signing import achievement_credential, new_signer
from tests.wallet.conftest import PASSWORD, Owner, WalletService
from tests.wallet.evidence_files import jpeg_bytes
from tests.wallet.pages import PageSession
from tests.wallet.test_wallet_sessions import copy_of_cookie, is_sent_to_log_in, logged_in_browser
from wallet.models import Competence, WalletTable


def upload(person: Owner, title: str, content: bytes, owner: Owner | None = None) -> str:
    answer = person.client.post(person.url("/evidence", owner.id if owner else None),
                                data={"title": title, "kind": "photo"},
                                files={"file": ("foto.jpg", content, "image/jpeg")})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def made(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code in (200, 201), answer.text
    return answer.json()  # type: ignore[no-any-return]


def accept_as(owner: Owner, person: Owner, role: str) -> None:
    """`owner` invites the existing account `person`, who accepts while logged in."""
    invited = made(owner.client.post(owner.url("/delegations"),
                                     json={"email": person.email, "role": role}))
    made(person.client.post(f"/api/invitations/{invited['inviteToken']}/accept"))


def blob_path(wallet: WalletService, content: bytes) -> Path:
    assert wallet.context is not None
    digest = hashlib.sha256(content).hexdigest()
    return wallet.context.settings.evidence_dir / "blobs" / digest[:2] / digest


def rows_naming(wallet: WalletService, account_id: str) -> dict[str, int]:
    """In every table, the rows that name the account: its own `owner_id`, or a foreign
    key to it."""
    assert wallet.context is not None
    found = {}
    with wallet.context.engine.connect() as connection:
        for table in WalletTable.metadata.sorted_tables:
            columns = {c for c in table.columns if c.name == "owner_id"
                       or (table.name == "account" and c.name == "id")}
            columns |= {key.parent for key in table.foreign_keys
                        if key.column.table.name == "account"}
            for column in columns:
                count = connection.execute(sa.select(sa.func.count()).select_from(table)
                                           .where(column == account_id)).scalar_one()
                if count:
                    found[f"{table.name}.{column.name}"] = count
    return found


def test_deleting_an_account_deletes_her_dossier_and_nothing_of_others(
        wallet_server: WalletService) -> None:
    alice, bob = wallet_server.create_owner(name="Alice"), wallet_server.create_owner()
    shared_photo, own_photo, photo_for_bob = (jpeg_bytes(colour) for colour in
                                              ("navy", "olive", "maroon"))
    issuer = new_signer()
    credential = made(alice.client.post(
        alice.url("/credentials"), content=json.dumps(issuer.sign(achievement_credential(
            issuer.did, alice.did))), headers={"content-type": "application/json"}))["id"]
    upload(alice, "Kring", shared_photo)
    own_id = upload(alice, "Les", own_photo)
    bobs_copy = upload(bob, "Zelfde foto", shared_photo)
    reflection = made(alice.client.post(alice.url("/reflections"), json={
        "text": "Ik leerde veel.", "evidence": [own_id]}))["id"]
    made(alice.client.post(alice.url("/reports"), json={
        "title": "Stage", "evidence": [own_id], "reflections": [reflection]}))
    share = made(alice.client.post(alice.url("/shares"), json={
        "credentials": [credential], "evidence": [own_id], "audience": "Werkgever"}))
    made(alice.client.post(alice.url("/competences"), json=[{"name": "Kringgesprekken"}]))
    cv = made(alice.client.put(alice.url("/cv"), json={"enabled": True,
                                                       "credentials": [credential]}))
    mentor = wallet_server.delegate(alice, "mentor")  # her delegate
    accept_as(bob, alice, "coordinator")  # and she is bob's
    added_for_bob = upload(alice, "Op stage", photo_for_bob, owner=bob)
    made(alice.client.post(alice.url("/reflections", bob.id), json={"text": "Goed gedaan."}))
    assert inprocess.get(share["url"], timeout=30).status_code == 200
    assert inprocess.get(cv["url"], timeout=30).status_code == 200
    browser = logged_in_browser(wallet_server, alice)
    stolen = copy_of_cookie(wallet_server, browser)
    other_token = wallet_server.log_in(alice.email, alice.id, alice.did).client
    before = rows_naming(wallet_server, alice.id)
    bob_before = rows_naming(wallet_server, bob.id)

    wrong = alice.client.post("/api/me/delete", json={"password": "not my password"})
    assert wrong.status_code == 403 and wrong.json()["message"] == "the password is wrong"
    assert rows_naming(wallet_server, alice.id) == before
    assert stolen.get(f"/d/{alice.id}").status_code == 200
    assert blob_path(wallet_server, own_photo).is_file()

    answer = made(alice.client.post("/api/me/delete", json={"password": PASSWORD}))
    assert answer["deleted"].pop("auditEvents") > 0
    assert answer == {
        "deleted": {"credentials": 2,  # the badge, and the report's own credential
                    "evidence": 2, "reflections": 1, "internshipReports": 1, "competences": 1,
                    "shares": 1, "shareViews": 1, "shareViewDays": 0, "cvPage": 1,
                    "delegationsGiven": 1, "delegationsReceived": 1, "sessions": 3,
                    "account": 1},
        "evidenceFilesRemoved": 1,  # her own photo; the one bob uploaded too stays
        # in bob's dossier: the photo she added, her reflection, and the log lines of
        # her accepting, adding and writing
        "keptInOtherDossiers": {"evidence": 1, "reflections": 1, "auditEvents": 3}}

    assert rows_naming(wallet_server, alice.id) == {}
    # every session and token of hers has ended: API tokens, the page cookie and its copy
    for client in (alice.client, other_token):
        assert client.get("/api/me").status_code == 401
    for path in ("/", f"/d/{alice.id}", f"/d/{bob.id}"):
        assert is_sent_to_log_in(stolen.get(path)), path
    assert is_sent_to_log_in(browser.get("/"))
    assert wallet_server.client().post("/api/session", json={
        "email": alice.email, "password": PASSWORD}).status_code == 401
    # her public links are gone; her own file is gone, the one bob has too stays
    for url in (share["url"], f"{share['url']}/evidence/{own_id}", cv["url"]):
        assert inprocess.get(url, timeout=30).status_code in (404, 410), url
    assert not blob_path(wallet_server, own_photo).exists()
    assert blob_path(wallet_server, shared_photo).is_file()
    assert bob.client.get(bob.url(f"/evidence/{bobs_copy}/file")).content == shared_photo

    # bob's dossier is whole: what she did there stays, without her name; her delegation
    # goes, and his log says so
    bob_after = {**bob_before, "auditevent.owner_id": bob_before["auditevent.owner_id"] + 1}
    assert bob_after.pop("delegation.owner_id") == 1
    assert rows_naming(wallet_server, bob.id) == bob_after
    evidence = {e["id"]: e for e in bob.client.get(bob.url("/evidence")).json()}
    assert evidence[added_for_bob]["addedBy"] is None
    assert bob.client.get(bob.url(f"/evidence/{added_for_bob}/file")).content == photo_for_bob
    (written,) = bob.client.get(bob.url("/reflections")).json()
    assert written["author"]["id"] is None and written["text"] == "Goed gedaan."
    assert bob.client.get(bob.url("/delegations")).json() == []
    archive = bob.client.post(bob.url("/export"))  # names nobody for what she did
    with zipfile.ZipFile(io.BytesIO(archive.content)) as opened:
        dossier = json.loads(opened.read("dossier.json"))
    assert {e["addedBy"] for e in dossier["evidence"]} == {bob.email, ""}
    assert {r["author"]["email"] for r in dossier["reflections"]} == {""}
    overview = PageSession(wallet_server)
    assert overview.log_in(bob.email).status_code == 303
    page = overview.get(f"/d/{bob.id}").text
    assert "(verwijderd account)" in page and "account van meekijker verwijderd" in page
    # her mentor keeps an account, without her dossier
    assert [d["role"] for d in mentor.client.get("/api/me").json()["dossiers"]] == ["owner"]
    # the address is free again: a new account starts empty
    again = wallet_server.sign_up(alice.email)
    assert again.id != alice.id and again.did != alice.did
    assert again.client.get(again.url("/evidence")).json() == []


def test_the_api_needs_the_password_and_a_live_session(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner()
    assert wallet_server.client().post("/api/me/delete", json={
        "password": PASSWORD}).status_code == 401
    assert owner.client.post("/api/me/delete", json={}).status_code == 400
    assert owner.client.post("/api/me/delete", content=b"x" * 70_000,
                             headers={"content-type": "application/json"}).status_code == 413
    assert owner.client.get("/api/me").status_code == 200


def test_a_write_for_an_account_that_went_meanwhile_is_a_conflict_not_a_crash(
        wallet_server: WalletService) -> None:
    """A request that found the dossier before its owner deleted her account and writes
    after (the services re-read the owner where they can; this is the instant between): the
    database refuses the row, whose owner is gone, and session_scope says so as a conflict
    (409) that stores nothing, not a server error."""
    alice = wallet_server.create_owner()
    ctx = wallet_server.context
    assert ctx is not None
    made(alice.client.post("/api/me/delete", json={"password": PASSWORD}))
    with pytest.raises(ChangedMeanwhile) as refused, session_scope(ctx.engine) as session:
        session.add(Competence(owner_id=alice.id, name="Klassenmanagement"))
    assert status_of(refused.value) == 409
    assert rows_naming(wallet_server, alice.id) == {}

"""Credentials in the wallet, over real HTTP against a real issuer, on SQLite and PostgreSQL:
verified on arrival, duplicates recognised, refusals store nothing, the view checks again."""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from servicekit.qr import qr_png
from standards.baking import bake_png
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import organisation_did
from tests.verifier.conftest import issuer, issuer_org  # noqa: F401
from tests.wallet.conftest import Owner, WalletService

ALIGNMENT: dict[str, Any] = {"type": ["Alignment"], "targetName": "Pedagogisch handelen",
             "targetUrl": "https://competenties.example/pedagogisch-handelen",
             "targetFramework": "Bekwaamheidseisen leraren", "targetCode": "PH1"}


@pytest.fixture
def issuer_api(issuer: IssuerService, issuer_org: dict[str, Any]  # noqa: F811
               ) -> Iterator[httpx.Client]:
    with issuer.client(issuer_org["api_token"]) as client:
        yield client


def unsigned(issuer_did: str, subject_did: str, *,
             alignment: list[dict[str, Any]] | None = None,
             name: str = "Klassenmanagement") -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": f"https://school.example/achievements/{os.urandom(4).hex()}",
        "type": ["Achievement"], "name": name, "description": "Leidt een klas rustig.",
        "criteria": {"narrative": "Drie lesobservaties met een voldoende."}}
    if alignment:
        achievement["alignment"] = alignment
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"], "issuer": issuer_did,
        "name": name,
        "credentialSubject": {"id": subject_did, "type": ["AchievementSubject"],
                              "achievement": achievement}}


def issue(api: httpx.Client, subject_did: str, *, fmt: str = "ldp_vc",
          **fields: Any) -> dict[str, Any] | str:
    """A credential signed by the real issuer service (VC-API), for `subject_did`."""
    credential = unsigned(organisation_did(api), subject_did, **fields)
    response = api.post("/credentials/issue", json={"credential": credential,
                                                   "options": {"format": fmt}})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def credential_count(owner: Owner) -> int:
    answer = owner.client.get(owner.url("/credentials"))
    assert answer.status_code == 200, answer.text
    return len(answer.json())


def test_import_verifies_on_arrival_and_recognises_duplicates(owner: Owner,
                                                              issuer_api: httpx.Client) -> None:
    vc = issue(issuer_api, owner.did)
    assert isinstance(vc, dict)
    text = json.dumps(vc)
    added = owner.client.post(owner.url("/credentials"), content=text,
                              headers={"Content-Type": "application/json"})
    assert added.status_code == 201, added.text
    body = added.json()
    assert body["duplicate"] is False and body["verified"] is True
    assert body["verification"]["verified"] is True
    assert body["name"] == "Klassenmanagement" and body["source"] == "import"
    assert body["issuer"]["id"] == vc["issuer"]["id"] and body["credentialId"] == vc["id"]

    again = owner.client.post(owner.url("/credentials"), content=text)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == body["id"]
    # the same credential in other bytes (re-indented) is still the same credential
    pretty = owner.client.post(owner.url("/credentials"), content=json.dumps(vc, indent=2))
    assert pretty.status_code == 200 and pretty.json()["duplicate"] is True
    assert credential_count(owner) == 1

    listed = owner.client.get(owner.url("/credentials")).json()
    assert [c["id"] for c in listed] == [body["id"]]
    stored = owner.client.get(owner.url(f"/credentials/{body['id']}")).json()
    assert stored["credential"] == vc
    assert stored["arrival"]["verified"] is True and stored["state"] == "valid"


def test_jwt_baked_png_and_multipart_forms(owner: Owner, issuer_api: httpx.Client) -> None:
    jwt = issue(issuer_api, owner.did, fmt="jwt_vc_json")
    assert isinstance(jwt, str) and jwt.count(".") == 2
    added = owner.client.post(owner.url("/credentials"), content=jwt)
    assert added.status_code == 201, added.text
    assert added.json()["format"] == "jwt_vc"
    view = owner.client.get(owner.url(f"/credentials/{added.json()['id']}")).json()
    assert view["credential"] == jwt and view["state"] == "valid"
    assert view["readable"]["achievement"]["name"] == "Klassenmanagement"

    baked = bake_png(qr_png("badge"), issue(issuer_api, owner.did, name="Baked"))
    added = owner.client.post(owner.url("/credentials"), content=baked,
                              headers={"Content-Type": "image/png"})
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Baked" and added.json()["format"] == "ldp_vc"

    uploaded = issue(issuer_api, owner.did, name="Uploaded")
    added = owner.client.post(owner.url("/credentials"), files={
        "file": ("badge.json", json.dumps(uploaded).encode(), "application/json")})
    assert added.status_code == 201, added.text
    assert added.json()["name"] == "Uploaded"
    assert credential_count(owner) == 3


def test_refusals_store_nothing(owner: Owner, issuer_api: httpx.Client) -> None:
    vc = issue(issuer_api, owner.did)
    assert isinstance(vc, dict)
    tampered = copy.deepcopy(vc)
    tampered["credentialSubject"]["achievement"]["name"] = "Schoolleider"
    refused = owner.client.post(owner.url("/credentials"), content=json.dumps(tampered))
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"] == "unprocessable"
    assert "does not verify" in refused.json()["message"]
    assert "proof" in refused.json()["message"]
    assert refused.json()["verification"]["verified"] is False

    # a tampered copy of a credential the dossier HAS is refused too, not called a duplicate
    assert owner.client.post(owner.url("/credentials"), json=vc).status_code == 201
    again = owner.client.post(owner.url("/credentials"), content=json.dumps(tampered))
    assert again.status_code == 422 and "does not verify" in again.json()["message"]

    garbage = owner.client.post(owner.url("/credentials"), content=b"not a credential")
    assert garbage.status_code == 400 and "JSON" in garbage.json()["message"]
    empty = owner.client.post(owner.url("/credentials"), content=b"")
    assert empty.status_code == 400 and "empty" in empty.json()["message"]
    no_file = owner.client.post(owner.url("/credentials"), files={"other": ("x", b"{}")})
    assert no_file.status_code == 400 and "'file'" in no_file.json()["message"]
    assert credential_count(owner) == 1


def test_other_owners_and_delegates(wallet_server: WalletService, owner: Owner,
                                    issuer_api: httpx.Client) -> None:
    added = owner.client.post(owner.url("/credentials"), json=issue(issuer_api, owner.did))
    credential_id = added.json()["id"]
    stranger = wallet_server.create_owner()
    # another owner's credential is not reachable, not even its existence
    assert stranger.client.get(owner.url(f"/credentials/{credential_id}")).status_code == 404
    assert stranger.client.get(stranger.url(f"/credentials/{credential_id}")).status_code == 404
    gone = stranger.client.delete(stranger.url(f"/credentials/{credential_id}"))
    assert gone.status_code == 404 and "no such credential" in gone.json()["message"]

    mentor = wallet_server.delegate(owner, "mentor", ["credentials:read"])
    assert mentor.client.get(owner.url(f"/credentials/{credential_id}")).status_code == 200
    refused = mentor.client.delete(owner.url(f"/credentials/{credential_id}"))
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    refused = mentor.client.post(owner.url("/credentials"), json=issue(issuer_api, owner.did))
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    employer = wallet_server.delegate(owner, "employer")  # no credentials:read
    denied = employer.client.get(owner.url("/credentials"))
    assert denied.status_code == 403 and "see the credentials" in denied.json()["message"]

    assert owner.client.delete(owner.url(f"/credentials/{credential_id}")).status_code == 204
    assert owner.client.get(owner.url(f"/credentials/{credential_id}")).status_code == 404
    assert credential_count(owner) == 0


def test_view_checks_status_again(wallet_server: WalletService, owner: Owner,
                                  issuer_api: httpx.Client) -> None:
    vc = issue(issuer_api, owner.did, alignment=[ALIGNMENT])
    assert isinstance(vc, dict)
    credential_id = owner.client.post(owner.url("/credentials"), json=vc).json()["id"]
    view = owner.client.get(owner.url(f"/credentials/{credential_id}")).json()
    assert view["state"] == "valid" and view["current"]["verified"] is True
    readable = view["readable"]
    assert readable["issuer"]["id"] == vc["issuer"]["id"]
    assert readable["achievement"]["criteria"] == "Drie lesobservaties met een voldoende."
    assert readable["achievement"]["alignment"][0]["targetUrl"] == ALIGNMENT["targetUrl"]
    assert readable["endorsements"] == []

    revoked = issuer_api.post("/credentials/status", json={
        "credentialId": vc["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}]})
    assert revoked.status_code == 200, revoked.text
    view = owner.client.get(owner.url(f"/credentials/{credential_id}")).json()
    assert view["state"] == "revoked"
    assert view["current"]["verified"] is False
    assert any("revoked" in error for error in view["current"]["errors"])
    assert view["arrival"]["verified"] is True  # what was true when it came in stays on file
    # a revoked credential is no longer taken in by another dossier
    other = wallet_server.create_owner()
    answer = other.client.post(other.url("/credentials"), json=vc)
    assert answer.status_code == 422 and "revoked" in answer.json()["message"]
    assert credential_count(other) == 0


def test_same_credential_twice_at_once_is_stored_once(owner: Owner,
                                                      issuer_api: httpx.Client) -> None:
    body = json.dumps(issue(issuer_api, owner.did, alignment=[ALIGNMENT]))
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda _: owner.client.post(owner.url("/credentials"),
                                                            content=body), range(4)))
    assert sorted(a.status_code for a in answers) == [200, 200, 200, 201], \
        [a.text for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert credential_count(owner) == 1
    competences = owner.client.get(owner.url("/competences")).json()
    assert [c["url"] for c in competences] == [ALIGNMENT["targetUrl"]]

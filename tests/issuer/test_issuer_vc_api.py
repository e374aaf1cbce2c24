"""VC-API issue and status over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import httpx

from standards.ob3 import validate_credential
from standards.verification import verify_credential
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService

SUBJECT_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def organisation_did(api: httpx.Client) -> str:
    """The DID of the API token's organisation (its default profile): a VC-API client names
    its issuer, and the issuer refuses a credential without one."""
    profiles = api.get("/api/profiles").json()["items"]
    return next(str(profile["did"]) for profile in profiles if profile["isDefault"])


def unsigned_credential_of(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    """An unsigned OB 3.0 credential naming the organisation of `api` as its issuer."""
    return unsigned_credential(organisation_did(api), **overrides)


def unsigned_credential(issuer: str, **overrides: Any) -> dict[str, Any]:
    credential = {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer,
        "name": "Klassenmanagement",
        "credentialSubject": {
            "id": SUBJECT_DID, "type": ["AchievementSubject"],
            "achievement": {"id": "https://example.org/achievements/1", "type": ["Achievement"],
                            "name": "Klassenmanagement", "description": "Leidt een klas.",
                            "criteria": {"narrative": "Drie lesobservaties."}}},
    }
    credential.update(overrides)
    return credential


def status_bit(client: httpx.Client, entry: dict[str, Any]) -> bool:
    response = client.get(entry["statusListCredential"])
    assert response.status_code == 200
    encoded = response.json()["credentialSubject"]["encodedList"]
    bits = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    index = int(entry["statusListIndex"])
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def test_issue_sets_issuer_id_status_and_verifies(issuer_server: IssuerService,
                                                  api: httpx.Client, org: dict[str, Any]) -> None:
    response = api.post("/credentials/issue", json={"credential": unsigned_credential_of(api),
                                                   "options": {}})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["issuer"]["id"] == org["did"]
    assert vc["id"].startswith("urn:uuid:")
    assert vc["validFrom"]
    assert vc["credentialStatus"]["statusPurpose"] == "revocation"
    assert vc["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert validate_credential(vc) == []  # the strict OB 3.0 schema, proof included
    result = verify_credential(vc, fetcher=local_fetcher(),
                               check_status=True)
    assert result.verified, result.to_json()


def test_revoke_changes_the_published_list(issuer_server: IssuerService,
                                           api: httpx.Client) -> None:
    vc = api.post("/credentials/issue",
                  json={"credential": unsigned_credential_of(api)}).json()["verifiableCredential"]
    assert status_bit(api, vc["credentialStatus"]) is False
    response = api.post("/credentials/status", json={
        "credentialId": vc["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}]})
    assert response.status_code == 200, response.text
    assert status_bit(api, vc["credentialStatus"]) is True
    result = verify_credential(vc, fetcher=local_fetcher(),
                               check_status=True)
    assert not result.verified
    assert any("revoked" in error for error in result.errors)
    # revocation is permanent
    again = api.post("/credentials/status", json={
        "credentialId": vc["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "active"}]})
    assert again.status_code == 409


def test_suspend_and_reinstate(issuer_server: IssuerService, api: httpx.Client) -> None:
    vc = api.post("/credentials/issue", json={
        "credential": unsigned_credential_of(api), "options": {"statusPurpose": "suspension"},
    }).json()["verifiableCredential"]
    entry = vc["credentialStatus"]
    assert entry["statusPurpose"] == "suspension"
    for status, expected in (("suspended", True), ("active", False)):
        response = api.post("/credentials/status", json={
            "credentialId": vc["id"],
            "credentialStatus": [{"type": "BitstringStatusListEntry", "status": status}]})
        assert response.status_code == 200, response.text
        assert status_bit(api, entry) is expected


def test_refuses_what_it_cannot_sign_safely(issuer_server: IssuerService,
                                            api: httpx.Client) -> None:
    undefined = unsigned_credential_of(api)
    undefined["credentialSubject"]["favouriteColour"] = "blue"
    response = api.post("/credentials/issue", json={"credential": undefined})
    assert response.status_code == 422
    assert "favouriteColour" in response.json()["message"]

    no_achievement = unsigned_credential_of(api)
    del no_achievement["credentialSubject"]["achievement"]
    response = api.post("/credentials/issue", json={"credential": no_achievement})
    assert response.status_code == 422  # an Open Badge still answers to the OB 3.0 schema
    assert "OB 3.0 schema" in response.json()["message"]

    response = api.post("/credentials/issue", content=b'{"credential": ',
                        headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["message"]


def test_unauthorised_calls_change_nothing(issuer_server: IssuerService, api: httpx.Client,
                                           org: dict[str, Any]) -> None:
    vc = api.post("/credentials/issue",
                  json={"credential": unsigned_credential_of(api)}).json()["verifiableCredential"]
    change = {"credentialId": vc["id"],
              "credentialStatus": [{"type": "BitstringStatusListEntry", "status": "revoked"}]}
    with issuer_server.client() as anonymous:
        assert anonymous.post("/credentials/issue",
                              json={"credential": unsigned_credential_of(api)}).status_code == 401
        assert anonymous.post("/credentials/status", json=change).status_code == 401
    with issuer_server.client("odi_not-a-token") as forged:
        assert forged.post("/credentials/status", json=change).status_code == 401
    other = issuer_server.create_org("Another school")
    with issuer_server.client(other["api_token"]) as stranger:
        # another organisation's token cannot touch this credential (and learns nothing)
        assert stranger.post("/credentials/status", json=change).status_code == 404
    assert status_bit(api, vc["credentialStatus"]) is False


def test_status_lists_say_how_long_verifiers_may_keep_them(issuer_server: IssuerService,
                                                           api: httpx.Client) -> None:
    """The max-age is a setting (a minute by default): a revocation shows everywhere within
    it. The list itself is the same whatever the setting."""
    vc = api.post("/credentials/issue",
                  json={"credential": unsigned_credential_of(api)}).json()["verifiableCredential"]
    url = vc["credentialStatus"]["statusListCredential"]
    default = api.get(url)
    assert default.headers["cache-control"] == "public, max-age=60, must-revalidate"
    settings = issuer_server.ctx.settings
    settings.status_list_max_age_seconds = 5
    try:
        short = api.get(url)
    finally:
        settings.status_list_max_age_seconds = 60
    assert short.headers["cache-control"] == "public, max-age=5, must-revalidate"
    assert short.content == default.content and short.headers["etag"] == default.headers["etag"]

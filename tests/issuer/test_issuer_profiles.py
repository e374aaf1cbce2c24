"""More than one issuer profile per organisation, each with its own DID and identifiers."""

from __future__ import annotations

from typing import Any

import httpx

from standards.verification import verify_credential
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import unsigned_credential


def test_second_profile_with_brin_issues_under_its_own_did(issuer_server: IssuerService,
                                                           api: httpx.Client,
                                                           org: dict[str, Any]) -> None:
    response = api.post("/api/profiles", json={
        "name": "Samenwerkingsverband Midden", "didMethod": "web", "brin": "12AB",
        "url": "https://midden.example"})
    assert response.status_code == 201, response.text
    profile = response.json()
    assert profile["did"].startswith("did:web:") and profile["did"] != org["did"]
    listed = api.get("/api/profiles").json()["items"]
    assert {item["did"] for item in listed} == {org["did"], profile["did"]}

    vc = api.post("/credentials/issue", json={
        "credential": unsigned_credential(profile["did"]),
        "options": {"issuerProfile": profile["id"]},
    }).json()["verifiableCredential"]
    assert vc["issuer"]["id"] == profile["did"]
    assert vc["issuer"]["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "12AB", "identifierType": "ext:BRIN"}]
    assert verify_credential(vc, fetcher=local_fetcher(),
                             check_status=True).verified
    # the issuer the credential names chooses the profile; the option must agree with it
    by_issuer = api.post("/credentials/issue", json={
        "credential": unsigned_credential(profile["did"])}).json()["verifiableCredential"]
    assert by_issuer["issuer"]["id"] == profile["did"]
    disagreeing = api.post("/credentials/issue", json={
        "credential": unsigned_credential(org["did"]),
        "options": {"issuerProfile": profile["id"]}})
    assert disagreeing.status_code == 422
    assert profile["did"] in disagreeing.json()["message"]

    assert api.post("/api/profiles", json={"didMethod": "web"}).status_code == 422
    assert api.post("/api/profiles", json={"name": "X", "didMethod": "ion"}).status_code in (
        400, 422)
    other = issuer_server.create_org("Other")
    with issuer_server.client(other["api_token"]) as stranger:
        refused = stranger.post("/credentials/issue", json={
            "credential": unsigned_credential(other["did"]),
            "options": {"issuerProfile": profile["id"]}})
        assert refused.status_code == 404

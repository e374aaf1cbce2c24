"""Endorsements over real HTTP, on SQLite and PostgreSQL: made here, embedded in credentials
issued afterwards, received from elsewhere, withdrawn."""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlmodel import Session, func, select

from issuer.config import IssuerSettings
from issuer.models import Endorsement, IssuedCredential
from issuer.services.achievements import achievement_url
from issuer.services.context import IssuerContext
from issuer.services.keys import did_web_for_profile
from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.jose import sign_vc_jwt
from standards.keys import KeyPair, generate_key
from standards.ob3 import build_endorsement_credential
from standards.status_list import StatusList
from standards.verification import verify_credential
from tests import inprocess
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import organisation_did

HOLDER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
LOCAL = local_fetcher()


@pytest.fixture(scope="module")
def service(issuer_server: IssuerService) -> Iterator[IssuerContext]:
    """The running server's database, to look at what it stored."""
    ctx = IssuerContext.open(IssuerSettings(
        data_dir=issuer_server.data_dir, database_url=issuer_server.database_url,
        public_url=issuer_server.base_url))
    yield ctx
    ctx.close()


def new_org(server: IssuerService, label: str) -> dict[str, Any]:
    return server.create_org(f"{label} {os.urandom(3).hex()}")


def new_achievement(server: IssuerService, org: dict[str, Any],
                    name: str = "Klassenmanagement") -> str:
    """Create an achievement through the API; its id (a URL on this service)."""
    with server.client(org["api_token"]) as client:
        response = client.post("/api/achievements", json={
            "name": name, "description": "Leidt een klas.",
            "criteriaNarrative": "Drie lesobservaties."})
    assert response.status_code == 201, response.text
    return response.json()["achievement"]["id"]


def issue(server: IssuerService, org: dict[str, Any], achievement: str) -> dict[str, Any]:
    """Issue `achievement` (its URL) to a holder through the API."""
    with server.client(org["api_token"]) as client:
        response = client.post(f"/api/achievements/{achievement.rsplit('/', 1)[1]}/issue",
                               json={"recipient": HOLDER_DID})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def issue_over_http(client: httpx.Client) -> dict[str, Any]:
    response = client.post("/credentials/issue", json={"credential": {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": organisation_did(client), "name": "Stage",
        "credentialSubject": {
            "id": HOLDER_DID, "type": ["AchievementSubject"],
            "achievement": {"id": "https://example.org/achievements/stage",
                            "type": ["Achievement"], "name": "Stage",
                            "description": "Stage gelopen.",
                            "criteria": {"narrative": "Stageverslag."}}},
    }})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]


def endorse(client: httpx.Client, kind: str, target: str, comment: str = "Sterk programma",
            **extra: Any) -> httpx.Response:
    return client.post("/api/endorsements", json={"targetKind": kind, "targetId": target,
                                                  "comment": comment, **extra})


def verified(document: dict[str, Any], check_status: bool = True) -> dict[str, Any]:
    result = verify_credential(document, fetcher=LOCAL, check_status=check_status)
    assert result.verified, result.to_json()
    return result.to_json()


def status_bit(client: httpx.Client, entry: dict[str, Any]) -> bool:
    response = client.get(entry["statusListCredential"])
    assert response.status_code == 200
    bits = StatusList.decode(response.json()["credentialSubject"]["encodedList"])
    return bits.get(int(entry["statusListIndex"]))


def records_of(ctx: IssuerContext, org_id: str) -> int:
    with Session(ctx.engine) as session:
        return session.exec(select(func.count()).select_from(IssuedCredential)
                            .where(IssuedCredential.org_id == org_id)).one()


def outside_endorser() -> KeyPair:
    """An endorser elsewhere: a did:key the service resolves without the network."""
    pair = generate_key("ed25519")
    did = did_key_from_key_pair(pair)
    return dataclasses.replace(pair, id=f"{did}#{pair.public_key_multibase()}", controller=did)


def outside_endorsement(key: KeyPair, target: str, comment: str = "Goed opgezet") -> dict:
    return build_endorsement_credential(
        id=f"urn:uuid:{uuid.uuid4()}",
        issuer={"id": key.controller, "type": ["Profile"], "name": "Regionaal Werkverband"},
        endorsed_id=target, endorsement_comment=comment, name="Aanbeveling",
        valid_from="2024-01-01T00:00:00Z")


# --- endorsing an achievement -------------------------------------------------------------
def test_achievement_endorsement_is_embedded_in_credentials_issued_afterwards(
        issuer_server: IssuerService, service: IssuerContext) -> None:
    school, partner = new_org(issuer_server, "School"), new_org(issuer_server, "Partner")
    achievement = new_achievement(issuer_server, school)
    before = issue(issuer_server, school, achievement)

    with issuer_server.client(partner["api_token"]) as client:
        response = endorse(client, "achievement", achievement, "Sluit aan op **de praktijk**",
                           name="Aanbeveling Klassenmanagement")
    assert response.status_code == 201, response.text
    endorsement = response.json()["verifiableCredential"]
    assert "EndorsementCredential" in endorsement["type"]
    assert endorsement["issuer"]["id"] == partner["did"]
    assert endorsement["name"] == "Aanbeveling Klassenmanagement"
    assert endorsement["credentialSubject"] == {
        "id": achievement, "type": ["EndorsementSubject"],
        "endorsementComment": "Sluit aan op **de praktijk**"}
    assert endorsement["credentialStatus"]["statusPurpose"] == "revocation"
    verified(endorsement)  # on its own, status included

    after = issue(issuer_server, school, achievement)
    embedded = after["credentialSubject"]["achievement"]["endorsement"]
    assert [e["id"] for e in embedded] == [endorsement["id"]]
    assert embedded[0]["credentialSubject"]["endorsementComment"] == \
        "Sluit aan op **de praktijk**"
    verified(after)
    verified(embedded[0])

    # the published achievement shows it too; the credential issued before is unchanged
    public = inprocess.get(achievement).json()
    assert [e["id"] for e in public["endorsement"]] == [endorsement["id"]]
    assert "endorsement" not in before["credentialSubject"]["achievement"]
    with Session(service.engine) as session:
        stored = session.exec(select(IssuedCredential).where(
            IssuedCredential.credential_id == before["id"])).one()
    assert json.loads(stored.document) == before
    verified(before)

    # recorded as an issued credential of the endorser, whose recipient is the target
    with Session(service.engine) as session:
        record = session.exec(select(IssuedCredential).where(
            IssuedCredential.credential_id == endorsement["id"])).one()
    assert (record.org_id, record.recipient, record.recipient_kind, record.achievement_name) \
        == (partner["org"], achievement, "other", "Aanbeveling Klassenmanagement")


def test_profile_endorsement_is_embedded_in_the_issuer(issuer_server: IssuerService) -> None:
    school, partner = new_org(issuer_server, "School"), new_org(issuer_server, "Partner")
    with issuer_server.client(school["api_token"]) as school_client:
        before = issue_over_http(school_client)
        with issuer_server.client(partner["api_token"]) as client:
            response = endorse(client, "profile", school["did"], "Betrouwbare opleider")
        assert response.status_code == 201, response.text
        endorsement = response.json()["verifiableCredential"]
        assert endorsement["name"].startswith("Endorsement of ")
        after = issue_over_http(school_client)
    assert "endorsement" not in before["issuer"]
    assert [e["id"] for e in after["issuer"]["endorsement"]] == [endorsement["id"]]
    assert after["issuer"]["endorsement"][0]["credentialSubject"]["endorsementComment"] == \
        "Betrouwbare opleider"
    verified(after)
    verified(after["issuer"]["endorsement"][0])


def test_credential_endorsement_and_listing(issuer_server: IssuerService) -> None:
    school, employer = new_org(issuer_server, "School"), new_org(issuer_server, "Werkgever")
    with issuer_server.client(school["api_token"]) as school_client, \
            issuer_server.client(employer["api_token"]) as employer_client:
        credential = issue_over_http(school_client)
        response = endorse(employer_client, "credential", credential["id"],
                           "Heeft bij ons uitstekend stage gelopen")
        assert response.status_code == 201, response.text
        endorsement_id = response.json()["id"]
        endorsement = response.json()["verifiableCredential"]
        assert endorsement["credentialSubject"]["id"] == credential["id"]
        verified(endorsement)

        made = employer_client.get("/api/endorsements").json()["endorsements"]
        received = school_client.get("/api/endorsements").json()["endorsements"]
        filtered = school_client.get("/api/endorsements",
                                     params={"targetId": credential["id"]}).json()
        elsewhere = school_client.get("/api/endorsements",
                                      params={"targetId": "urn:uuid:nothing"}).json()
    assert [(e["id"], e["direction"], e["targetKind"]) for e in made] == \
        [(endorsement_id, "made", "credential")]
    assert [(e["id"], e["direction"], e["endorser"]) for e in received] == \
        [(endorsement_id, "received", employer["did"])]
    assert [e["id"] for e in filtered["endorsements"]] == [endorsement_id]
    assert elsewhere["endorsements"] == []


def test_an_organisation_cannot_endorse_its_own_things(issuer_server: IssuerService,
                                                       service: IssuerContext) -> None:
    school = new_org(issuer_server, "School")
    achievement = new_achievement(issuer_server, school)
    with issuer_server.client(school["api_token"]) as client:
        credential = issue_over_http(client)
        records = records_of(service, school["org"])
        for kind, target in (("achievement", achievement), ("profile", school["did"]),
                             ("credential", credential["id"])):
            response = endorse(client, kind, target)
            assert response.status_code == 422, response.text
            assert "another organisation" in response.json()["message"]
        assert client.get("/api/endorsements").json()["endorsements"] == []
    assert records_of(service, school["org"]) == records  # nothing half-written


def test_unknown_targets_and_bad_requests(issuer_server: IssuerService,
                                          service: IssuerContext) -> None:
    partner = new_org(issuer_server, "Partner")
    with issuer_server.client(partner["api_token"]) as client:
        missing = achievement_url(issuer_server.base_url, uuid.uuid4().hex)
        response = endorse(client, "achievement", missing)
        assert response.status_code == 404, response.text
        assert response.json()["error"] == "not_found"
        unknown_did = did_web_for_profile(issuer_server.base_url, uuid.uuid4().hex)
        assert endorse(client, "profile", unknown_did).status_code == 404
        assert endorse(client, "badge", missing).status_code == 422
        assert endorse(client, "profile", "https://example.org/school").status_code == 422
        assert endorse(client, "achievement", "not a uri").status_code == 422
        assert client.post("/api/endorsements", json={"targetKind": "profile"}).status_code \
            == 400
        # an achievement of another issuer elsewhere can be endorsed
        response = endorse(client, "achievement", "https://badges.example.org/a/1")
        assert response.status_code == 201, response.text
    assert records_of(service, partner["org"]) == 1


# --- endorsements received from elsewhere -------------------------------------------------
def test_received_endorsement_good_and_tampered(issuer_server: IssuerService) -> None:
    school, other = new_org(issuer_server, "School"), new_org(issuer_server, "Other")
    achievement = new_achievement(issuer_server, school)
    key = outside_endorser()
    good = sign_document(outside_endorsement(key, achievement), key)
    tampered = copy.deepcopy(good)
    tampered["credentialSubject"]["endorsementComment"] = "Slecht opgezet"
    with issuer_server.client(school["api_token"]) as client:
        response = client.post("/api/endorsements/received", json={"endorsement": tampered})
        assert response.status_code == 422, response.text
        assert "proof" in response.json()["message"]

        response = client.post("/api/endorsements/received", json={"endorsement": good})
        assert response.status_code == 201, response.text
        received = response.json()
        assert (received["direction"], received["targetKind"], received["endorser"]) == \
            ("received", "achievement", key.controller)
        assert received["comment"] == "Goed opgezet"

        again = client.post("/api/endorsements/received", json={"endorsement": good})
        assert again.status_code == 409, again.text

        not_endorsement = issue_over_http(client)
        response = client.post("/api/endorsements/received",
                               json={"endorsement": not_endorsement})
        assert response.status_code == 422
        assert "EndorsementCredential" in response.json()["message"]
        response = client.post("/api/endorsements/received", json={})
        assert response.status_code == 400

    # embedded in what the school issues afterwards, and it verifies there
    credential = issue(issuer_server, school, achievement)
    embedded = credential["credentialSubject"]["achievement"]["endorsement"]
    assert [e["id"] for e in embedded] == [good["id"]]
    verified(credential)
    verified(embedded[0], check_status=False)

    # another organisation cannot keep an endorsement of the school's achievement
    with issuer_server.client(other["api_token"]) as client:
        other_copy = sign_document(outside_endorsement(key, achievement), key)
        response = client.post("/api/endorsements/received", json={"endorsement": other_copy})
        assert response.status_code == 422
        assert "not an achievement, issuer profile or credential of this organisation" in \
            response.json()["message"]

    # the school may stop showing it
    with issuer_server.client(school["api_token"]) as client:
        assert client.delete(f"/api/endorsements/{received['id']}").status_code == 204
    later = issue(issuer_server, school, achievement)
    assert "endorsement" not in later["credentialSubject"]["achievement"]


def test_received_endorsement_as_jwt_is_kept_but_not_embedded(
        issuer_server: IssuerService) -> None:
    school = new_org(issuer_server, "School")
    key = outside_endorser()
    token = sign_vc_jwt(outside_endorsement(key, school["did"]), key)
    with issuer_server.client(school["api_token"]) as client:
        response = client.post("/api/endorsements/received", json={"endorsement": token})
        assert response.status_code == 201, response.text
        assert response.json()["targetKind"] == "profile"
        assert response.json()["verifiableCredential"] == token
        header, payload, signature = token.split(".")
        forged = ".".join([header, payload, signature[::-1]])
        response = client.post("/api/endorsements/received", json={"endorsement": forged})
        assert response.status_code == 422, response.text
        assert "proof" in response.json()["message"]
        credential = issue_over_http(client)
    assert "endorsement" not in credential["issuer"]  # OB 3.0 embeds endorsements as objects


# --- withdrawal ---------------------------------------------------------------------------
def test_withdrawal_revokes_and_stops_embedding(issuer_server: IssuerService,
                                                service: IssuerContext) -> None:
    school, partner = new_org(issuer_server, "School"), new_org(issuer_server, "Partner")
    achievement = new_achievement(issuer_server, school)
    with issuer_server.client(partner["api_token"]) as client:
        response = endorse(client, "achievement", achievement)
    assert response.status_code == 201, response.text
    endorsement_id = response.json()["id"]
    endorsement = response.json()["verifiableCredential"]
    entry = endorsement["credentialStatus"]
    assert "endorsement" in issue(issuer_server, school, achievement)[
        "credentialSubject"]["achievement"]

    path = f"/api/endorsements/{endorsement_id}"
    with issuer_server.client() as anonymous:
        assert anonymous.delete(path).status_code == 401
        assert anonymous.get("/api/endorsements").status_code == 401
        assert anonymous.post("/api/endorsements", json={
            "targetKind": "achievement", "targetId": achievement}).status_code == 401
    with issuer_server.client(school["api_token"]) as endorsed:
        # the endorsed organisation cannot withdraw what another organisation signed
        assert endorsed.delete(path).status_code == 404
    with issuer_server.client(new_org(issuer_server, "Stranger")["api_token"]) as stranger:
        assert stranger.delete(path).status_code == 404
    with issuer_server.client(partner["api_token"]) as client:
        assert status_bit(client, entry) is False
        assert client.delete(path).status_code == 204
        assert client.delete(path).status_code == 204  # withdrawing twice changes nothing
        assert status_bit(client, entry) is True
        listed = client.get("/api/endorsements").json()["endorsements"]
    assert [(e["id"], e["withdrawn"]) for e in listed] == [(endorsement_id, True)]

    later = issue(issuer_server, school, achievement)
    assert "endorsement" not in later["credentialSubject"]["achievement"]
    result = verify_credential(endorsement, fetcher=LOCAL, check_status=True)
    assert not result.verified
    assert any("revoked" in error for error in result.errors)
    with Session(service.engine) as session:
        row = session.exec(select(Endorsement).where(Endorsement.id == endorsement_id)).one()
    assert row.withdrawn

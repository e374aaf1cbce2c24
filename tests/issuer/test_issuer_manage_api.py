"""The staff JSON API over real HTTP (SQLite and PostgreSQL): achievements aligned to
competences, issuing (e-mail and DID recipients, evidence, rubric results, validity), the
issued record (search, download), idempotency, key rotation and tenant isolation."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from standards.dates import parse_datetime
from standards.ob3.evidence import digest_sri
from standards.ob3.subject import identity_matches
from standards.verification import verify_credential
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import organisation_did

DATA = Path(__file__).parent / "data"
HOLDER_DID = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
RUBRIC: dict[str, Any] = {
    "id": "urn:uuid:6c1d2a4e-0b7f-4f3a-9d55-2f8e1c0a9b31",
    "type": ["ResultDescription"],
    "name": "Beheersingsniveau lesobservatie",
    "resultType": "RubricCriterionLevel",
    "requiredLevel": "urn:uuid:6c1d2a4e-0b7f-4f3a-9d55-2f8e1c0a9b33",
    "rubricCriterionLevel": [
        {"id": "urn:uuid:6c1d2a4e-0b7f-4f3a-9d55-2f8e1c0a9b32", "type": ["RubricCriterionLevel"],
         "name": "Beginnend", "level": "1"},
        {"id": "urn:uuid:6c1d2a4e-0b7f-4f3a-9d55-2f8e1c0a9b33", "type": ["RubricCriterionLevel"],
         "name": "Bekwaam", "level": "2"},
        {"id": "urn:uuid:6c1d2a4e-0b7f-4f3a-9d55-2f8e1c0a9b34", "type": ["RubricCriterionLevel"],
         "name": "Excellent", "level": "3"},
    ],
}


def verify(vc: dict[str, Any] | str) -> Any:
    # A fresh fetcher each time: nothing cached from before a key rotation.
    return verify_credential(vc, fetcher=local_fetcher(), check_status=True)


def proof_of(vc: dict[str, Any]) -> dict[str, Any]:
    """The one proof, whether written as an object or (as OB 3.0's schema wants) a list."""
    proofs = vc["proof"] if isinstance(vc["proof"], list) else [vc["proof"]]
    assert len(proofs) == 1
    return proofs[0]


def competences(api: httpx.Client) -> dict[str, dict[str, Any]]:
    response = api.post("/api/frameworks/csv", params={"title": "Bekwaamheidseisen (SBL)"},
                        content=(DATA / "sbl-bekwaamheidseisen.csv").read_bytes(),
                        headers={"content-type": "text/csv"})
    assert response.status_code == 201, response.text
    return {c["code"]: c for c in response.json()["competences"]}


def create_achievement(api: httpx.Client, **fields: Any) -> dict[str, Any]:
    body = {"name": "Vakdidactisch bekwaam – startbekwaam",
            "description": "Toont vakdidactische bekwaamheid in de eigen lespraktijk.",
            "criteriaNarrative": "Drie lesobservaties met ten minste niveau Bekwaam.",
            "achievementType": "Competency", **fields}
    response = api.post("/api/achievements", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def issue(api: httpx.Client, achievement_id: str, expected: int = 201,
          **fields: Any) -> dict[str, Any]:
    response = api.post(f"/api/achievements/{achievement_id}/issue", json=fields)
    assert response.status_code == expected, response.text
    return response.json()


def test_aligned_achievement_issues_a_verifiable_credential(
        issuer_server: IssuerService, api: httpx.Client, org: dict[str, Any]) -> None:
    vdb = competences(api)["VDB"]
    created = create_achievement(api, competenceIds=[vdb["id"]], resultDescriptions=[RUBRIC],
                                 criteriaUrl="https://pabo.example.nl/criteria/vdb")
    achievement = created["achievement"]
    assert achievement["id"] == f"{issuer_server.base_url}/achievements/{created['id']}"
    assert api.get(f"/api/achievements/{created['id']}").json() == created
    assert [item["id"] for item in api.get("/api/achievements").json()["items"]] \
        == [created["id"]]

    content = b"Lesobservatie 12 maart: instructie gedifferentieerd in drie niveaus."
    evidence = {"id": "https://dossier.example.nl/bewijs/lesobservatie-12-maart.pdf",
                "name": "Lesobservatie", "narrative": "Geobserveerd door de werkplekbegeleider.",
                "genre": "Observatie", "digestSRI": digest_sri(content)}
    result = {"resultDescription": RUBRIC["id"],
              "achievedLevel": RUBRIC["rubricCriterionLevel"][2]["id"], "status": "Completed"}
    issued = issue(api, created["id"], recipient="Student.Jansen@Pabo.Example.nl",
                   recipientName="Sanne Jansen", evidence=[evidence], results=[result])
    vc = issued["verifiableCredential"]
    assert vc["issuer"]["id"] == org["did"]
    assert proof_of(vc)["cryptosuite"] == "eddsa-rdfc-2022"

    alignment = vc["credentialSubject"]["achievement"]["alignment"][0]
    assert alignment["targetCode"] == "VDB"
    assert alignment["targetName"] == "Vakdidactisch bekwaam"
    assert alignment["targetFramework"] == "Bekwaamheidseisen (SBL)"
    assert alignment["targetUrl"] == vdb["targetUrl"]
    with issuer_server.client() as anonymous:  # the targetUrl resolves, without an account
        assert anonymous.get(alignment["targetUrl"]).json()["code"] == "VDB"

    # e-mail recipient: only a salted hash in the credential
    assert "jansen" not in json.dumps(vc).lower()
    identity = vc["credentialSubject"]["identifier"][0]
    assert identity["hashed"] is True and identity["identityType"] == "emailAddress"
    assert identity_matches(identity, "student.jansen@pabo.example.nl")
    assert "id" not in vc["credentialSubject"]

    assert vc["evidence"][0]["digestSRI"] == evidence["digestSRI"]
    assert vc["evidence"][0]["id"] == evidence["id"]
    assert vc["credentialSubject"]["result"][0]["achievedLevel"] == result["achievedLevel"]
    assert vc["credentialSubject"]["achievement"]["resultDescription"][0]["id"] == RUBRIC["id"]

    record = issued["record"]
    assert record["credentialId"] == vc["id"]
    assert record["recipient"] == "student.jansen@pabo.example.nl"
    assert record["recipientName"] == "Sanne Jansen"
    assert record["format"] == "ldp_vc" and not record["revoked"]
    outcome = verify(vc)
    assert outcome.verified, outcome.to_json()


def test_did_recipient_valid_days_and_jwt_download(issuer_server: IssuerService,
                                                   api: httpx.Client) -> None:
    created = create_achievement(api, validDays=3650)
    issued = issue(api, created["id"], recipient=HOLDER_DID, validFrom="2025-01-01T00:00:00Z")
    vc = issued["verifiableCredential"]
    assert vc["credentialSubject"]["id"] == HOLDER_DID
    assert "identifier" not in vc["credentialSubject"]
    expected_until = parse_datetime("2025-01-01T00:00:00Z") + timedelta(days=3650)
    assert parse_datetime(vc["validUntil"]) == expected_until
    assert parse_datetime(issued["record"]["validUntil"]) == expected_until
    assert verify(vc).verified

    response = api.get(f"/api/credentials/{vc['id']}/download")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vc+ld+json")
    disposition = response.headers["content-disposition"]
    filename = re.fullmatch(r'attachment; filename="([a-z0-9-]+\.json)"', disposition)
    assert filename, disposition
    assert filename.group(1).startswith("vakdidactisch-bekwaam-startbekwaam-")
    assert response.json() == vc

    jwt_issue = issue(api, created["id"], recipient=HOLDER_DID, format="jwt_vc_json")
    token = jwt_issue["verifiableCredential"]
    assert isinstance(token, str) and token.count(".") == 2
    assert jwt_issue["record"]["format"] == "jwt_vc_json"
    assert verify(token).verified
    download = api.get(f"/api/credentials/{jwt_issue['record']['recordId']}/download")
    assert download.headers["content-type"].startswith("application/vc+jwt")
    assert re.search(r'filename="[a-z0-9-]+\.jwt"', download.headers["content-disposition"])
    assert download.text == token

    detail = api.get(f"/api/credentials/{vc['id']}").json()
    assert detail["verifiableCredential"] == vc
    assert detail["recordId"] == issued["record"]["recordId"]


def test_search_the_issued_record(issuer_server: IssuerService, api: httpx.Client) -> None:
    first = create_achievement(api, name="Klassenmanagement")
    second = create_achievement(api, name="Lesvoorbereiding")
    a = issue(api, first["id"], recipient="p.de.vries@school.example.nl",
              recipientName="Pieter de Vries")["record"]
    b = issue(api, first["id"], recipient=HOLDER_DID, recipientName="Fatima El Amrani")["record"]
    c = issue(api, second["id"], recipient="fatima@school.example.nl",
              recipientName="Fatima El Amrani")["record"]

    def found(**params: Any) -> list[str]:
        response = api.get("/api/credentials", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] >= len(body["items"])
        return [item["recordId"] for item in body["items"]]

    everything = api.get("/api/credentials").json()
    assert everything["total"] == 3
    assert set(found()) == {a["recordId"], b["recordId"], c["recordId"]}
    # newest first
    moments = [parse_datetime(item["issuedAt"]) for item in everything["items"]]
    assert moments == sorted(moments, reverse=True)
    assert set(found(recipient="EL AMRANI")) == {b["recordId"], c["recordId"]}
    assert found(recipient="P.de.Vries@School.example.nl") == [a["recordId"]]
    assert found(recipient="school.example.nl@") == []  # an address matches only exactly
    assert found(recipient=HOLDER_DID) == [b["recordId"]]
    assert found(recipient="100%") == []  # LIKE wildcards are literal
    assert set(found(achievement=first["id"])) == {a["recordId"], b["recordId"]}
    assert found(achievement=second["achievement"]["id"]) == [c["recordId"]]
    assert found(achievement=first["id"], recipient="fatima") == [b["recordId"]]

    issued_at = c["issuedAt"]
    assert c["recordId"] in found(**{"from": issued_at})
    assert c["recordId"] not in found(to=issued_at)  # `to` is exclusive
    later = (parse_datetime(issued_at) + timedelta(seconds=1)).isoformat()
    assert c["recordId"] not in found(**{"from": later})
    day = issued_at[:10]
    assert c["recordId"] in found(**{"from": day, "to": day})  # whole days
    assert found(to="2000-01-01") == []

    page = api.get("/api/credentials", params={"limit": 2, "offset": 1}).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert [i["recordId"] for i in page["items"]] == \
        [i["recordId"] for i in everything["items"]][1:]
    assert api.get("/api/credentials", params={"from": "gisteren"}).status_code == 400
    assert api.get("/api/credentials", params={"limit": 0}).status_code == 400


def test_idempotency_key_returns_the_earlier_credential(issuer_server: IssuerService,
                                                        api: httpx.Client) -> None:
    created = create_achievement(api)
    request: dict[str, Any] = {"recipient": HOLDER_DID,
                               "idempotencyKey": "inschrijving-2025-0042"}
    first = issue(api, created["id"], **request)
    again = issue(api, created["id"], expected=200, **request)
    assert again["verifiableCredential"] == first["verifiableCredential"]
    assert again["record"]["recordId"] == first["record"]["recordId"]
    other = issue(api, created["id"], recipient=HOLDER_DID, idempotencyKey="inschrijving-43")
    assert other["record"]["credentialId"] != first["record"]["credentialId"]
    assert api.get("/api/credentials", params={"achievement": created["id"]}).json()["total"] \
        == 2
    assert api.post(f"/api/achievements/{created['id']}/issue",
                    json={**request, "idempotencyKey": "x" * 201}).status_code == 422


def test_bad_requests_are_refused_clearly(issuer_server: IssuerService,
                                          api: httpx.Client) -> None:
    created = create_achievement(api)
    cases = [
        ({"recipient": "geen adres"}, "neither a DID nor an e-mail"),
        ({}, "'recipient'"),
        ({"recipient": HOLDER_DID, "colour": "blauw"}, "colour"),
        ({"recipient": HOLDER_DID, "format": "pdf"}, "unknown format"),
        ({"recipient": HOLDER_DID, "evidence": ["https://example.nl"]}, "evidence.0"),
        ({"recipient": HOLDER_DID, "validFrom": "morgen"}, "validFrom"),
    ]
    for body, message in cases:
        response = api.post(f"/api/achievements/{created['id']}/issue", json=body)
        assert response.status_code == 422, (body, response.text)
        assert message in response.json()["message"], (body, response.text)
    assert api.get("/api/credentials").json()["total"] == 0
    refused = api.post("/api/achievements", json={"name": "Zonder omschrijving",
                                                   "description": "", "criteriaNarrative": "x"})
    assert refused.status_code == 422
    assert api.post("/api/achievements", json={"name": "X", "description": "Y",
                                               "criteriaNarrative": "Z",
                                               "validDays": "veel"}).status_code == 422
    assert api.get("/api/achievements").json()["items"] == [created]


def test_key_rotation_on_did_web(issuer_server: IssuerService) -> None:
    org = issuer_server.create_org("Hogeschool Rotatie", did="web")
    assert org["did"].startswith("did:web:127.0.0.1%3A")
    with issuer_server.client(org["api_token"]) as api:
        created = create_achievement(api)
        before = issue(api, created["id"], recipient=HOLDER_DID)["verifiableCredential"]
        [profile] = api.get("/api/profiles").json()["items"]
        assert profile["did"] == org["did"] and profile["didMethod"] == "web"
        [old_method] = profile["verificationMethods"]
        assert proof_of(before)["verificationMethod"] == old_method

        rotated = api.post(f"/api/profiles/{profile['id']}/rotate-key")
        assert rotated.status_code == 200, rotated.text
        new_method = rotated.json()["verificationMethod"]
        assert new_method != old_method and new_method.startswith(org["did"] + "#")
        assert "secret" not in rotated.text.lower() and "private" not in rotated.text.lower()
        [profile] = api.get("/api/profiles").json()["items"]
        assert set(profile["verificationMethods"]) == {old_method, new_method}

        outcome = verify(before)  # the old key is still published
        assert outcome.verified, outcome.to_json()
        after = issue(api, created["id"], recipient=HOLDER_DID)["verifiableCredential"]
        assert proof_of(after)["verificationMethod"] == new_method
        assert after["issuer"]["id"] == org["did"]
        outcome = verify(after)
        assert outcome.verified, outcome.to_json()


def test_other_organisations_and_anonymous_callers(issuer_server: IssuerService,
                                                   api: httpx.Client) -> None:
    pb_id = competences(api)["PB"]["id"]
    created = create_achievement(api, competenceIds=[pb_id])
    record = issue(api, created["id"], recipient=HOLDER_DID)["record"]
    [profile] = api.get("/api/profiles").json()["items"]
    other = issuer_server.create_org("Andere school")
    with issuer_server.client(other["api_token"]) as stranger:
        assert stranger.get(f"/api/achievements/{created['id']}").status_code == 404
        assert stranger.post(f"/api/achievements/{created['id']}/issue",
                             json={"recipient": HOLDER_DID}).status_code == 404
        for ident in (record["recordId"], record["credentialId"]):
            assert stranger.get(f"/api/credentials/{ident}").status_code == 404
            assert stranger.get(f"/api/credentials/{ident}/download").status_code == 404
        assert stranger.get("/api/credentials").json() == \
            {"total": 0, "limit": 50, "offset": 0, "items": []}
        assert stranger.post(f"/api/profiles/{profile['id']}/rotate-key").status_code == 404
        # their achievement cannot align to our competence
        response = stranger.post("/api/achievements", json={
            "name": "Leen", "description": "Geleend", "criteriaNarrative": "Niets",
            "competenceIds": [pb_id]})
        assert response.status_code == 404
        assert stranger.get("/api/achievements").json()["items"] == []
    with issuer_server.client() as anonymous:
        for method, path in (("GET", "/api/achievements"), ("POST", "/api/achievements"),
                             ("POST", f"/api/achievements/{created['id']}/issue"),
                             ("GET", "/api/credentials"),
                             ("GET", f"/api/credentials/{record['recordId']}/download"),
                             ("GET", "/api/profiles"),
                             ("POST", f"/api/profiles/{profile['id']}/rotate-key")):
            response = anonymous.request(method, path, json={"recipient": HOLDER_DID})
            assert response.status_code == 401, (method, path)
            assert response.headers["www-authenticate"].startswith("Bearer")
    # nothing changed
    assert api.get("/api/credentials").json()["total"] == 1
    assert api.get("/api/profiles").json()["items"] == [profile]
    assert len(api.get("/api/achievements").json()["items"]) == 1


def test_record_of_a_vc_api_credential_with_a_url_id(issuer_server: IssuerService,
                                                     api: httpx.Client) -> None:
    credential_id = "https://scholen.example.nl/credentials/2025/17"
    achievement_id = "https://scholen.example.nl/achievements/klassenmanagement"
    response = api.post("/credentials/issue", json={"credential": {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "id": credential_id, "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": organisation_did(api), "name": "Klassenmanagement",
        "credentialSubject": {
            "id": HOLDER_DID, "type": ["AchievementSubject"],
            "achievement": {"id": achievement_id, "type": ["Achievement"],
                            "name": "Klassenmanagement", "description": "Leidt een klas.",
                            "criteria": {"narrative": "Drie lesobservaties."}}}}})
    assert response.status_code == 201, response.text
    detail = api.get(f"/api/credentials/{credential_id}")
    assert detail.status_code == 200, detail.text
    assert detail.json()["verifiableCredential"]["id"] == credential_id
    assert detail.json()["achievementName"] == "Klassenmanagement"
    download = api.get(f"/api/credentials/{credential_id}/download")
    assert download.status_code == 200
    assert download.json()["id"] == credential_id
    assert re.search(r'filename="klassenmanagement-[0-9a-f]+\.json"',
                     download.headers["content-disposition"])
    found = api.get("/api/credentials", params={"achievement": achievement_id}).json()
    assert [item["credentialId"] for item in found["items"]] == [credential_id]

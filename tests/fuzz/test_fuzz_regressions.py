"""What the fuzzers found in the API layer, fixed, each pinned by the request that showed
it, through the real service on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.issuer.conftest import IssuerService
from tests.ob3_sample import realistic_ob3_credential
from tests.verifier.signing import new_signer
from tests.wallet.conftest import WalletService

pytestmark = pytest.mark.fuzz


def test_a_credential_download_is_the_document_its_openapi_describes(
        fuzz_issuer: IssuerService) -> None:
    """`GET /api/credentials/{id}/download` answers the signed credential as
    application/vc+ld+json: a JSON object, which is what the document must say (it said
    "string", so every client validating the answer refused it)."""
    org = fuzz_issuer.create_org("Download College")
    with fuzz_issuer.client(org["api_token"]) as api:
        achievement = api.post("/api/achievements", json={
            "name": "Klassenmanagement", "description": "Leidt een klas.",
            "criteriaNarrative": "Drie lesobservaties."}).json()
        issued = api.post(f"/api/achievements/{achievement['id']}/issue",
                          json={"recipient": new_signer().did})
        assert issued.status_code == 201, issued.text
        download = api.get(f"/api/credentials/{issued.json()['record']['recordId']}/download")
        document = api.get("/openapi.json").json()
    assert download.status_code == 200, download.text
    media_type = download.headers["content-type"].split(";")[0]
    assert media_type == "application/vc+ld+json"
    described = document["paths"]["/api/credentials/{credential_id}/download"]["get"][
        "responses"]["200"]["content"][media_type]["schema"]
    jsonschema.validate(download.json(), described)
    assert download.json()["proof"]


@pytest.mark.parametrize("body", [b"\xff\xfe{", b'{"format": "ldp_vc\xe9"}'])
def test_an_unreadable_credential_request_is_an_oauth_error(fuzz_issuer: IssuerService,
                                                            body: bytes) -> None:
    """A body that is not UTF-8 at `POST /oid4vci/credential` was answered in the service's
    generic error shape; the endpoint's documented (and OpenID4VCI's) refusal is
    {"error": "invalid_credential_request", "error_description": ...}, never cached."""
    with fuzz_issuer.client("any-access-token") as client:
        answer = client.post("/oid4vci/credential", content=body,
                             headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    refusal: dict[str, Any] = answer.json()
    assert refusal["error"] == "invalid_credential_request"
    assert "UTF-8" in refusal["error_description"]
    assert answer.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("kinds", [[["VerifiableCredential"]], [{"id": "OpenBadgeCredential"}],
                                   ["VerifiableCredential", 7]])
def test_a_credential_whose_type_is_not_names_is_refused(fuzz_issuer: IssuerService,
                                                        kinds: list[Any]) -> None:
    """VC-API issue with `"type": [[...]]` or `[{...}]` was a 500 (TypeError: unhashable
    type): now a 400 that says what `type` must be, and nothing is issued."""
    org = fuzz_issuer.create_org("Type College")
    credential = realistic_ob3_credential(new_signer().did, 0, issuer_id=org["did"])
    credential["type"] = kinds
    with fuzz_issuer.client(org["api_token"]) as api:
        answer = api.post("/credentials/issue", json={"credential": credential})
        assert answer.status_code == 400, answer.text
        assert "'type' must be a string or an array of strings" in answer.json()["message"]
        assert api.get("/api/credentials").json()["total"] == 0


def test_an_evidence_note_that_is_not_utf8_is_refused(fuzz_wallet: WalletService) -> None:
    """`POST .../evidence` with a JSON body that is not UTF-8 was a 500
    (UnicodeDecodeError); now a 400 that says so, and nothing is stored."""
    owner = fuzz_wallet.create_owner()
    answer = owner.client.post(owner.url("/evidence"), content=b"\x0c\xb5",
                               headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["message"] == "request body is not UTF-8 JSON"
    assert owner.client.get(owner.url("/evidence")).json() == []


NUL_REFUSAL = "text may not contain the NUL character (U+0000)"


def assert_nul_refused(answers: list[Any]) -> None:
    for answer in answers:
        assert answer.status_code == 400, (answer.request.url, answer.text)
        assert answer.json()["message"] == NUL_REFUSAL


def test_text_with_a_nul_is_refused_by_the_wallet(fuzz_wallet: WalletService) -> None:
    """A NUL (U+0000) in an id in the path, a query parameter or a JSON string crashed
    every PostgreSQL-backed operation it reached (a 500: PostgreSQL text cannot hold it) and
    was stored silently on SQLite. Now it is a 400 with the reason on both, and nothing is
    stored."""
    owner = fuzz_wallet.create_owner()
    assert_nul_refused([
        owner.client.get(owner.url("/credentials/%00")),
        owner.client.delete(owner.url("/reflections/a%00b")),
        owner.client.get(owner.url("/export/vp"), params={"credential": "x\x00"}),
        owner.client.post(owner.url("/reflections"), json={"text": "Ik leerde\u0000 veel."}),
        owner.client.put(owner.url("/cv"), json={"headline": "Leraar\u0000"}),
        fuzz_wallet.client().get("/s/%00", headers={"accept": "application/json"}),
    ])
    assert owner.client.get(owner.url("/reflections")).json() == []
    assert not owner.client.get(owner.url("/cv")).json().get("headline")


def test_text_with_a_nul_is_refused_by_the_issuer(fuzz_issuer: IssuerService) -> None:
    """The same for the issuer: its staff API and its public documents."""
    org = fuzz_issuer.create_org("Nul College")
    with fuzz_issuer.client(org["api_token"]) as api:
        assert_nul_refused([
            api.get("/api/achievements/%00"),
            api.get("/api/credentials", params={"recipient": "\x00"}),
            api.post("/api/achievements", json={"name": "Klas\u0000", "description": "x",
                                                "criteriaNarrative": "y"}),
            api.get("/status/%00"),
        ])
        assert api.get("/api/achievements").json()["items"] == []

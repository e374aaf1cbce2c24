"""VC-API issue of any VCDM 2.0 or 1.1 credential, not only Open Badges (issue 19), over real
HTTP on SQLite and PostgreSQL: the caller's issuer and status kept, VCDM structure refused with
every problem listed, VCDM 1.1 signed with its terms defined, the W3C example context only
under `test_vector_contexts`."""

from __future__ import annotations

from typing import Any

import httpx
from pyld import jsonld

from issuer.services.vc_api_issuing import status_entry_context
from standards.document_loader import DEFAULT_LOADER, TEST_VECTOR_LOADER
from standards.verification import verify_credential
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
STATUS_V1 = "https://www.w3.org/ns/credentials/status/v1"
DATA_INTEGRITY = "https://w3id.org/security/data-integrity/v2"


def plain_credential(issuer: Any, **members: Any) -> dict[str, Any]:
    """The W3C suites' minimal credential: no Open Badge type, any subject."""
    credential = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": issuer,
                  "credentialSubject": {"id": "did:example:subject"}}
    credential.update(members)
    return credential


def issue(api: httpx.Client, credential: dict[str, Any], **options: Any) -> httpx.Response:
    return api.post("/credentials/issue", json={"credential": credential, "options": options})


def verified(vc: dict[str, Any]) -> bool:
    result = verify_credential(vc, fetcher=local_fetcher(), check_status=True,
                               loader=TEST_VECTOR_LOADER)
    return result.verified


def test_a_plain_vcdm2_credential_is_issued_as_sent(issuer_server: IssuerService,
                                                    api: httpx.Client,
                                                    org: dict[str, Any]) -> None:
    sent = plain_credential({"id": org["did"], "name": {"@value": "De school",
                                                        "@language": "nl"}},
                            name="Deelname", validUntil="2099-01-01T00:00:00Z")
    response = issue(api, sent, cryptosuite="eddsa-jcs-2022")
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    assert vc["issuer"] == sent["issuer"]  # the caller's issuer object, kept
    assert vc["credentialSubject"] == {"id": "did:example:subject"}
    assert vc["@context"] == [V2]
    assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert isinstance(vc["proof"], dict)  # one proof: an object, as the VC-API suites expect
    assert vc["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert verified(vc)

    as_url = issue(api, plain_credential(org["did"])).json()["verifiableCredential"]
    assert as_url["issuer"] == org["did"] and verified(as_url)


def test_the_issuer_must_be_the_organisations_own(issuer_server: IssuerService,
                                                  api: httpx.Client,
                                                  org: dict[str, Any]) -> None:
    missing = plain_credential(None)
    del missing["issuer"]
    response = issue(api, missing)
    assert response.status_code == 422
    assert "has no issuer" in response.json()["message"]
    assert org["did"] in response.json()["message"]  # it says what to put there

    other = issue(api, plain_credential("did:example:someone-else"))
    assert other.status_code == 422
    assert "not one of this organisation's identifiers" in other.json()["message"]

    not_a_url = issue(api, plain_credential({"name": "No id"}))
    assert not_a_url.status_code == 422


def test_structure_problems_are_refused_all_at_once(issuer_server: IssuerService,
                                                    api: httpx.Client,
                                                    org: dict[str, Any]) -> None:
    bad = plain_credential(org["did"], credentialSubject={}, validFrom="yesterday",
                           termsOfUse={}, refreshService={"id": "https://example.org/r"},
                           credentialSchema={"type": "JsonSchema"},
                           relatedResource=[{"id": "https://example.org/a.png"}])
    response = issue(api, bad)
    assert response.status_code == 422
    message = response.json()["message"]
    for problem in ("credentialSubject", "validFrom", "termsOfUse.type",
                    "refreshService.type", "credentialSchema.id", "digestSRI"):
        assert problem in message, message
    assert api.get("/api/credentials").json()["total"] == 0  # nothing was issued

    reversed_dates = plain_credential(org["did"], validFrom="2026-01-01T00:00:00Z",
                                      validUntil="2025-01-01T00:00:00Z")
    assert issue(api, reversed_dates).status_code == 422


def test_a_callers_status_is_kept_and_options_ask_for_one(issuer_server: IssuerService,
                                                          api: httpx.Client,
                                                          org: dict[str, Any]) -> None:
    own_status = {"id": "https://example.org/status/1#7", "type": "BitstringStatusListEntry",
                  "statusPurpose": "revocation", "statusListIndex": "7",
                  "statusListCredential": "https://example.org/status/1"}
    response = issue(api, plain_credential(org["did"], credentialStatus=own_status))
    assert response.status_code == 201, response.text
    assert response.json()["verifiableCredential"]["credentialStatus"] == own_status

    # a status type of the caller's own, defined by an inline context object
    inline = plain_credential(org["did"], **{
        "@context": [V2, {"CredentialStatusList2017":
                          "https://example.org/examples#CredentialStatusList2017"}],
        "credentialStatus": {"id": "did:example:status", "type": "CredentialStatusList2017"}})
    response = issue(api, inline)
    assert response.status_code == 201, response.text
    assert response.json()["verifiableCredential"]["credentialStatus"]["id"] == \
        "did:example:status"

    untyped = issue(api, plain_credential(org["did"], credentialStatus={"id": "urn:x:1"}))
    assert untyped.status_code == 422
    assert "credentialStatus.type" in untyped.json()["message"]

    asked = issue(api, plain_credential(org["did"]), credentialStatus={
        "type": "BitstringStatusListEntry", "statusPurpose": "suspension"})
    assert asked.status_code == 201, asked.text
    entry = asked.json()["verifiableCredential"]["credentialStatus"]
    assert entry["statusPurpose"] == "suspension"
    assert entry["statusListCredential"].startswith(issuer_server.ctx.public_url)

    unknown = issue(api, plain_credential(org["did"]),
                    credentialStatus={"type": "StatusList2021Entry"})
    assert unknown.status_code == 422


def test_vcdm_11_credentials_are_signed_with_their_terms_defined(
        issuer_server: IssuerService, api: httpx.Client, org: dict[str, Any]) -> None:
    """credentials/v1 defines neither the proof's terms nor the status entry's: the issuer
    adds the data-integrity context and the status entry's term inline, so the credential
    signs and verifies."""
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        sent = {"@context": [V1], "type": ["VerifiableCredential"], "issuer": org["did"],
                "credentialSubject": {"id": "did:example:subject"}}
        response = issue(api, sent, cryptosuite=suite)
        assert response.status_code == 201, response.text
        vc = response.json()["verifiableCredential"]
        assert vc["@context"] == [V1, status_entry_context(), DATA_INTEGRITY]
        assert vc["issuanceDate"] and "validFrom" not in vc
        assert vc["credentialStatus"]["type"] == "BitstringStatusListEntry"
        assert verified(vc)

    bad_date = dict(sent, issuanceDate="1 January 2025")
    assert issue(api, bad_date).status_code == 422


def test_a_vcdm_11_status_entry_means_what_status_v1_says_without_loading_it(
        issuer_server: IssuerService, api: httpx.Client, org: dict[str, Any]) -> None:
    """The inline term gives the status entry the IRIs of the status/v1 context, and a
    processor that knows only credentials/v1 and data-integrity/v2 (the W3C Data Integrity
    suites' offline loader) expands it."""
    sent = {"@context": [V1], "type": ["VerifiableCredential"], "issuer": org["did"],
            "credentialSubject": {"id": "did:example:subject"}}
    vc = issue(api, sent).json()["verifiableCredential"]
    offline = {V1, DATA_INTEGRITY}

    def offline_loader(url: str, options: Any = None) -> dict[str, Any]:
        assert url in offline, f"would have to load {url}"
        return DEFAULT_LOADER(url, options)

    inline = jsonld.expand(vc, {"documentLoader": offline_loader})
    with_url = dict(vc, **{"@context": [V1, STATUS_V1, DATA_INTEGRITY]})
    by_url = jsonld.expand(with_url, {"documentLoader": DEFAULT_LOADER})
    assert inline == by_url
    status = inline[0]["https://www.w3.org/2018/credentials#credentialStatus"][0]
    assert status["@type"] == ["https://www.w3.org/ns/credentials/status#BitstringStatusListEntry"]
    assert "https://www.w3.org/ns/credentials/status#statusListIndex" in status

    named = dict(sent, **{"@context": [V1, STATUS_V1]})
    kept = issue(api, named).json()["verifiableCredential"]
    assert kept["@context"] == [V1, STATUS_V1, DATA_INTEGRITY]  # the caller's URL, no inline
    assert verified(kept)


def test_the_w3c_example_context_only_under_test_vectors(issuer_server: IssuerService,
                                                         api: httpx.Client,
                                                         org: dict[str, Any]) -> None:
    example = plain_credential(org["did"], **{"@context": [V2, EXAMPLES],
                                              "type": ["VerifiableCredential",
                                                       "ExampleDegreeCredential"]})
    refused = issue(api, example)
    assert refused.status_code == 422
    assert "only for test vectors" in refused.json()["message"]
    settings = issuer_server.ctx.settings
    settings.test_vector_contexts = True  # what `serve issuer --test-vectors` sets
    try:
        response = issue(api, example)
    finally:
        settings.test_vector_contexts = False
    assert response.status_code == 201, response.text
    assert verified(response.json()["verifiableCredential"])


# The VCDM 2.0 suite's fixture digests of the credentials/v2 context (the REC bytes, as
# bundled): SRI, and a bare sha2-256 digest in base64url multibase.
V2_SRI = "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8IhqjHWiWpr8+ZbYU"
V2_MULTIBASE = "uWZVc7WaX1h4D8rJVb-vlMIqxaEKEb1tYbX8fet7JJzQ"


def test_a_wrong_related_resource_digest_is_refused(issuer_server: IssuerService,
                                                     api: httpx.Client,
                                                     org: dict[str, Any]) -> None:
    right = plain_credential(org["did"], relatedResource=[
        {"id": V2, "digestSRI": V2_SRI, "digestMultibase": V2_MULTIBASE}])
    response = issue(api, right)
    assert response.status_code == 201, response.text
    assert verified(response.json()["verifiableCredential"])

    for wrong in ({"id": V2, "digestMultibase": "uM4RgWQc3RUDtjJCSgTJtTfvpZ7SPEg_LNO0ESlovQC0"},
                  {"id": V2, "digestSRI": "sha384-_rCVIV7fSXXTNIvpiq26jRDyj8JG8TDjij-tD0ewLk4"
                                          "JpnXEz6a5AeeY_1qQ0d0P"}):
        refused = issue(api, plain_credential(org["did"], relatedResource=[wrong]))
        assert refused.status_code == 422
        assert f"relatedResource {V2}" in refused.json()["message"]

    # a resource the issuer does not hold is not fetched: issued, its digest unchecked
    elsewhere = plain_credential(org["did"], relatedResource=[
        {"id": "https://example.org/a.png", "digestSRI": V2_SRI}])
    assert issue(api, elsewhere).status_code == 201

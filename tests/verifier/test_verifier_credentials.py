"""POST /credentials/verify over real HTTP: every check gives the right verdict for the right
reason, the answer is 200 whatever the verdict, and a request that cannot be read is refused.

Credentials come from the real issuer service (did:web, status list), from Digital Bazaar's
libraries, or are built and signed here (tests/verifier/signing.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests import inprocess
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import unsigned_credential_of
from tests.js_harness import require_harness, run_node
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import (
    LocalSigner,
    achievement_credential,
    changed,
    new_signer,
    vcdm11_credential,
)

UNKNOWN_CONTEXT = "https://contexts.example/unknown/v1"


def checks_of(report: dict[str, Any]) -> dict[str, bool]:
    return {c["check"]: c["ok"] for c in report["checks"]}


def refused(report: dict[str, Any], check: str) -> str:
    """The message of the failed `check`, after asserting that no other check failed and
    that `errors` says the same."""
    assert report["verified"] is False, report
    failures = [c for c in report["checks"] if not c["ok"]]
    assert [c["check"] for c in failures] == [check], report
    assert report["errors"] == [f"{check}: {failures[0]['message']}"]
    return str(failures[0]["message"])


def issue(client: httpx.Client, **options: Any) -> dict[str, Any]:
    response = client.post("/credentials/issue",
                           json={"credential": unsigned_credential_of(client), "options": options})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def set_status(client: httpx.Client, credential: dict[str, Any], status: str) -> None:
    response = client.post("/credentials/status", json={
        "credentialId": credential["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": status}]})
    assert response.status_code == 200, response.text


@pytest.fixture(scope="module")
def issuer_key() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def holder() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def signed(issuer_key: LocalSigner, holder: LocalSigner) -> dict[str, Any]:
    """A valid OB 3.0 credential signed here (did:key, no status)."""
    return issuer_key.sign(achievement_credential(issuer_key.did, holder.did))


@pytest.fixture
def separate_issuer_api(issuer: IssuerService) -> Iterator[httpx.Client]:
    """A fresh organisation (its own status lists) on the real issuer: a list another test
    already made the verifier cache cannot hide a change made here."""
    org = issuer.create_org("Praktijkschool De Brug", did="web")
    with issuer.client(org["api_token"]) as client:
        yield client


# --- positive ---------------------------------------------------------------------------
def test_credential_issued_by_opendossier_verifies_with_status_and_trust(
        verifier: VerifierService, issuer_api: httpx.Client,
        issuer_org: dict[str, Any]) -> None:
    credential = issue(issuer_api)
    report = verifier.verify_credential(credential)
    assert report["verified"] is True, report
    assert report["errors"] == []
    checks = {c["check"]: c for c in report["checks"]}
    assert {"format", "json-ld", "proof", "issuer", "validity", "status", "schema"} <= set(checks)
    assert all(c["ok"] for c in checks.values())
    assert f"signed by a key of the issuer {issuer_org['did']}" in checks["issuer"]["message"]
    assert "not revoked" in checks["status"]["message"]
    assert report["summary"]["issuer"]["id"] == issuer_org["did"]
    assert report["trust"]["status"] == "trusted"


@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_vcdm2_data_integrity_credential_verifies(verifier: VerifierService,
                                                  issuer_key: LocalSigner, holder: LocalSigner,
                                                  suite: str) -> None:
    credential = issuer_key.sign(achievement_credential(issuer_key.did, holder.did), suite=suite)
    report = verifier.verify_credential(credential)
    assert report["verified"] is True, report
    assert report["format"] == "data-integrity"
    proof = next(c for c in report["checks"] if c["check"] == "proof")
    assert proof["message"].startswith(f"{suite} proof by {issuer_key.verification_method}")


def test_vcdm11_credential_verifies(verifier: VerifierService, issuer_key: LocalSigner,
                                    holder: LocalSigner) -> None:
    credential = issuer_key.sign(vcdm11_credential(issuer_key.did, holder.did))
    report = verifier.verify_credential(credential)
    assert report["verified"] is True, report
    assert report["summary"]["validFrom"] == credential["issuanceDate"]
    assert checks_of(report)["schema"] is True


def test_vc_jwt_credential_verifies(verifier: VerifierService, issuer_key: LocalSigner,
                                    holder: LocalSigner) -> None:
    token = issuer_key.sign_jwt(achievement_credential(issuer_key.did, holder.did))
    report = verifier.verify_credential(token)
    assert report["verified"] is True, report
    assert report["format"] == "vc-jwt"
    assert checks_of(report)["proof"] is True
    assert report["summary"]["subject"]["id"] == holder.did


@pytest.mark.interop
def test_credential_signed_by_digital_bazaar_verifies(verifier: VerifierService,
                                                      issuer_key: LocalSigner,
                                                      holder: LocalSigner) -> None:
    require_harness()
    key = issuer_key.key
    credential = run_node("sign.mjs", {
        "credential": achievement_credential(issuer_key.did, holder.did),
        "keyPair": {"publicKeyMultibase": key.public_key_multibase(),
                    "secretKeyMultibase": key.secret_key_multibase()}})
    assert credential["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    report = verifier.verify_credential(credential)
    assert report["verified"] is True, report
    tampered = verifier.verify_credential(changed(credential, "name", value="Iets anders"))
    assert "signature does not match" in refused(tampered, "proof")


def test_refresh_service_is_noted_not_contacted(verifier: VerifierService,
                                                issuer_key: LocalSigner,
                                                holder: LocalSigner) -> None:
    unsigned = achievement_credential(issuer_key.did, holder.did)
    # an address on a port nobody listens at: contacting it would be an error to report
    unsigned["refreshService"] = {"id": "https://127.0.0.1:9/refresh/1",
                                  "type": "https://school.example/ns#CredentialRefresh"}
    report = verifier.verify_credential(issuer_key.sign(unsigned))
    assert report["verified"] is True, report
    refresh = next(c for c in report["checks"] if c["check"] == "refresh-service")
    assert refresh["ok"] is True
    assert "https://127.0.0.1:9/refresh/1" in refresh["message"]
    assert "not contacted" in refresh["message"]
    assert report["summary"]["refreshService"]["id"] == "https://127.0.0.1:9/refresh/1"


# --- negative: the credential -----------------------------------------------------------
def test_tampered_value_fails_the_proof(verifier: VerifierService,
                                        signed: dict[str, Any]) -> None:
    report = verifier.verify_credential(changed(signed, "credentialSubject", "achievement",
                                                "name", value="Schoolleider"))
    message = refused(report, "proof")
    assert "signature does not match the document" in message
    assert checks_of(report)["json-ld"] is True  # the document itself is fine


def test_proof_by_another_key_than_the_one_named_fails(verifier: VerifierService,
                                                      issuer_key: LocalSigner,
                                                      holder: LocalSigner) -> None:
    forger = new_signer()
    credential = forger.sign(achievement_credential(issuer_key.did, holder.did))
    credential["proof"][0]["verificationMethod"] = issuer_key.verification_method
    report = verifier.verify_credential(credential)
    assert "wrong key" in refused(report, "proof")
    assert "issuer" not in checks_of(report)  # no valid proof, so nothing to bind


def test_key_not_controlled_by_the_issuer_fails(verifier: VerifierService,
                                               issuer_key: LocalSigner,
                                               holder: LocalSigner) -> None:
    other = new_signer()
    credential = other.sign(achievement_credential(issuer_key.did, holder.did))
    report = verifier.verify_credential(credential)
    message = refused(report, "issuer")
    assert f"controlled by the issuer {issuer_key.did}" in message
    assert checks_of(report)["proof"] is True  # the signature itself is sound


def test_key_not_controlled_by_the_issuer_fails_for_a_jwt(verifier: VerifierService,
                                                         issuer_key: LocalSigner,
                                                         holder: LocalSigner) -> None:
    token = new_signer().sign_jwt(achievement_credential(issuer_key.did, holder.did))
    message = refused(verifier.verify_credential(token), "issuer")
    assert f"is not controlled by the issuer {issuer_key.did}" in message


def test_tampered_jwt_fails_the_signature(verifier: VerifierService, issuer_key: LocalSigner,
                                          holder: LocalSigner) -> None:
    token = issuer_key.sign_jwt(achievement_credential(issuer_key.did, holder.did))
    header, _payload, signature = token.split(".")
    other = issuer_key.sign_jwt(achievement_credential(issuer_key.did, holder.did,
                                                       name="Schoolleider"))
    forged = ".".join([header, other.split(".")[1], signature])
    assert "signature does not verify" in refused(verifier.verify_credential(forged), "proof")


def test_expired_credential_fails_validity(verifier: VerifierService, issuer_key: LocalSigner,
                                           holder: LocalSigner) -> None:
    credential = issuer_key.sign(achievement_credential(
        issuer_key.did, holder.did, valid_from="2020-01-01T00:00:00Z",
        valid_until="2020-07-31T00:00:00Z"))
    report = verifier.verify_credential(credential)
    assert refused(report, "validity") == "expired at 2020-07-31T00:00:00Z"
    assert checks_of(report)["proof"] is True


def test_credential_not_yet_valid_fails_validity(verifier: VerifierService,
                                                 issuer_key: LocalSigner,
                                                 holder: LocalSigner) -> None:
    credential = issuer_key.sign(achievement_credential(
        issuer_key.did, holder.did, valid_from="2099-09-01T00:00:00Z"))
    report = verifier.verify_credential(credential)
    assert refused(report, "validity") == "not valid before 2099-09-01T00:00:00Z"


def test_revoked_credential_fails_status(verifier: VerifierService,
                                         separate_issuer_api: httpx.Client) -> None:
    credential = issue(separate_issuer_api)
    set_status(separate_issuer_api, credential, "revoked")
    report = verifier.verify_credential(credential)
    message = refused(report, "status")
    assert message.startswith("revoked (entry ")
    assert credential["credentialStatus"]["statusListCredential"] in message
    assert checks_of(report)["proof"] is True


def test_suspended_credential_fails_status(verifier: VerifierService,
                                           separate_issuer_api: httpx.Client) -> None:
    credential = issue(separate_issuer_api, statusPurpose="suspension")
    set_status(separate_issuer_api, credential, "suspended")
    message = refused(verifier.verify_credential(credential), "status")
    assert message.startswith("suspended (entry ")


def test_unknown_context_fails_json_ld(verifier: VerifierService,
                                       signed: dict[str, Any]) -> None:
    credential = changed(signed, "@context", value=[*signed["@context"], UNKNOWN_CONTEXT])
    message = refused(verifier.verify_credential(credential), "json-ld")
    assert UNKNOWN_CONTEXT in message
    assert "not a bundled JSON-LD context" in message


def test_undefined_term_fails_json_ld(verifier: VerifierService,
                                      signed: dict[str, Any]) -> None:
    credential = changed(signed, "credentialSubject", "favouriteColour", value="blue")
    message = refused(verifier.verify_credential(credential), "json-ld")
    assert "undefined term" in message and "favouriteColour" in message


def test_schema_invalid_ob3_credential_is_valid_with_a_warning(verifier: VerifierService,
                                                               issuer_key: LocalSigner,
                                                               holder: LocalSigner) -> None:
    """Authentic but off the OB 3.0 JSON Schema: valid, "not fully OB 3.0 conformant"."""
    unsigned = achievement_credential(issuer_key.did, holder.did)
    del unsigned["credentialSubject"]["achievement"]["criteria"]
    report = verifier.verify_credential(issuer_key.sign(unsigned))
    assert report["verified"] is True, report["errors"]
    assert "schema" not in checks_of(report)
    warning, = (w for w in report["warnings"] if w.startswith("not fully OB 3.0 conformant: "))
    assert "$.credentialSubject.achievement.criteria" in warning
    assert "required property is missing" in warning


def test_credential_without_proof_fails(verifier: VerifierService,
                                        signed: dict[str, Any]) -> None:
    unsigned = {name: value for name, value in signed.items() if name != "proof"}
    assert refused(verifier.verify_credential(unsigned), "proof") == "the document has no proof"


def test_credential_without_an_issuer_fails(verifier: VerifierService,
                                           issuer_key: LocalSigner) -> None:
    # a plain VC (no OB 3.0 schema to catch it): a valid proof binds it to nobody
    unsigned = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"], "credentialSubject": {"id": "did:example:1"}}
    report = verifier.verify_credential(issuer_key.sign(unsigned))
    assert refused(report, "issuer").startswith("the credential names no issuer")
    assert checks_of(report)["proof"] is True
    nameless = verifier.verify_credential(issuer_key.sign(
        {**unsigned, "issuer": {"name": "Zonder id"}}))
    assert refused(nameless, "issuer").startswith("the credential names no issuer")


def test_status_not_checked_when_asked_is_said(verifier: VerifierService,
                                               issuer_api: httpx.Client) -> None:
    report = verifier.verify_credential(issue(issuer_api), checkStatus=False)
    assert report["verified"] is True, report
    assert "status" not in checks_of(report)
    assert any(w.startswith("the status (revoked or suspended) was not checked")
               for w in report["warnings"])


@pytest.mark.parametrize(("token", "reason"), [
    ("geen-jwt", "not a compact JWS"),
    ("a.b.c", "the JWS header is not base64url"),
])
def test_string_that_is_no_jwt_fails_the_format(verifier: VerifierService, token: str,
                                                reason: str) -> None:
    assert reason in refused(verifier.verify_credential(token), "format")


def test_deeply_nested_jwt_is_refused_with_its_reason(verifier: VerifierService,
                                                      issuer_key: LocalSigner,
                                                      holder: LocalSigner) -> None:
    unsigned = achievement_credential(issuer_key.did, holder.did)
    nested: Any = "bodem"
    for _ in range(900):  # parses as JSON, but deeper than anything may walk it recursively
        nested = {"description": nested}
    unsigned["credentialSubject"]["achievement"]["description"] = nested
    report = verifier.verify_credential(issuer_key.sign_jwt(unsigned))
    assert "nested deeper than 64 levels" in refused(report, "format")


def test_deeply_nested_credential_is_refused_with_its_reason(verifier: VerifierService,
                                                             signed: dict[str, Any]) -> None:
    nested: Any = "bodem"
    for _ in range(100):
        nested = {"description": nested}
    report = verifier.verify_credential(changed(signed, "credentialSubject", "description",
                                                value=nested))
    assert "nested deeper than 64 levels" in refused(report, "format")


@pytest.mark.parametrize(("path", "value", "check", "reason"), [
    (("proof",), "z3xyz", "proof", "every proof must be a JSON object"),
    (("proof",), [{"type": "DataIntegrityProof"}, 7], "proof", "every proof must be a JSON object"),
    (("type",), ["VerifiableCredential", {"x": 1}], "format", "a list of strings"),
    (("issuer",), ["did:example:a", "did:example:b"], "issuer", "names no issuer"),
])
def test_malformed_members_get_a_reason_not_an_error(verifier: VerifierService,
                                                     signed: dict[str, Any],
                                                     path: tuple[str, ...], value: Any,
                                                     check: str, reason: str) -> None:
    report = verifier.verify_credential(changed(signed, *path, value=value))
    assert report["verified"] is False
    assert reason in failed(report)[check]


@pytest.mark.parametrize(("path", "value", "check", "reason"), [
    (("validFrom",), 20240901, "validity", "not a date-time"),
    (("@context",), "credentials-v2", "json-ld", "invalid JSON-LD"),
    (("credentialStatus",), {"type": ["BitstringStatusListEntry"]}, "status",
     "type must be a string"),
])
def test_malformed_members_deep_in_the_core_get_a_reason(
        verifier: VerifierService, signed: dict[str, Any], path: tuple[str, ...], value: Any,
        check: str, reason: str) -> None:
    report = verifier.verify_credential(changed(signed, *path, value=value))
    assert report["verified"] is False
    assert reason in failed(report)[check]


# --- requests that cannot be read -------------------------------------------------------
def post_raw(verifier: VerifierService, path: str, content: bytes | Iterator[bytes]
             ) -> httpx.Response:
    return inprocess.post(f"{verifier.base_url}{path}", content=content, timeout=60,
                      headers={"content-type": "application/json"})


def assert_refused(response: httpx.Response, status: int, *words: str) -> None:
    assert response.status_code == status, response.text
    message = response.json()["message"]
    assert all(word in message for word in words), message


@pytest.mark.parametrize("path", ["/credentials/verify", "/presentations/verify"])
def test_malformed_json_is_400(verifier: VerifierService, path: str) -> None:
    assert_refused(post_raw(verifier, path, b'{"verifiableCredential": '), 400, "malformed JSON")
    assert_refused(post_raw(verifier, path, b"[1, 2]"), 400,
                   "body: Input should be a valid dictionary")


@pytest.mark.parametrize(("path", "member"), [("/credentials/verify", "verifiableCredential"),
                                              ("/presentations/verify",
                                               "verifiablePresentation")])
def test_missing_member_is_400(verifier: VerifierService, path: str, member: str) -> None:
    response = inprocess.post(f"{verifier.base_url}{path}", json={"options": {}}, timeout=30)
    assert_refused(response, 400, f"body.{member}: Field required")


@pytest.mark.parametrize(("options", "words"), [
    ("yes", ("body.options: Input should be a valid dictionary",)),
    ({"checkStatus": "no"}, ("body.options.checkStatus: Input should be a valid boolean",)),
    ({"challenge": 42}, ("body.options.challenge: Input should be a valid string",)),
    ({"domain": ["a", "b"]}, ("body.options.domain: Input should be a valid string",)),
])
def test_wrong_option_types_are_400(verifier: VerifierService, signed: dict[str, Any],
                                    options: Any, words: tuple[str, ...]) -> None:
    response = inprocess.post(f"{verifier.base_url}/credentials/verify", timeout=30,
                          json={"verifiableCredential": signed, "options": options})
    assert_refused(response, 400, *words)


def test_credential_of_the_wrong_json_type_is_400(verifier: VerifierService) -> None:
    response = inprocess.post(f"{verifier.base_url}/credentials/verify", timeout=30,
                          json={"verifiableCredential": 42})
    assert_refused(response, 400,
                   "body.verifiableCredential: must be a JSON object or a compact JWT")


def test_oversized_body_is_413(verifier: VerifierService, signed: dict[str, Any]) -> None:
    big = changed(signed, "description", value="x" * (1024 * 1024))
    body = json.dumps({"verifiableCredential": big}).encode()
    assert_refused(post_raw(verifier, "/credentials/verify", body), 413, "larger than 1048576")

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit holds while streaming
        for start in range(0, len(body), 64 * 1024):
            yield body[start:start + 64 * 1024]

    assert_refused(post_raw(verifier, "/credentials/verify", chunks()), 413,
                   "larger than 1048576")


def test_json_too_deep_to_parse_is_400(verifier: VerifierService) -> None:
    depth = 100_000
    body = b'{"verifiableCredential": ' + b"[" * depth + b"]" * depth + b"}"
    assert_refused(post_raw(verifier, "/credentials/verify", body), 400,
                   "JSON is nested too deeply")

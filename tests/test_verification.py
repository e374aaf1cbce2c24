"""verify_credential / verify_presentation: each check with its reason."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.fetcher import Fetcher
from standards.keys import KeyPair, generate_key
from standards.verification import verify_credential, verify_presentation
from tests.ob3_sample import realistic_ob3_credential

VP_CONTEXT = ["https://www.w3.org/ns/credentials/v2"]


def _vm(key: KeyPair) -> str:
    did = did_key_from_key_pair(key)
    return f"{did}#{did.removeprefix('did:key:')}"


@pytest.fixture(scope="module")
def issuer() -> KeyPair:
    return generate_key()


@pytest.fixture(scope="module")
def holder() -> KeyPair:
    return generate_key()


def _issued_to(issuer: KeyPair, subject_did: str) -> dict[str, Any]:
    credential = realistic_ob3_credential(subject_did, 3,
                                          issuer_id=did_key_from_key_pair(issuer))
    return sign_document(credential, issuer, verification_method=_vm(issuer))


def _presentation(holder: KeyPair, credentials: list[dict[str, Any]], *,
                  challenge: str = "c-123", domain: str = "https://verifier.example"
                  ) -> dict[str, Any]:
    presentation = {"@context": VP_CONTEXT, "type": ["VerifiablePresentation"],
                    "holder": did_key_from_key_pair(holder),
                    "verifiableCredential": credentials}
    return sign_document(presentation, holder, verification_method=_vm(holder),
                         proof_purpose="authentication", challenge=challenge, domain=domain)


def _failed(result: Any) -> dict[str, str]:
    return {c.check: c.message for c in result.checks if not c.ok}


def test_presentation_by_the_subject_verifies(issuer: KeyPair, holder: KeyPair) -> None:
    credential = _issued_to(issuer, did_key_from_key_pair(holder))
    result = verify_presentation(_presentation(holder, [credential]), challenge="c-123",
                                 domain="https://verifier.example")
    assert result.verified, result.errors
    assert {"holder", "credential[0]"} <= {c.check for c in result.checks}


def test_presentation_with_the_wrong_challenge_or_domain_fails(issuer: KeyPair,
                                                               holder: KeyPair) -> None:
    presentation = _presentation(holder, [_issued_to(issuer, did_key_from_key_pair(holder))])
    wrong_challenge = verify_presentation(presentation, challenge="other",
                                          domain="https://verifier.example")
    assert "challenge" in _failed(wrong_challenge)["proof"]
    wrong_domain = verify_presentation(presentation, challenge="c-123",
                                       domain="https://elsewhere.example")
    assert "domain" in _failed(wrong_domain)["proof"]


def test_presentation_of_someone_elses_credential_fails_when_binding_is_required(
        issuer: KeyPair, holder: KeyPair) -> None:
    credential = _issued_to(issuer, "did:example:somebody-else")
    result = verify_presentation(_presentation(holder, [credential]), challenge="c-123",
                                 require_holder_binding=True)
    assert "not the subject" in _failed(result)["credential[0].holder-binding"]


def test_presentation_of_someone_elses_credential_is_allowed_by_default(
        issuer: KeyPair, holder: KeyPair) -> None:
    """VCDM 2.0: a holder may present a credential about someone else; a warning says so."""
    credential = _issued_to(issuer, "did:example:somebody-else")
    result = verify_presentation(_presentation(holder, [credential]), challenge="c-123")
    assert result.verified, result.errors
    assert any(w.startswith("credential[0].holder-binding: ") and "not the subject" in w
               for w in result.warnings), result.warnings


def test_presentation_signed_by_another_key_than_the_holder(issuer: KeyPair,
                                                            holder: KeyPair) -> None:
    presentation = _presentation(issuer, [_issued_to(issuer, did_key_from_key_pair(holder))])
    presentation_holder = did_key_from_key_pair(holder)
    presentation["holder"] = presentation_holder  # claims a holder it cannot sign for
    result = verify_presentation(presentation, challenge="c-123")
    assert not result.verified


def test_credential_signed_with_assertion_purpose_is_no_presentation_proof(
        issuer: KeyPair, holder: KeyPair) -> None:
    presentation = {"@context": VP_CONTEXT, "type": ["VerifiablePresentation"],
                    "holder": did_key_from_key_pair(holder), "verifiableCredential": []}
    signed = sign_document(presentation, holder, verification_method=_vm(holder))
    assert "purpose" in _failed(verify_presentation(signed))["proof"]


def test_1edtech_style_https_key_in_fragment_verifies_with_a_warning(
        standards_dir: Path) -> None:
    vector = json.loads((standards_dir / "vectors" / "ob3-kat" /
                         "ob-eddsa-rdfc-2022-kat.json").read_text())
    result = verify_credential(vector["signedCredential"],
                               now=datetime(2026, 1, 1, tzinfo=UTC))
    proof_and_issuer = {c.check: c.ok for c in result.checks}
    assert proof_and_issuer["proof"] and proof_and_issuer["issuer"], result.errors
    assert any("fragment" in w for w in result.warnings)


def test_credential_without_proof_is_not_valid(issuer: KeyPair) -> None:
    credential = realistic_ob3_credential("did:example:x", 1)
    result = verify_credential(credential)
    assert not result.verified and "no proof" in _failed(result)["proof"]


def test_key_not_controlled_by_the_issuer(issuer: KeyPair, holder: KeyPair) -> None:
    credential = realistic_ob3_credential("did:example:x", 1,
                                          issuer_id=did_key_from_key_pair(issuer))
    signed = sign_document(credential, holder, verification_method=_vm(holder))
    assert "controlled by the issuer" in _failed(verify_credential(signed))["issuer"]


def test_a_verification_method_that_is_an_object_is_a_failed_proof(issuer: KeyPair) -> None:
    """Found by the document fuzzer: the method as an object was a TypeError (a 500)."""
    signed = _issued_to(issuer, "did:example:y")
    signed["proof"]["verificationMethod"] = {"id": signed["proof"]["verificationMethod"]}
    result = verify_credential(signed)
    assert not result.verified and "proof" in _failed(result)


def test_result_json_shape(issuer: KeyPair) -> None:
    report = verify_credential(_issued_to(issuer, "did:example:y")).to_json()
    assert {"verified", "checks", "warnings", "errors"} <= set(report)
    assert report["format"] == "data-integrity"
    assert all(set(c) == {"check", "ok", "message"} for c in report["checks"])


def test_a_start_date_seconds_ahead_is_clock_skew_not_a_future_credential(
        issuer: KeyPair) -> None:
    """A list or credential signed by a clock a little ahead (or just after verification
    began) is valid; one that starts well in the future is not."""
    from datetime import UTC, datetime, timedelta

    from standards.verification import CLOCK_SKEW

    now = datetime(2026, 1, 1, tzinfo=UTC)
    credential = _issued_to(issuer, "did:example:y")
    for ahead, ok in ((timedelta(seconds=3), True), (CLOCK_SKEW + timedelta(seconds=1), False)):
        credential["validFrom"] = (now + ahead).isoformat().replace("+00:00", "Z")
        validity = [c for c in verify_credential(credential, now=now).checks
                    if c.check == "validity"]
        assert validity[0].ok is ok


def test_a_key_that_cannot_be_fetched_is_unknown_not_wrong(issuer: KeyPair) -> None:
    """A did:web issuer that does not answer (here: no network at all) leaves the proof
    unchecked: "key unknown", undetermined. A changed did:key credential is found false."""
    did = "did:web:school.example"
    credential = realistic_ob3_credential("did:example:x", 1, issuer_id=did)
    signed = sign_document(credential, issuer, verification_method=f"{did}#key-1")
    result = verify_credential(signed, fetcher=Fetcher.offline())
    assert not result.verified and result.undetermined
    assert _failed(result)["proof"].startswith("key unknown: ")
    assert "network access is off" in _failed(result)["proof"]

    changed = {**_issued_to(issuer, "did:example:x"), "name": "Something else"}
    result = verify_credential(changed, fetcher=Fetcher.offline())
    assert not result.verified and not result.undetermined
    assert "signature does not match" in _failed(result)["proof"]


def test_a_well_signed_credential_that_does_not_conform_fails_its_structure(
        issuer: KeyPair) -> None:
    """VCDM 2.0 section 7.1: when the proof holds, the document must still be a conforming
    document; each rule it breaks is named (the proof itself is fine)."""
    plain = {"@context": VP_CONTEXT, "type": ["VerifiableCredential"],
             "issuer": did_key_from_key_pair(issuer),
             "credentialSubject": {"id": "did:example:x"}}
    sound = sign_document(plain, issuer, verification_method=_vm(issuer))
    assert verify_credential(sound).verified

    broken = dict(plain, credentialSubject={}, credentialSchema={"id": "https://e.org/s"},
                  evidence=[{"id": "https://e.org/e"}])
    result = verify_credential(sign_document(broken, issuer, verification_method=_vm(issuer)))
    assert not result.verified
    failed = _failed(result)
    assert set(failed) == {"structure"}
    for rule in ("credentialSubject: must be an object", "credentialSchema.type: required",
                 "evidence[0].type: required"):
        assert rule in failed["structure"]

"""Issuer binding as the 1EdTech validator and the DCC read it (issue 19): a bare did:key
verificationMethod names its one key; an issuer named by an https URL that publishes no keys,
and a VC-JWT whose key sits in its `jwk` header, verify with the "issuer's key not confirmed"
warning; a DID issuer must still control the key of a Data Integrity proof."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.jose import sign_vc_jwt
from standards.keys import KeyPair, generate_key
from standards.verification import ISSUER_KEY_NOT_CONFIRMED, verify_credential
from tests.ob3_sample import realistic_ob3_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def key() -> KeyPair:
    return generate_key()


def _vm(key: KeyPair) -> str:
    did = did_key_from_key_pair(key)
    return f"{did}#{did.removeprefix('did:key:')}"


def _credential(issuer_id: str) -> dict[str, Any]:
    return realistic_ob3_credential("did:example:owner", 1, issuer_id=issuer_id)


def _checks(result: Any) -> dict[str, bool]:
    return {c.check: c.ok for c in result.checks}


def _not_confirmed(result: Any) -> list[str]:
    return [w for w in result.warnings if w.startswith(ISSUER_KEY_NOT_CONFIRMED)]


def test_a_bare_did_key_verification_method_names_its_one_key(key: KeyPair) -> None:
    did = did_key_from_key_pair(key)
    signed = sign_document(_credential(did), key, verification_method=did)
    result = verify_credential(signed, now=NOW)
    assert result.verified, result.errors
    assert _checks(result)["issuer"] and not _not_confirmed(result)


def test_an_https_issuer_that_publishes_no_keys_verifies_with_a_warning(key: KeyPair) -> None:
    issuer = "https://school.example/issuers/5678"
    signed = sign_document(_credential(issuer), key, verification_method=_vm(key))
    result = verify_credential(signed, now=NOW)
    assert result.verified, result.errors
    assert "issuer" not in _checks(result) and not result.issuer_key_confirmed
    assert _not_confirmed(result) and issuer in _not_confirmed(result)[0]


def test_an_https_issuer_with_a_broken_proof_still_fails(key: KeyPair) -> None:
    signed = sign_document(_credential("https://school.example/i"), key,
                           verification_method=_vm(key))
    signed["name"] = "changed after signing"
    result = verify_credential(signed, now=NOW)
    assert not result.verified and not _checks(result)["proof"]


def test_a_did_issuer_must_control_the_key(key: KeyPair) -> None:
    other = did_key_from_key_pair(generate_key())
    signed = sign_document(_credential(other), key, verification_method=_vm(key))
    result = verify_credential(signed, now=NOW)
    assert not result.verified and not _checks(result)["issuer"]
    assert not _not_confirmed(result)


def test_a_vc_jwt_with_the_issuers_own_key_in_its_header_confirms_it(key: KeyPair) -> None:
    token = sign_vc_jwt(_credential(did_key_from_key_pair(key)), key, embed_jwk=True, now=NOW)
    result = verify_credential(token, now=NOW)
    assert result.verified, result.errors
    assert _checks(result)["issuer"] and not _not_confirmed(result)


@pytest.mark.parametrize("issuer", ["https://school.example/issuers/1", "did:key:other"])
def test_a_vc_jwt_with_a_header_key_the_issuer_does_not_publish_warns(key: KeyPair,
                                                                      issuer: str) -> None:
    if issuer == "did:key:other":
        issuer = did_key_from_key_pair(generate_key())
    token = sign_vc_jwt(_credential(issuer), key, embed_jwk=True, now=NOW)
    result = verify_credential(token, now=NOW)
    assert result.verified, result.errors
    assert not result.issuer_key_confirmed and _not_confirmed(result)
    assert "does not publish the key in the JWT header" in _not_confirmed(result)[0]


def test_a_tampered_vc_jwt_with_a_header_key_fails(key: KeyPair) -> None:
    token = sign_vc_jwt(_credential("https://school.example/i"), key, embed_jwk=True, now=NOW)
    header, payload, signature = token.split(".")
    result = verify_credential(f"{header}.{payload}.{signature[:-4]}AAAA", now=NOW)
    assert not result.verified and not _checks(result)["proof"]

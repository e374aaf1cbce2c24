"""Interop for the ECDSA cryptosuites with Digital Bazaar's implementation, both ways:
ecdsa-rdfc-2019 and ecdsa-jcs-2019 with P-256 and P-384 keys
(@digitalbazaar/ecdsa-rdfc-2019-cryptosuite, -jcs-2019-cryptosuite, ecdsa-multikey in interop/js).

ECDSA signatures are randomised, so unlike eddsa the two implementations' proofValues differ;
each verifies the other's, and a changed value makes both refuse.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from standards.data_integrity import sign_document, verify_document_proofs
from standards.dids import did_key_from_key_pair
from standards.document_loader import TEST_VECTOR_LOADER
from standards.keys import KeyPair, generate_key, public_key_from_multibase
from standards.verification import verify_credential
from tests.js_harness import require_harness, run_node
from tests.ob3_sample import realistic_ob3_credential

pytestmark = pytest.mark.interop

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NOW_ISO = "2026-01-01T00:00:00Z"
CREATED = "2024-06-14T09:30:00Z"
VECTORS = Path(__file__).parent / "vectors" / "vc-di-ecdsa"
CASES = [("ecdsa-rdfc-2019", "p256"), ("ecdsa-rdfc-2019", "p384"),
         ("ecdsa-jcs-2019", "p256"), ("ecdsa-jcs-2019", "p384")]
VECTOR_FILES = {
    ("ecdsa-rdfc-2019", "p256"): "ecdsa-rdfc-2019-p256/signedECDSAP256.json",
    ("ecdsa-rdfc-2019", "p384"): "ecdsa-rdfc-2019-p384/signedECDSAP384.json",
    ("ecdsa-jcs-2019", "p256"): "ecdsa-jcs-2019-p256/signedJCSECDSAP256.json",
    ("ecdsa-jcs-2019", "p384"): "ecdsa-jcs-2019-p384/signedJCSECDSAP384.json",
}


@pytest.fixture(scope="module", autouse=True)
def js_harness() -> None:
    require_harness()


def _did_key_resolver(vm: str, purpose: str) -> KeyPair:
    return public_key_from_multibase(vm.split("#", 1)[1])


def _vm(key: KeyPair) -> str:
    return f"{did_key_from_key_pair(key)}#{key.public_key_multibase()}"


def js_sign(credential: dict[str, Any], key: KeyPair, suite: str) -> dict[str, Any]:
    return run_node("sign.mjs", {
        "credential": credential, "cryptosuite": suite, "created": CREATED,
        "keyPair": {"publicKeyMultibase": key.public_key_multibase(),
                    "secretKeyMultibase": key.secret_key_multibase()},
    })


def js_verify(credential: dict[str, Any]) -> dict[str, Any]:
    return run_node("verify.mjs", {"credential": credential, "now": NOW_ISO})


@pytest.fixture(scope="module")
def keys() -> dict[str, KeyPair]:
    return {curve: generate_key(curve) for curve in ("p256", "p384")}  # type: ignore[arg-type]


def _unsigned(key: KeyPair) -> dict[str, Any]:
    subject = did_key_from_key_pair(generate_key("ed25519"))
    return realistic_ob3_credential(subject, 1, issuer_id=did_key_from_key_pair(key))


@pytest.mark.parametrize(("suite", "curve"), CASES)
def test_digitalbazaar_signs_the_vector_as_published(suite: str, curve: str) -> None:
    # Proves the harness (key import, suites, proof options) before it judges us: with the
    # vector's key and `created`, its proof is the published one but for the random signature,
    # and OpenDossier verifies it. (Digital Bazaar cannot verify the published vectors as
    # credentials: their issuer does not control the did:key, which vc.verify requires.)
    published = json.loads((VECTORS / VECTOR_FILES[suite, curve]).read_text("utf-8"))
    key = json.loads((VECTORS / f"{curve}KeyPair.json").read_text("utf-8"))
    expected = published.pop("proof")
    signed = run_node("sign.mjs", {"credential": published, "cryptosuite": suite,
                                   "created": expected["created"], "keyPair": key})
    proof = signed["proof"]
    assert {**proof, "proofValue": None} == {**expected, "proofValue": None}
    [result] = verify_document_proofs(signed, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert result.verified, result.error


@pytest.mark.parametrize(("suite", "curve"), CASES)
def test_opendossier_signed_verifies_with_digitalbazaar(keys: dict[str, KeyPair], suite: str,
                                                       curve: str) -> None:
    key = keys[curve]
    signed = sign_document(_unsigned(key), key, suite=suite, verification_method=_vm(key),
                           created=CREATED)
    assert js_verify(signed) == {"verified": True}
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] = "Something else"
    assert js_verify(tampered)["verified"] is False
    assert not verify_credential(tampered, now=NOW).verified


@pytest.mark.parametrize(("suite", "curve"), CASES)
def test_digitalbazaar_signed_verifies_with_opendossier(keys: dict[str, KeyPair], suite: str,
                                                       curve: str) -> None:
    key = keys[curve]
    signed = js_sign(_unsigned(key), key, suite)
    proof = signed["proof"]
    assert (proof["cryptosuite"], proof["verificationMethod"]) == (suite, _vm(key))
    assert ("@context" in proof) == (suite == "ecdsa-jcs-2019")
    result = verify_credential(signed, now=NOW)
    assert result.verified, result.errors
    assert result.errors == []
    tampered = copy.deepcopy(signed)
    tampered["name"] = "Something else"
    assert not verify_credential(tampered, now=NOW).verified
    assert js_verify(tampered)["verified"] is False


def test_harness_refuses_an_unknown_suite(keys: dict[str, KeyPair]) -> None:
    output = run_node("sign.mjs", {
        "credential": _unsigned(keys["p256"]), "cryptosuite": "ecdsa-sd-2023",
        "keyPair": {"publicKeyMultibase": keys["p256"].public_key_multibase(),
                    "secretKeyMultibase": keys["p256"].secret_key_multibase()},
    }, expect_ok=False)
    assert "unknown cryptosuite" in output["error"]

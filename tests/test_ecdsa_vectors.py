"""The W3C vc-di-ecdsa vectors (ecdsa-rdfc-2019, ecdsa-jcs-2019; P-256 and P-384).

ECDSA signatures are randomised, so the published signature cannot be reproduced: every
intermediate (canonical forms, hashes) is, the published signatures verify, and our own
signatures over the same input round-trip. Source: tests/vectors/vc-di-ecdsa/SOURCE.md.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from standards.data_integrity import default_suite_for, sign_document, verify_document_proofs
from standards.data_integrity.jcs import canonical_json, plain_json_within_limits
from standards.document_loader import TEST_VECTOR_LOADER
from standards.errors import InvalidKeyError
from standards.jsonld import engine_for
from standards.keys import (
    KeyPair,
    generate_key,
    key_pair_from_jwk,
    load_key_file,
    public_key_from_multibase,
)
from standards.multibase_codec import decode_multibase

VECTORS = Path(__file__).parent / "vectors" / "vc-di-ecdsa"
# (suite, curve) -> (vector folder, file suffix)
CASES = {
    ("ecdsa-rdfc-2019", "p256"): ("ecdsa-rdfc-2019-p256", "ECDSAP256"),
    ("ecdsa-rdfc-2019", "p384"): ("ecdsa-rdfc-2019-p384", "ECDSAP384"),
    ("ecdsa-jcs-2019", "p256"): ("ecdsa-jcs-2019-p256", "JCSECDSAP256"),
    ("ecdsa-jcs-2019", "p384"): ("ecdsa-jcs-2019-p384", "JCSECDSAP384"),
}
HASHES = {"p256": hashlib.sha256, "p384": hashlib.sha384}


def _read(path: Path) -> str:
    return path.read_text("utf-8")


def _json(path: Path) -> Any:
    return json.loads(_read(path))


def _did_key_resolver(vm: str, purpose: str) -> KeyPair:
    assert vm.startswith("did:key:")
    return public_key_from_multibase(vm.split("#", 1)[1])


def _credential(issuer: str) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"], "issuer": issuer,
            "credentialSubject": {"id": "did:example:alice"}}


def _key(curve: str) -> KeyPair:
    return load_key_file(VECTORS / f"{curve}KeyPair.json")


@pytest.mark.parametrize(("suite", "curve"), sorted(CASES))
def test_vector_intermediates(suite: str, curve: str) -> None:
    folder, sfx = CASES[suite, curve]
    base = VECTORS / folder
    unsigned = _json(VECTORS / "unsigned.json")
    config = _json(base / f"proofConfig{sfx}.json")
    if suite == "ecdsa-jcs-2019":  # through the fast path (standards.data_integrity.jcs)
        assert plain_json_within_limits(unsigned) and plain_json_within_limits(config)
        canon_doc, canon_proof = canonical_json(unsigned).decode(), canonical_json(config).decode()
    else:
        engine = engine_for(TEST_VECTOR_LOADER)
        canon_doc, canon_proof = engine.canonicalize(unsigned), engine.canonicalize(config)
    assert canon_doc == _read(base / f"canonDoc{sfx}.txt")
    assert canon_proof == _read(base / f"proofCanon{sfx}.txt")
    digest = HASHES[curve]
    doc_hash = digest(canon_doc.encode()).hexdigest()
    proof_hash = digest(canon_proof.encode()).hexdigest()
    assert doc_hash == _read(base / f"docHash{sfx}.txt").strip()
    assert proof_hash == _read(base / f"proofHash{sfx}.txt").strip()
    assert proof_hash + doc_hash == _read(base / f"combinedHash{sfx}.txt").strip()

    signed = _json(base / f"signed{sfx}.json")
    signature = decode_multibase(signed["proof"]["proofValue"])
    assert signature.hex() == _read(base / f"sigHex{sfx}.txt").strip()
    assert signed["proof"]["proofValue"] == _read(base / f"sigBTC58{sfx}.txt").strip()
    # The published signature is over the combined hash, with the curve's hash inside ECDSA.
    assert _key(curve).verify(bytes.fromhex(proof_hash + doc_hash), signature)


@pytest.mark.parametrize(("suite", "curve"), sorted(CASES))
def test_published_signature_verifies_and_tampering_fails(suite: str, curve: str) -> None:
    folder, sfx = CASES[suite, curve]
    signed = _json(VECTORS / folder / f"signed{sfx}.json")
    [result] = verify_document_proofs(signed, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert result.verified, result.error
    assert result.cryptosuite == suite

    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["alumniOf"] = "Another School"
    [result] = verify_document_proofs(tampered, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert not result.verified
    assert "signature does not match" in (result.error or "")


@pytest.mark.parametrize(("suite", "curve"), sorted(CASES))
def test_own_signature_matches_the_vector_but_for_the_proof_value(suite: str,
                                                                  curve: str) -> None:
    folder, sfx = CASES[suite, curve]
    signed = _json(VECTORS / folder / f"signed{sfx}.json")
    ours = sign_document(_json(VECTORS / "unsigned.json"), _key(curve), suite=suite,
                         created=signed["proof"]["created"],
                         verification_method=signed["proof"]["verificationMethod"],
                         loader=TEST_VECTOR_LOADER)
    value = ours["proof"].pop("proofValue")
    expected = copy.deepcopy(signed)
    expected["proof"].pop("proofValue")
    assert ours == expected
    assert len(decode_multibase(value)) == {"p256": 64, "p384": 96}[curve]
    ours["proof"]["proofValue"] = value
    [result] = verify_document_proofs(ours, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert result.verified, result.error


def test_vector_key_pairs_load_with_their_multicodecs() -> None:
    p256, p384 = _key("p256"), _key("p384")
    assert (p256.key_type, p384.key_type) == ("p256", "p384")
    for curve, key in (("p256", p256), ("p384", p384)):
        data = _json(VECTORS / f"{curve}KeyPair.json")
        assert key.public_key_multibase() == data["publicKeyMultibase"]
        assert key.secret_key_multibase() == data["secretKeyMultibase"]
    assert p384.public_key_multibase().startswith("z82L")  # p384-pub 0x1201
    assert p384.jws_algorithm == "ES384"
    # The JWK form round-trips, public and private.
    assert key_pair_from_jwk(p384.private_jwk()).public_key_multibase() == \
        p384.public_key_multibase()
    assert key_pair_from_jwk(p384.public_jwk()).key_type == "p384"


@pytest.mark.parametrize("curve", ["p256", "p384"])
def test_generated_keys_sign_with_their_default_suite(curve: str) -> None:
    key = generate_key(curve)  # type: ignore[arg-type]
    did = "did:key:" + key.public_key_multibase()
    document = _credential(did)
    suite = default_suite_for(key)
    assert suite == "ecdsa-rdfc-2019"
    signed = sign_document(document, key, suite=suite,
                           verification_method=f"{did}#{key.public_key_multibase()}")
    [result] = verify_document_proofs(signed, _did_key_resolver)
    assert result.verified, result.error


def test_ecdsa_suites_refuse_an_ed25519_key_and_eddsa_refuses_p256() -> None:
    document = _credential("did:example:issuer")
    with pytest.raises(InvalidKeyError):
        sign_document(document, generate_key("ed25519"), suite="ecdsa-jcs-2019",
                      verification_method="did:example:issuer#1")
    with pytest.raises(InvalidKeyError):
        sign_document(document, generate_key("p256"), suite="eddsa-rdfc-2022",
                      verification_method="did:example:issuer#1")


def test_a_p256_signature_does_not_pass_for_a_p384_key() -> None:
    """The verification method decides the curve: a proof whose key is swapped fails."""
    signed = _json(VECTORS / "ecdsa-rdfc-2019-p256" / "signedECDSAP256.json")
    p384_vm = _json(VECTORS / "ecdsa-rdfc-2019-p384" / "signedECDSAP384.json")["proof"][
        "verificationMethod"]
    signed["proof"]["verificationMethod"] = p384_vm
    [result] = verify_document_proofs(signed, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert not result.verified
    assert "P-384 signature has 96 bytes" in (result.error or "")


def test_p384_rdfc_canonicalises_with_sha384_too() -> None:
    """vc-di-ecdsa: RDFC-1.0 itself hashes with the curve's hash, so blank node labels of a
    P-384 proof differ from a P-256 one's (Digital Bazaar does the same; the vectors have too
    few blank nodes to show it, the interop test does)."""
    from standards.data_integrity import ECDSA_RDFC_2019

    document = _credential("did:example:issuer")
    document["credentialSubject"] = {"id": "did:example:alice",
                                     "alumniOf": [{"name": "A"}, {"name": "B"}, {"name": "C"}]}
    document["@context"].append({"@vocab": "https://example.org/vocab#"})
    engine = engine_for()
    by_sha256 = engine.canonicalize(document, hash_algorithm="sha256")
    by_sha384 = engine.canonicalize(document, hash_algorithm="sha384")
    assert by_sha256 != by_sha384  # same quads, other blank node labels
    config = {"type": "DataIntegrityProof", "cryptosuite": "ecdsa-rdfc-2019",
              "created": "2026-01-01T00:00:00Z", "verificationMethod": "did:example:issuer#1",
              "proofPurpose": "assertionMethod"}
    data = ECDSA_RDFC_2019.hash_data(document, config, engine, _key("p384"))
    assert data[48:] == hashlib.sha384(by_sha384.encode()).digest()

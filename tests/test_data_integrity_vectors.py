"""The W3C vc-di-eddsa vectors and the OB 3.0 / CLR 2.0 known-answer vectors, byte for byte."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from standards import rdfc
from standards.data_integrity import sign_document, verify_document_proofs
from standards.data_integrity.jcs import canonical_json, plain_json_within_limits
from standards.document_loader import TEST_VECTOR_LOADER
from standards.jsonld import engine_for
from standards.keys import KeyPair, key_pair_from_multikey, load_key_file, public_key_from_multibase


def _read(path: Path) -> str:
    return path.read_text("utf-8")


def _json(path: Path) -> Any:
    return json.loads(_read(path))


def _did_key_resolver(vm: str, purpose: str) -> KeyPair:
    """did:key verification methods carry their key; enough for the vectors."""
    assert vm.startswith("did:key:")
    return public_key_from_multibase(vm.split("#", 1)[1])


SUITES = {
    # suite -> (vector folder, file suffix)
    "eddsa-rdfc-2022": ("eddsa-rdfc-2022", "DataInt"),
    "eddsa-jcs-2022": ("eddsa-jcs-2022", "JCS"),
    "Ed25519Signature2020": ("Ed25519Signature2020", "EdSig"),
}


@pytest.fixture(scope="module")
def eddsa(standards_dir: Path) -> Path:
    return standards_dir / "vectors" / "eddsa"


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_vector_intermediates_and_signature(eddsa: Path, suite: str) -> None:
    folder, sfx = SUITES[suite]
    base = eddsa / folder
    key = load_key_file(eddsa / "keyPair.json")
    unsigned = _json(eddsa / "unsigned.json")
    signed = _json(base / f"signed{sfx}.json")
    config = _json(base / f"proofConfig{sfx}.json")
    engine = engine_for(TEST_VECTOR_LOADER)

    if suite == "eddsa-jcs-2022":  # through the fast path (standards.data_integrity.jcs)
        assert plain_json_within_limits(unsigned) and plain_json_within_limits(config)
        canon_doc = canonical_json(unsigned).decode()
        canon_proof = canonical_json(config).decode()
    else:
        document = copy.deepcopy(unsigned)
        document["@context"] = config["@context"]  # Ed25519Signature2020 adds its suite context
        canon_doc = engine.canonicalize(document)
        canon_proof = engine.canonicalize(config)
    assert canon_doc == _read(base / f"canonDoc{sfx}.txt")
    assert canon_proof == _read(base / f"proofCanon{sfx}.txt")
    doc_hash = hashlib.sha256(canon_doc.encode()).hexdigest()
    proof_hash = hashlib.sha256(canon_proof.encode()).hexdigest()
    assert doc_hash == _read(base / f"docHash{sfx}.txt").strip()
    assert proof_hash == _read(base / f"proofHash{sfx}.txt").strip()
    assert proof_hash + doc_hash == _read(base / f"combinedHash{sfx}.txt").strip()
    signature = key.sign(bytes.fromhex(proof_hash + doc_hash))
    assert signature.hex() == _read(base / f"sigHex{sfx}.txt").strip()

    ours = sign_document(unsigned, key, suite=suite, created=signed["proof"]["created"],
                         verification_method=signed["proof"]["verificationMethod"],
                         loader=TEST_VECTOR_LOADER)
    assert ours == signed
    assert ours["proof"]["proofValue"] == _read(base / f"sigBTC58{sfx}.txt").strip()
    [result] = verify_document_proofs(signed, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert result.verified, result.error


def test_employment_vector_hashes_and_signature(eddsa: Path) -> None:
    """The 'employ' variant uses a context we do not bundle: check its canonical forms."""
    base = eddsa / "eddsa-rdfc-2022" / "employ"
    key = load_key_file(eddsa / "keyPair.json")
    canon_doc = _read(base / "canonDocDataInt.txt")
    canon_proof = _read(base / "proofCanonDataInt.txt")
    assert rdfc.canonicalize_nquads(canon_doc) == canon_doc
    doc_hash = hashlib.sha256(canon_doc.encode()).hexdigest()
    proof_hash = hashlib.sha256(canon_proof.encode()).hexdigest()
    assert proof_hash + doc_hash == _read(base / "combinedHashDataInt.txt").strip()
    assert key.sign(bytes.fromhex(proof_hash + doc_hash)).hex() == _read(
        base / "sigHexDataInt.txt").strip()


def _multi_keys(eddsa: Path) -> dict[str, KeyPair]:
    pairs = _json(eddsa / "proof-set-chain" / "multiKeyPairs.json")
    return {p["publicKeyMultibase"]: key_pair_from_multikey(p["publicKeyMultibase"],
                                                            p["privateKeyMultibase"])
            for p in pairs.values()}


def _sign_like(document: dict[str, Any], config: dict[str, Any],
               keys: dict[str, KeyPair]) -> dict[str, Any]:
    key = keys[config["verificationMethod"].split("#")[1]]
    return sign_document(document, key, suite=config["cryptosuite"], created=config["created"],
                         verification_method=config["verificationMethod"],
                         proof_id=config.get("id"), previous_proof=config.get("previousProof"),
                         loader=TEST_VECTOR_LOADER)


def test_proof_set_and_chain_reproduce(eddsa: Path) -> None:
    psc = eddsa / "proof-set-chain"
    keys = _multi_keys(eddsa)
    unsigned = _json(psc / "unsigned.json")
    set1 = _sign_like(unsigned, _json(psc / "proofSetConfig1.json"), keys)
    set1["proof"] = [set1["proof"]] if isinstance(set1["proof"], dict) else set1["proof"]
    expected1 = _json(psc / "signedProofSet1.json")
    expected1["proof"] = (expected1["proof"] if isinstance(expected1["proof"], list)
                          else [expected1["proof"]])
    assert set1 == expected1
    set2 = _sign_like(set1, _json(psc / "proofSetConfig2.json"), keys)
    assert set2 == _json(psc / "signedProofSet2.json")
    chain1 = _sign_like(set2, _json(psc / "proofChainConfig1.json"), keys)
    assert chain1 == _json(psc / "signedProofChain1.json")
    chain2 = _sign_like(chain1, _json(psc / "proofChainConfig2.json"), keys)
    assert chain2 == _json(psc / "signedProofChain2.json")


@pytest.mark.parametrize("name", ["signedProofSet2", "signedProofChain1", "signedProofChain2"])
def test_proof_sets_and_chains_verify(eddsa: Path, name: str) -> None:
    document = _json(eddsa / "proof-set-chain" / f"{name}.json")
    results = verify_document_proofs(document, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert results and all(r.verified for r in results), [r.error for r in results]


def test_chain_fails_when_a_previous_proof_is_changed(eddsa: Path) -> None:
    document = _json(eddsa / "proof-set-chain" / "signedProofChain2.json")
    document["proof"][2]["created"] = "2023-02-26T22:06:39Z"  # the proof the 4th one chains to
    results = verify_document_proofs(document, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert [r.verified for r in results] == [True, True, False, False]


def test_chain_naming_a_missing_proof_is_refused(eddsa: Path) -> None:
    document = _json(eddsa / "proof-set-chain" / "signedProofChain2.json")
    document["proof"][3]["previousProof"] = "urn:uuid:not-there"
    results = verify_document_proofs(document, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert not results[3].verified and "not in the document" in (results[3].error or "")


@pytest.mark.parametrize("kat", ["ob-eddsa-rdfc-2022-kat.json", "clr-eddsa-rdfc-2022-kat.json"])
def test_ob3_and_clr_known_answers(standards_dir: Path, kat: str) -> None:
    vector = _json(standards_dir / "vectors" / "ob3-kat" / kat)
    folder = "obv3p0" if kat.startswith("ob-") else "clrv2p0"
    canon_dir = standards_dir / "vectors" / "ob3-kat" / folder
    private = bytes.fromhex(vector["privateKeyHex"])[:32]
    from cryptography.hazmat.primitives.asymmetric import ed25519

    raw = ed25519.Ed25519PrivateKey.from_private_bytes(private)
    key = KeyPair("ed25519", raw.public_key(), raw)
    assert key.public_key_multibase() == vector["publicKeyMultibase"]
    signed = vector["signedCredential"]
    proof = signed["proof"] if isinstance(signed["proof"], dict) else signed["proof"][0]
    engine = engine_for()  # production loader: the OB/CLR contexts are bundled
    unsigned = vector["unsignedCredential"]
    assert engine.canonicalize(unsigned) == _read(canon_dir / "document-canon.txt")
    assert hashlib.sha256(engine.canonicalize(unsigned).encode()).hexdigest() == vector[
        "documentHashHex"]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = unsigned["@context"]
    assert engine.canonicalize(config) == _read(canon_dir / "proof-canon.txt")

    ours = sign_document(unsigned, key, created=proof["created"],
                         verification_method=proof["verificationMethod"])
    assert ours["proof"]["proofValue"] == vector["proofValue"] == proof["proofValue"]
    assert bytes.fromhex(vector["signatureHex"]) == key.sign(bytes.fromhex(
        vector["dataToSignHex"]))

    def fragment_key(vm: str, purpose: str) -> KeyPair:
        return public_key_from_multibase(vm.split("#", 1)[1])

    [result] = verify_document_proofs(signed, fragment_key)
    assert result.verified, result.error


def test_legacy_eddsa_2022_name_verifies_and_is_not_used_for_signing(eddsa: Path) -> None:
    """Credentials from the 2022 drafts name the RDFC algorithm `eddsa-2022`."""
    from standards.data_integrity.cryptosuites import EDDSA_2022_LEGACY
    from standards.errors import ProofError

    key = load_key_file(eddsa / "keyPair.json")
    unsigned = _json(eddsa / "unsigned.json")
    config = {**_json(eddsa / "eddsa-rdfc-2022" / "proofConfigDataInt.json"),
              "cryptosuite": "eddsa-2022"}
    data = EDDSA_2022_LEGACY.hash_data(unsigned, config, engine_for(TEST_VECTOR_LOADER), key)
    proof = {k: v for k, v in config.items() if k != "@context"}
    signed = {**unsigned, "proof": {**proof, "proofValue": EDDSA_2022_LEGACY.sign(data, key)}}
    [result] = verify_document_proofs(signed, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert result.verified, result.error
    signed["proof"]["cryptosuite"] = "eddsa-rdfc-2022"  # same bytes, other name: refused
    [renamed] = verify_document_proofs(signed, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert not renamed.verified
    with pytest.raises(ProofError, match="cannot sign"):
        sign_document(unsigned, key, suite="eddsa-2022", verification_method="did:x#1",
                      loader=TEST_VECTOR_LOADER)

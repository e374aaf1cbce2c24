"""The W3C vc-di-ecdsa ecdsa-sd-2023 vectors (both examples: permanent resident card "prc" and
employment authorisation "employ"), from the verifier's side: the derived proof value parses
to the published components, the disclosed statements are rebuilt byte for byte with the
issuer's blank node labels, the hashes are the published ones, and the base signature and
every statement signature verify. Source: tests/vectors/ecdsa-sd-2023/SOURCE.md.

The vectors' documents use a context OpenDossier does not bundle, so these tests start from
their N-Quads; the document itself must be refused for that context (the last tests).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from standards import rdfc
from standards.data_integrity import ECDSA_SD_2023, verify_document_proofs
from standards.data_integrity.ecdsa_sd import VerifyData
from standards.data_integrity.ecdsa_sd_proof_value import (
    DerivedProofValue,
    parse_derived_proof_value,
)
from standards.data_integrity.selective_disclosure import (
    hash_mandatory,
    label_map_function,
    split_mandatory,
)
from standards.document_loader import TEST_VECTOR_LOADER
from standards.errors import ProofError
from standards.jsonld import engine_for
from standards.keys import KeyPair, public_key_from_multibase
from standards.multibase_codec import encode_base58btc
from standards.nquads import parse_nquads

VECTORS = Path(__file__).parent / "vectors" / "ecdsa-sd-2023"
EXAMPLES = ["prc", "employ"]
ISSUER_KEY = json.loads((VECTORS / "SDKeyMaterial.json").read_text("utf-8"))["baseKeyPair"]


def _json(example: str, name: str) -> Any:
    return json.loads((VECTORS / example / name).read_text("utf-8"))


def _issuer_key() -> KeyPair:
    return public_key_from_multibase(ISSUER_KEY["publicKeyMultibase"])


def _did_key_resolver(vm: str, purpose: str) -> KeyPair:
    return public_key_from_multibase(vm.split("#", 1)[1])


def _parsed(example: str) -> DerivedProofValue:
    return parse_derived_proof_value(_json(example, "derivedRevealDocument.json")
                                     ["proof"]["proofValue"])


def _disclosed_dataset(example: str, value: DerivedProofValue) -> dict[str, Any]:
    """The disclosed document's RDF as a verifier gets it: the published statements with the
    issuer's labels replaced by arbitrary ones, which canonicalisation must map back."""
    arbitrary = {label: f"_:node{i}" for i, label in enumerate(
        sorted(value.label_map.values(), reverse=True))}
    text = "".join(_json(example, "verifyNQuads.json"))
    return parse_nquads(re.sub(r"_:(u[A-Za-z0-9_-]+)", lambda m: arbitrary[m.group(1)], text))


@pytest.mark.parametrize("example", EXAMPLES)
def test_derived_proof_value_parses_to_the_published_components(example: str) -> None:
    value = _parsed(example)
    expected = _json(example, "verifyDerivedProofValue.json")
    assert value.base_signature.hex() == expected["baseSignature"]
    assert encode_base58btc(value.public_key) == expected["publicKey"]
    assert [s.hex() for s in value.signatures] == expected["signatures"]
    assert value.label_map == dict(expected["labelMap"])
    assert value.mandatory_indexes == expected["mandatoryIndexes"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_statements_are_rebuilt_with_the_issuers_labels(example: str) -> None:
    value = _parsed(example)
    nquads = rdfc.canonicalize_dataset_relabelled(_disclosed_dataset(example, value),
                                                  label_map_function(value.label_map))
    assert nquads == _json(example, "verifyNQuads.json")
    mandatory, non_mandatory = split_mandatory(nquads, value.mandatory_indexes)
    expected = _json(example, "verifyCreateVerifyData.json")
    assert non_mandatory == expected["nonMandatory"]
    assert hash_mandatory(mandatory, hashlib.sha256).hex() == expected["mandatoryHash"]


@pytest.mark.parametrize("example", EXAMPLES)
def test_proof_options_hash(example: str) -> None:
    # The proof options use only Data Integrity terms, which the VC 2.0 context defines (and
    # protects), so their canonical form does not depend on the unbundled second context.
    canonical = (VECTORS / example / "addProofConfigCanon.txt").read_text("utf-8")
    proof = _json(example, "derivedRevealDocument.json")["proof"]
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    config["@context"] = "https://www.w3.org/ns/credentials/v2"
    assert engine_for().canonicalize(config) == canonical
    expected = _json(example, "verifyCreateVerifyData.json")["proofHash"]
    assert hashlib.sha256(canonical.encode()).hexdigest() == expected


def _verify_data(example: str) -> VerifyData:
    value = _parsed(example)
    nquads = rdfc.canonicalize_dataset_relabelled(_disclosed_dataset(example, value),
                                                  label_map_function(value.label_map))
    mandatory, non_mandatory = split_mandatory(nquads, value.mandatory_indexes)
    canonical = (VECTORS / example / "addProofConfigCanon.txt").read_text("utf-8")
    return VerifyData(hashlib.sha256(canonical.encode()).digest(),
                      hash_mandatory(mandatory, hashlib.sha256), non_mandatory, value)


@pytest.mark.parametrize("example", EXAMPLES)
def test_published_signatures_verify(example: str) -> None:
    ECDSA_SD_2023.verify(_verify_data(example), _issuer_key())


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_changed_disclosed_statement_is_refused(example: str) -> None:
    data = _verify_data(example)
    changed = [nq.replace('"2024-12-16T00:00:00Z"', '"2020-01-01T00:00:00Z"')
               .replace('"2019-12-03T00:00:00Z"', '"2020-01-01T00:00:00Z"')
               for nq in data.non_mandatory]
    assert changed != data.non_mandatory
    index = next(i for i, (a, b) in enumerate(zip(changed, data.non_mandatory, strict=True))
                 if a != b)
    with pytest.raises(ProofError, match=rf"signature of disclosed statement {index + 1} of "
                                         rf"{len(changed)} does not match it"):
        ECDSA_SD_2023.verify(VerifyData(data.proof_hash, data.mandatory_hash, changed,
                                        data.proof_value), _issuer_key())


@pytest.mark.parametrize("example", EXAMPLES)
def test_a_dropped_mandatory_statement_is_refused(example: str) -> None:
    value = _parsed(example)
    nquads = _json(example, "verifyNQuads.json")
    mandatory, non_mandatory = split_mandatory(nquads, value.mandatory_indexes)
    data = _verify_data(example)
    without_issuer = [nq for nq in mandatory if "credentials#issuer" not in nq]
    assert len(without_issuer) == len(mandatory) - 1
    with pytest.raises(ProofError, match="the base signature does not match"):
        ECDSA_SD_2023.verify(VerifyData(data.proof_hash,
                                        hash_mandatory(without_issuer, hashlib.sha256),
                                        non_mandatory, value), _issuer_key())


@pytest.mark.parametrize("example", EXAMPLES)
def test_another_issuer_key_is_refused(example: str) -> None:
    # The proof-scoped key is a P-256 key too, but not the one that made the base signature.
    other = public_key_from_multibase(
        json.loads((VECTORS / "SDKeyMaterial.json").read_text("utf-8"))
        ["proofKeyPair"]["publicKeyMultibase"])
    with pytest.raises(ProofError, match="the base signature does not match"):
        ECDSA_SD_2023.verify(_verify_data(example), other)


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_base_proof_is_refused_before_any_json_ld(example: str) -> None:
    base = _json(example, "addSignedSDBase.json")
    [result] = verify_document_proofs(base, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert not result.verified
    assert result.error == ("this ecdsa-sd-2023 proof is a base proof (header 0xd9 0x5d 0x00): "
                            "a base proof must be derived before it is verified")
    assert not result.document_error


@pytest.mark.parametrize("example", EXAMPLES)
def test_the_vector_document_is_refused_for_its_unbundled_context(example: str) -> None:
    derived = _json(example, "derivedRevealDocument.json")
    [result] = verify_document_proofs(derived, _did_key_resolver, loader=TEST_VECTOR_LOADER)
    assert not result.verified
    assert result.document_error
    assert "https://w3id.org/citizenship/v4rc1" in (result.error or "")
    assert "not a bundled JSON-LD context" in (result.error or "")

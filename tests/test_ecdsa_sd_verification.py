"""Verifying ecdsa-sd-2023 derived proofs end to end, on the OB 3.0 credential the 1EdTech
validator ships (tests/vectors/1edtech/ob30/sd/derivedcredential.json: every statement
selectively disclosed, none mandatory), and refusing what is wrong with the exact reason:
changed or dropped statements, a wrong base signature, base proofs, malformed proof values.
Mandatory statements are covered by tests/test_ecdsa_sd_vectors.py and the Digital Bazaar
interop test.
"""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import cbor2
import pytest

from standards.data_integrity import verify_document_proofs
from standards.data_integrity.ecdsa_sd_proof_value import (
    DERIVED_PROOF_HEADER,
    DerivedProofValue,
    parse_derived_proof_value,
)
from standards.fetcher import Fetcher
from standards.keys import KeyPair, generate_key, public_key_from_multibase
from standards.multibase_codec import decode_multibase, encode_base58btc, encode_base64url
from standards.verification import verify_credential

CREDENTIAL = (Path(__file__).parent / "vectors" / "1edtech" / "ob30"
              / "sd" / "derivedcredential.json")
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def _credential() -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(CREDENTIAL.read_text("utf-8"))
    return credential


def _fragment_key(vm: str, purpose: str) -> KeyPair:
    """The 1EdTech style: the key is the verification method's fragment."""
    return public_key_from_multibase(vm.split("#", 1)[1])


def _verify(document: dict[str, Any], resolver: Any = _fragment_key) -> str | None:
    """None when the one proof verifies, else its error."""
    [result] = verify_document_proofs(document, resolver)
    assert result.verified == (result.error is None)
    return result.error


def _encode(value: DerivedProofValue, header: bytes = DERIVED_PROOF_HEADER) -> str:
    labels = {int(k[4:]): decode_multibase(v) for k, v in value.label_map.items()}
    return encode_base64url(header + cbor2.dumps(
        [value.base_signature, value.public_key, value.signatures, labels,
         value.mandatory_indexes]))


def _with_proof_value(proof_value: str) -> dict[str, Any]:
    credential = _credential()
    credential["proof"][0]["proofValue"] = proof_value
    return credential


def _value() -> DerivedProofValue:
    return parse_derived_proof_value(_credential()["proof"][0]["proofValue"])


def _flipped(data: bytes) -> bytes:
    return bytes([data[0] ^ 1]) + data[1:]


def test_the_1edtech_derived_credential_verifies() -> None:
    assert _verify(_credential()) is None
    # Re-encoding the parsed value gives the same proofValue: the tests below change one
    # component at a time and nothing else.
    assert _encode(_value()) == _credential()["proof"][0]["proofValue"]


def test_the_1edtech_derived_credential_is_valid_as_a_credential() -> None:
    result = verify_credential(_credential(), now=NOW, fetcher=Fetcher.offline({}))
    assert result.verified, result.errors
    assert ("proof", True, "ecdsa-sd-2023 proof by https://1edtech.edu/issuers/565049"
            "#zDnaekGZTbQBerwcehBSXLqAg6s55hVEBms1zFy89VHXtJSa9 is valid") in [
        (c.check, c.ok, c.message) for c in result.checks]


def test_a_changed_disclosed_value_is_refused() -> None:
    credential = _credential()
    credential["credentialSubject"]["achievement"]["name"] = "Something else"
    assert _verify(credential) == (
        "the signature of disclosed statement 14 of 15 does not match it (changed after "
        "issuing?): <https://example.com/achievements/21st-century-skills/teamwork> "
        '<https://schema.org/name> "Something else" .')


def test_a_dropped_disclosed_statement_is_refused() -> None:
    credential = _credential()
    del credential["credentialSubject"]["achievement"]["description"]
    assert _verify(credential) == (
        "the derived proof has 15 signature(s) for 14 selectively disclosed statement(s): "
        "statements were added to or removed from the disclosed document")


def test_an_added_blank_node_without_a_label_is_refused() -> None:
    credential = _credential()
    credential["credentialSubject"]["achievement"]["image"] = {
        "type": "Image", "caption": "added by someone"}
    assert _verify(credential) == (
        "the derived proof's label map has no label for the disclosed document's blank "
        "node(s) _:c14n1: the document has blank nodes the holder did not disclose (changed "
        "after derivation?)")


def test_a_wrong_base_signature_is_refused() -> None:
    value = _value()
    wrong = replace(value, base_signature=_flipped(value.base_signature))
    assert _verify(_with_proof_value(_encode(wrong))) == (
        "the base signature does not match: the mandatory statements or the proof options "
        "differ from what the issuer signed, or another key signed")


def test_changed_proof_options_are_refused() -> None:
    credential = _credential()
    credential["proof"][0]["created"] = "2011-01-01T19:23:24Z"
    assert (_verify(credential) or "").startswith("the base signature does not match")


def test_another_issuer_key_is_refused() -> None:
    other = generate_key("p256")
    assert (_verify(_credential(), lambda vm, purpose: other) or "").startswith(
        "the base signature does not match")


def test_a_p384_key_is_refused() -> None:
    p384 = generate_key("p384")
    assert _verify(_credential(), lambda vm, purpose: p384) == (
        "ecdsa-sd-2023 proofs are made with P-256 keys (vc-di-ecdsa 3.5.8), not p384")


def test_a_base_proof_is_refused() -> None:
    value = _value()
    assert _verify(_with_proof_value(_encode(value, header=b"\xd9\x5d\x00"))) == (
        "this ecdsa-sd-2023 proof is a base proof (header 0xd9 0x5d 0x00): a base proof must "
        "be derived before it is verified")


@pytest.mark.parametrize(("header", "start"), [(b"\xd9\x5d\x02", "d95d02"),
                                               (b"\xd9\x5e\x01", "d95e01"),
                                               (b"", "855840")])
def test_a_wrong_header_is_refused(header: bytes, start: str) -> None:
    assert _verify(_with_proof_value(_encode(_value(), header=header))) == (
        "the ecdsa-sd-2023 proofValue does not start with the derived proof header "
        f"0xd9 0x5d 0x01 (it starts with 0x{start})")


def test_a_proof_value_that_is_not_base64url_multibase_is_refused() -> None:
    base58 = encode_base58btc(decode_multibase(_credential()["proof"][0]["proofValue"]))
    assert _verify(_with_proof_value(base58)) == (
        "an ecdsa-sd-2023 proofValue must be base64url multibase (starting with 'u')")


@pytest.mark.parametrize(("cbor", "error"), [
    (b"\x85\x58\x40", "the ecdsa-sd-2023 derived proofValue is not valid CBOR: "),
    (b"\xff\x00", "the ecdsa-sd-2023 derived proofValue is not valid CBOR: "),
    (b"\x81" * 1000 + b"\x00", "the ecdsa-sd-2023 derived proofValue is not valid CBOR: "),
    (b"\x80\x00", "the ecdsa-sd-2023 derived proofValue has bytes after its CBOR array"),
    (cbor2.dumps({"a": 1}), "the ecdsa-sd-2023 derived proofValue must be a CBOR array of "
                            "five components"),
    (cbor2.dumps([b"x"] * 4), "the ecdsa-sd-2023 derived proofValue must be a CBOR array of "
                              "five components"),
])
def test_malformed_cbor_is_refused(cbor: bytes, error: str) -> None:
    message = _verify(_with_proof_value(encode_base64url(DERIVED_PROOF_HEADER + cbor)))
    assert (message or "").startswith(error), message


def _components(**changes: Any) -> list[Any]:
    value = _value()
    labels = {int(k[4:]): decode_multibase(v) for k, v in value.label_map.items()}
    parts: dict[str, Any] = {"base": value.base_signature, "key": value.public_key,
                             "signatures": value.signatures, "labels": labels,
                             "indexes": value.mandatory_indexes}
    parts.update(changes)
    return list(parts.values())


@pytest.mark.parametrize(("changes", "error"), [
    ({"base": b"\x01" * 63}, "the derived proof's baseSignature must be a byte string of 64 "
                             "bytes, got 63 bytes"),
    ({"base": "text"}, "the derived proof's baseSignature must be a byte string of 64 bytes, "
                       "got str"),
    ({"base": cbor2.CBORTag(2, b"\x01" * 64)}, "the derived proof's baseSignature must be a "
                                                "byte string of 64 bytes, got int"),
    ({"key": b"\x80\x24" + b"\x02" * 34}, "the derived proof's publicKey must be a byte string "
                                          "of 35 bytes, got 36 bytes"),
    ({"key": b"\x81\x24" + b"\x02" * 33}, "the derived proof's publicKey is not a P-256 "
                                          "Multikey (header 0x80 0x24)"),
    # The base signature covers the proof-scoped key: a changed key fails there first.
    ({"key": b"\x80\x24\x05" + b"\x02" * 32}, "the base signature does not match"),
    ({"signatures": {}}, "the derived proof's signatures must be an array of byte strings"),
    ({"signatures": [b"\x00" * 64, b"\x00" * 65]}, "the derived proof's signature 1 must be a "
                                                   "byte string of 64 bytes, got 65 bytes"),
    ({"labels": [b"\x00" * 32]}, "the derived proof's labelMap must be a map of integers to "
                                 "byte strings"),
    ({"labels": {-1: b"\x00" * 32}}, "the derived proof's labelMap has a key -1"),
    ({"labels": {"c14n0": b"\x00" * 32}}, "the derived proof's labelMap has a key 'c14n0'"),
    ({"labels": {0: b"\x00" * 31}}, "the derived proof's label for c14n0 must be a byte string "
                                    "of 32 bytes, got 31 bytes"),
    ({"labels": {}}, "the derived proof's label map has no label for the disclosed document's "
                     "blank node(s) _:c14n0"),
    ({"indexes": ["0"]}, "the derived proof's mandatoryIndexes must be an array of integers"),
    ({"indexes": [True]}, "the derived proof's mandatoryIndexes must be an array of integers"),
    ({"indexes": [0]}, "the derived proof has 15 signature(s) for 14 selectively disclosed"),
])
def test_malformed_components_are_refused(changes: dict[str, Any], error: str) -> None:
    proof_value = encode_base64url(DERIVED_PROOF_HEADER + cbor2.dumps(_components(**changes)))
    message = _verify(_with_proof_value(proof_value))
    assert (message or "").startswith(error), message


def test_a_mandatory_index_past_the_end_selects_nothing() -> None:
    # As the Recommendation's createVerifyData says (and Digital Bazaar does): the index only
    # selects; what the issuer signed is decided by the signatures, which still match.
    proof_value = encode_base64url(DERIVED_PROOF_HEADER + cbor2.dumps(_components(indexes=[99])))
    assert _verify(_with_proof_value(proof_value)) is None


def test_refusals_reach_the_credential_verdict_without_an_exception() -> None:
    value = _value()
    for document in (_with_proof_value("u2V0"), _with_proof_value(_encode(value, b"\xd9\x5d\x00")),
                     _with_proof_value("z" + "1" * 10)):
        result = verify_credential(document, now=NOW, fetcher=Fetcher.offline({}))
        assert not result.verified
        assert any(e.startswith("proof: ecdsa-sd-2023 proof 1 is not valid: ")
                   for e in result.errors), result.errors


def test_an_undefined_term_is_refused_as_unsafe_json_ld() -> None:
    credential = copy.deepcopy(_credential())
    credential["credentialSubject"]["favouriteColour"] = "green"
    [result] = verify_document_proofs(credential, _fragment_key)
    assert not result.verified
    assert result.document_error
    assert "favouriteColour" in (result.error or "")

"""Interop for ecdsa-sd-2023 with Digital Bazaar's implementation
(@digitalbazaar/ecdsa-sd-2023-cryptosuite in interop/js, sd-derive.mjs): their issuer makes a
base proof over an OB 3.0 credential, their holder derives a disclosure of some fields, and
OpenDossier verifies the derived credential; changed or dropped statements fail on both sides.
OpenDossier neither issues base proofs nor derives, so interop runs one way.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from standards.data_integrity import verify_document_proofs
from standards.dids import did_key_from_key_pair
from standards.keys import KeyPair, generate_key, public_key_from_multibase
from standards.verification import verify_credential
from tests.js_harness import require_harness, run_node
from tests.ob3_sample import realistic_ob3_credential

pytestmark = pytest.mark.interop

NOW = datetime(2026, 1, 1, tzinfo=UTC)
NOW_ISO = "2026-01-01T00:00:00Z"
CREATED = "2024-06-14T09:30:00Z"
# What the issuer makes mandatory: who issued it, for whom, when it is valid, what it is.
MANDATORY = ["/issuer", "/validFrom", "/validUntil", "/name", "/credentialSubject/id"]
# What the holder chooses to show: the achievement (the OB 3.0 schema needs its name,
# description and criteria) and one of its two alignments (blank nodes: their labels travel
# in the label map).
SELECTIVE = ["/credentialSubject/achievement/name",
             "/credentialSubject/achievement/description",
             "/credentialSubject/achievement/criteria",
             "/credentialSubject/achievement/alignment/1"]


@pytest.fixture(scope="module", autouse=True)
def js_harness() -> None:
    require_harness()


def _did_key_resolver(vm: str, purpose: str) -> KeyPair:
    return public_key_from_multibase(vm.split("#", 1)[1])


@pytest.fixture(scope="module")
def issued() -> dict[str, Any]:
    """Digital Bazaar's base credential and derived disclosure, made once for the module."""
    key = generate_key("p256")
    subject = did_key_from_key_pair(generate_key("ed25519"))
    credential = realistic_ob3_credential(subject, 1, issuer_id=did_key_from_key_pair(key))
    # Digital Bazaar's skolemisation cannot select from a document with a JSON-LD list
    # (OB 3.0 defines allowedValue as one): without the result description it has none.
    del credential["credentialSubject"]["achievement"]["resultDescription"]
    return run_node("sd-derive.mjs", {
        "credential": credential, "created": CREATED,
        "keyPair": {"publicKeyMultibase": key.public_key_multibase(),
                    "secretKeyMultibase": key.secret_key_multibase()},
        "mandatoryPointers": MANDATORY, "selectivePointers": SELECTIVE,
    })


def _js_verify(credential: dict[str, Any]) -> bool:
    verified: bool = run_node("verify.mjs", {"credential": credential, "now": NOW_ISO})["verified"]
    return verified


def test_the_derived_credential_discloses_what_was_chosen(issued: dict[str, Any]) -> None:
    derived = issued["derived"]
    achievement = derived["credentialSubject"]["achievement"]
    assert set(achievement) == {"id", "type", "name", "description", "criteria", "alignment"}
    assert [a["targetName"] for a in achievement["alignment"]] == ["Research data management"]
    assert "awardedDate" not in derived
    assert derived["proof"]["cryptosuite"] == "ecdsa-sd-2023"
    assert derived["proof"]["proofValue"].startswith("u2V0B")  # header 0xd9 0x5d 0x01
    assert _js_verify(derived)  # the harness itself accepts what it made


def test_opendossier_verifies_the_derived_credential(issued: dict[str, Any]) -> None:
    [proof] = verify_document_proofs(issued["derived"], _did_key_resolver)
    assert proof.verified, proof.error
    result = verify_credential(issued["derived"], now=NOW)
    assert result.verified, result.errors
    assert result.errors == []


def test_opendossier_refuses_the_base_proof(issued: dict[str, Any]) -> None:
    [proof] = verify_document_proofs(issued["base"], _did_key_resolver)
    assert proof.error == ("this ecdsa-sd-2023 proof is a base proof (header 0xd9 0x5d 0x00): "
                           "a base proof must be derived before it is verified")


def test_a_changed_disclosed_value_fails_on_both_sides(issued: dict[str, Any]) -> None:
    tampered = copy.deepcopy(issued["derived"])
    tampered["credentialSubject"]["achievement"]["name"] = "Data Steward, level 3"
    [proof] = verify_document_proofs(tampered, _did_key_resolver)
    assert (proof.error or "").startswith("the signature of disclosed statement ")
    assert '"Data Steward, level 3"' in (proof.error or "")
    assert not _js_verify(tampered)


def test_a_changed_mandatory_value_fails_on_both_sides(issued: dict[str, Any]) -> None:
    tampered = copy.deepcopy(issued["derived"])
    tampered["validUntil"] = "2199-06-14T09:30:00Z"
    [proof] = verify_document_proofs(tampered, _did_key_resolver)
    assert (proof.error or "").startswith("the base signature does not match")
    assert not _js_verify(tampered)


def test_a_dropped_mandatory_statement_fails_on_both_sides(issued: dict[str, Any]) -> None:
    tampered = copy.deepcopy(issued["derived"])
    del tampered["validUntil"]
    [proof] = verify_document_proofs(tampered, _did_key_resolver)
    # The mandatory statements are found by their place among all: with one gone, the split
    # no longer matches the signatures.
    assert (proof.error or "").startswith("the derived proof has ")
    assert not _js_verify(tampered)


def test_a_dropped_alignment_fails_on_both_sides(issued: dict[str, Any]) -> None:
    tampered = copy.deepcopy(issued["derived"])
    del tampered["credentialSubject"]["achievement"]["alignment"]
    [proof] = verify_document_proofs(tampered, _did_key_resolver)
    assert (proof.error or "").startswith("the derived proof has ")
    assert not _js_verify(tampered)

"""ecdsa-sd-2023 (W3C vc-di-ecdsa 3.6), verification of derived proofs only.

An issuer signs a base proof: one P-256 signature (the base signature) over the hash of the
proof options, a proof-scoped public key and the hash of the mandatory statements; and, with
the proof-scoped key, one signature per other statement. The holder derives a proof that
discloses the mandatory statements and a chosen few others, carrying only their signatures.
The verifier (3.6.7 verifyDerivedProof) rebuilds the statements from the disclosed document,
checks the base signature with the issuer's key and each disclosed statement's signature with
the proof-scoped key.

Issuing base proofs and deriving are not implemented. The Recommendation fixes the sizes of a
derived proof to P-256 (3.5.8), so P-384 keys are refused.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from standards.data_integrity.ecdsa_sd_proof_value import (
    DerivedProofValue,
    parse_derived_proof_value,
)
from standards.data_integrity.selective_disclosure import (
    hash_mandatory,
    label_replacement_canonicalize,
    split_mandatory,
)
from standards.errors import InvalidKeyError, ProofError
from standards.jsonld import JsonLdEngine
from standards.keys import KeyPair, public_key_from_multicodec

ECDSA_SD_2023_NAME = "ecdsa-sd-2023"


@dataclass(frozen=True)
class VerifyData:
    """3.5.9 createVerifyData's result."""

    proof_hash: bytes
    mandatory_hash: bytes
    non_mandatory: list[str]
    proof_value: DerivedProofValue

    def base_signed_data(self) -> bytes:
        """3.5.1 serializeSignData: what the issuer's key signed."""
        return self.proof_hash + self.proof_value.public_key + self.mandatory_hash


@dataclass(frozen=True)
class EcdsaSdSuite:
    """A cryptosuite whose proofs are verified as a whole (`verify_proof`), not as a hash and
    a signature: the proof value itself says how to rebuild what was signed."""

    name: str = ECDSA_SD_2023_NAME
    proof_type: str = "DataIntegrityProof"
    required_context: str | None = None
    expands_document: bool = True

    def create_verify_data(self, document: dict[str, Any], proof: dict[str, Any],
                           engine: JsonLdEngine, key: KeyPair) -> VerifyData:
        """3.5.9 createVerifyData for `document` (without its proof). The proof value is
        parsed first, so a malformed one is refused before any JSON-LD work."""
        _require_p256(key)
        proof_value = parse_derived_proof_value(proof.get("proofValue"))
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        # The proof options are interpreted in the document's context (3.6.4).
        config["@context"] = document.get("@context")
        proof_hash = hashlib.sha256(engine.canonicalize(config).encode()).digest()
        nquads = label_replacement_canonicalize(document, engine, proof_value.label_map)
        mandatory, non_mandatory = split_mandatory(nquads, proof_value.mandatory_indexes)
        return VerifyData(proof_hash, hash_mandatory(mandatory, hashlib.sha256), non_mandatory,
                          proof_value)

    def verify(self, data: VerifyData, key: KeyPair) -> None:
        """3.6.7 verifyDerivedProof after createVerifyData; a ProofError says what fails."""
        _require_p256(key)
        value = data.proof_value
        if len(value.signatures) != len(data.non_mandatory):
            raise ProofError(
                f"the derived proof has {len(value.signatures)} signature(s) for "
                f"{len(data.non_mandatory)} selectively disclosed statement(s): statements "
                "were added to or removed from the disclosed document"
            )
        if not key.verify(data.base_signed_data(), value.base_signature):
            raise ProofError(
                "the base signature does not match: the mandatory statements or the proof "
                "options differ from what the issuer signed, or another key signed"
            )
        try:
            proof_key = public_key_from_multicodec(value.public_key)
        except InvalidKeyError as exc:
            raise ProofError(f"the derived proof's publicKey: {exc}") from exc
        for index, (nquad, signature) in enumerate(
                zip(data.non_mandatory, value.signatures, strict=True)):
            if not proof_key.verify(nquad.encode("utf-8"), signature):
                raise ProofError(
                    f"the signature of disclosed statement {index + 1} of "
                    f"{len(data.non_mandatory)} does not match it (changed after issuing?): "
                    f"{_shortened(nquad)}"
                )


def _require_p256(key: KeyPair) -> None:
    if key.key_type != "p256":
        raise InvalidKeyError(
            f"ecdsa-sd-2023 proofs are made with P-256 keys (vc-di-ecdsa 3.5.8), not "
            f"{key.key_type}"
        )


def _shortened(nquad: str, limit: int = 200) -> str:
    line = nquad.rstrip("\n")
    return line if len(line) <= limit else line[: limit - 1] + "…"


ECDSA_SD_2023 = EcdsaSdSuite()

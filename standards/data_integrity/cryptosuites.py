"""Data Integrity cryptosuites: each a small object that turns a document and a proof
configuration into the bytes to sign, and signs or verifies them (as in Digital Bazaar's
`data-integrity`). Proof sets, chains and purposes are handled in `proofs.py`.

eddsa-rdfc-2022 and eddsa-jcs-2022 (W3C vc-di-eddsa), the legacy name `eddsa-2022` (same
algorithm as eddsa-rdfc-2022, from the 2022 drafts), Ed25519Signature2020 (verify and sign), and
ecdsa-rdfc-2019 and ecdsa-jcs-2019 (W3C vc-di-ecdsa) with P-256 or P-384 keys. ecdsa-sd-2023
derived proofs are verified too (`ecdsa_sd.py`: a suite of another shape).

The hash of each step depends on the key for ECDSA (SHA-256 for P-256, SHA-384 for P-384), so
`hash_data` is given the key that signs or verifies.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from standards.data_integrity.ecdsa_sd import ECDSA_SD_2023, EcdsaSdSuite
from standards.data_integrity.jcs import canonical_json, plain_json_within_limits
from standards.errors import InvalidKeyError, ProofError
from standards.jsonld import JsonLdEngine
from standards.keys import EC_CURVES, KeyPair
from standards.multibase_codec import MultibaseError, decode_multibase, encode_base58btc


class Cryptosuite(Protocol):
    # Read-only properties, so that frozen dataclasses fit the protocol.
    @property
    def name(self) -> str: ...  # the `cryptosuite` value, or the proof type for pre-DI suites

    @property
    def proof_type(self) -> str: ...

    @property
    def required_context(self) -> str | None: ...

    # True when hash_data expands the document (in safe mode) on its own; otherwise the
    # signer must run the JSON-LD safety check, and verifiers check it once per document.
    @property
    def expands_document(self) -> bool: ...

    def hash_data(self, document: dict[str, Any], proof_config: dict[str, Any],
                  engine: JsonLdEngine, key: KeyPair) -> bytes: ...

    def sign(self, data: bytes, key: KeyPair) -> str: ...

    def verify(self, data: bytes, proof_value: str, key: KeyPair) -> bool: ...


def _require_ed25519(key: KeyPair) -> None:
    if key.key_type != "ed25519":
        raise InvalidKeyError(f"this cryptosuite needs an Ed25519 key, not {key.key_type}")


_DIGESTS: dict[str, Callable[[bytes], Any]] = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}


def _decode_proof_value(proof_value: Any) -> bytes:
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        raise ProofError("proofValue must be a base58btc multibase string (starting with 'z')")
    try:
        return decode_multibase(proof_value)
    except MultibaseError as exc:
        raise ProofError("proofValue is not valid base58btc") from exc


class _Ed25519Signer:
    """Signature step shared by the EdDSA suites: raw Ed25519, base58btc multibase value."""

    def sign(self, data: bytes, key: KeyPair) -> str:
        _require_ed25519(key)
        return encode_base58btc(key.sign(data))

    def verify(self, data: bytes, proof_value: str, key: KeyPair) -> bool:
        _require_ed25519(key)
        signature = _decode_proof_value(proof_value)
        if len(signature) != 64:
            raise ProofError(f"an Ed25519 signature has 64 bytes, proofValue has {len(signature)}")
        return key.verify(data, signature)


@dataclass(frozen=True)
class RdfcEd25519Suite(_Ed25519Signer):
    """RDFC-1.0 canonical N-Quads, SHA-256 of proof configuration then of document."""

    name: str
    proof_type: str
    # A context the signed document must include so the proof's terms are defined.
    required_context: str | None = None
    expands_document: bool = True

    def hash_data(self, document: dict[str, Any], proof_config: dict[str, Any],
                  engine: JsonLdEngine, key: KeyPair) -> bytes:
        return _rdfc_hash_data(document, proof_config, engine, "sha256")


def _rdfc_hash_data(document: dict[str, Any], proof_config: dict[str, Any],
                    engine: JsonLdEngine, hash_name: str) -> bytes:
    """RDFC-1.0 canonical N-Quads of proof configuration and document, hashed, concatenated.
    The one hash serves both RDFC-1.0 itself and the digests (vc-di-ecdsa 3.2.3: "a hash
    algorithm that has an appropriate security level for the curve used")."""
    digest = _DIGESTS[hash_name]
    config = dict(proof_config)
    # The proof configuration is interpreted in the document's context (vc-di-eddsa 3.2.5).
    config["@context"] = document.get("@context")
    proof_hash = digest(engine.canonicalize(config, hash_algorithm=hash_name).encode()).digest()
    doc_hash = digest(engine.canonicalize(document, hash_algorithm=hash_name).encode()).digest()
    return bytes(proof_hash + doc_hash)


@dataclass(frozen=True)
class JcsEd25519Suite(_Ed25519Signer):
    """RFC 8785 JSON canonicalisation, SHA-256 of proof configuration then of document.

    The signature covers the JSON bytes, so no JSON-LD processing happens here; signing
    and `standards.verification` run the JSON-LD safety check on the document instead.
    """

    name: str = "eddsa-jcs-2022"
    proof_type: str = "DataIntegrityProof"
    required_context: str | None = None
    expands_document: bool = False

    def hash_data(self, document: dict[str, Any], proof_config: dict[str, Any],
                  engine: JsonLdEngine, key: KeyPair) -> bytes:
        return _jcs_hash_data(document, proof_config, hashlib.sha256)


def _jcs_hash_data(document: dict[str, Any], proof_config: dict[str, Any],
                   digest: Callable[[bytes], Any]) -> bytes:
    """RFC 8785 JSON of proof configuration and document, hashed, concatenated. The document
    is walked once: for its limits and for whether the fast path writes it (jcs.py)."""
    plain = plain_json_within_limits(document)
    proof_hash = digest(canonical_json(proof_config)).digest()
    doc_hash = digest(canonical_json(document, plain=plain)).digest()
    return bytes(proof_hash + doc_hash)


# --- ECDSA (W3C vc-di-ecdsa) ---------------------------------------------------------------
_ECDSA_HASHES = {"p256": "sha256", "p384": "sha384"}


def _ecdsa_hash(key: KeyPair) -> str:
    """The hash of the key's security level: SHA-256 for P-256, SHA-384 for P-384."""
    name = _ECDSA_HASHES.get(key.key_type)
    if name is None:
        raise InvalidKeyError(f"this cryptosuite needs a P-256 or P-384 key, not {key.key_type}")
    return name


class _EcdsaSigner:
    """Signature step of the ECDSA suites: IEEE P1363 r||s with the curve's hash, base58btc."""

    def sign(self, data: bytes, key: KeyPair) -> str:
        _ecdsa_hash(key)
        return encode_base58btc(key.sign(data))

    def verify(self, data: bytes, proof_value: str, key: KeyPair) -> bool:
        _ecdsa_hash(key)
        signature = _decode_proof_value(proof_value)
        curve = EC_CURVES[key.key_type]
        if len(signature) != 2 * curve.size:
            raise ProofError(f"a {curve.jwk_crv} signature has {2 * curve.size} bytes, "
                             f"proofValue has {len(signature)}")
        return key.verify(data, signature)


@dataclass(frozen=True)
class RdfcEcdsaSuite(_EcdsaSigner):
    """ecdsa-rdfc-2019: RDFC-1.0 canonical N-Quads, hashed with the curve's hash."""

    name: str = "ecdsa-rdfc-2019"
    proof_type: str = "DataIntegrityProof"
    required_context: str | None = None
    expands_document: bool = True

    def hash_data(self, document: dict[str, Any], proof_config: dict[str, Any],
                  engine: JsonLdEngine, key: KeyPair) -> bytes:
        return _rdfc_hash_data(document, proof_config, engine, _ecdsa_hash(key))


@dataclass(frozen=True)
class JcsEcdsaSuite(_EcdsaSigner):
    """ecdsa-jcs-2019: RFC 8785 JSON, hashed with the curve's hash (see JcsEd25519Suite)."""

    name: str = "ecdsa-jcs-2019"
    proof_type: str = "DataIntegrityProof"
    required_context: str | None = None
    expands_document: bool = False

    def hash_data(self, document: dict[str, Any], proof_config: dict[str, Any],
                  engine: JsonLdEngine, key: KeyPair) -> bytes:
        return _jcs_hash_data(document, proof_config, _DIGESTS[_ecdsa_hash(key)])


EDDSA_RDFC_2022 = RdfcEd25519Suite("eddsa-rdfc-2022", "DataIntegrityProof")
EDDSA_2022_LEGACY = RdfcEd25519Suite("eddsa-2022", "DataIntegrityProof")
EDDSA_JCS_2022 = JcsEd25519Suite()
ED25519_SIGNATURE_2020 = RdfcEd25519Suite(
    "Ed25519Signature2020", "Ed25519Signature2020",
    required_context="https://w3id.org/security/suites/ed25519-2020/v1",
)
ECDSA_RDFC_2019 = RdfcEcdsaSuite()
ECDSA_JCS_2019 = JcsEcdsaSuite()

# Suites we create proofs with. eddsa-2022 is a legacy name: verify only.
SIGNING_SUITES: dict[str, Cryptosuite] = {
    s.name: s for s in (EDDSA_RDFC_2022, EDDSA_JCS_2022, ED25519_SIGNATURE_2020,
                        ECDSA_RDFC_2019, ECDSA_JCS_2019)
}
# The JCS suites: the proof configuration carries the document's @context (vc-di-eddsa 3.3.5,
# vc-di-ecdsa 3.3.5), and a verifier checks it against the document's.
JCS_SUITES = frozenset({EDDSA_JCS_2022.name, ECDSA_JCS_2019.name})
# The suite each key type signs with when the caller does not choose (holders, the CLI).
DEFAULT_SUITE_FOR_KEY = {"ed25519": EDDSA_RDFC_2022.name, "p256": ECDSA_RDFC_2019.name,
                         "p384": ECDSA_RDFC_2019.name}


def default_suite_for(key: KeyPair) -> str:
    """The Data Integrity suite a key signs with by default (Ed25519: eddsa, P-256/384: ecdsa)."""
    suite = DEFAULT_SUITE_FOR_KEY.get(key.key_type)
    if suite is None:
        raise InvalidKeyError(f"a {key.key_type} key has no Data Integrity cryptosuite here")
    return suite
VERIFYING_SUITES: dict[str, Cryptosuite] = {**SIGNING_SUITES, "eddsa-2022": EDDSA_2022_LEGACY}


def suite_for_proof(proof: dict[str, Any]) -> Cryptosuite | EcdsaSdSuite:
    """The cryptosuite a received proof names, or a ProofError saying which is unsupported."""
    proof_type = proof.get("type")
    if proof_type == "DataIntegrityProof":
        name = proof.get("cryptosuite")
        if name == ECDSA_SD_2023.name:
            return ECDSA_SD_2023
        suite = VERIFYING_SUITES.get(name) if isinstance(name, str) else None
        if suite is None or suite.proof_type != "DataIntegrityProof":
            raise ProofError(f"unsupported cryptosuite {name!r}")
        return suite
    if proof_type == "Ed25519Signature2020":
        return ED25519_SIGNATURE_2020
    raise ProofError(f"unsupported proof type {proof_type!r}")

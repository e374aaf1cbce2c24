"""The proofValue of an ecdsa-sd-2023 derived proof (W3C vc-di-ecdsa 3.5.8
parseDerivedProofValue): multibase base64url of a three-byte header and a CBOR array.

    0xd9 0x5d 0x01  [baseSignature, publicKey, signatures, compressedLabelMap, mandatoryIndexes]

The Recommendation fixes the sizes: a 64-byte P-256 base signature, the proof-scoped P-256
Multikey public key, 64-byte signatures, a map from the integer n of each label c14n<n> to a
32-byte HMAC-SHA-256 digest, and integer indexes. 3.5.8 says the public key has 36 bytes, but
a P-256 Multikey has 35 (the 0x80 0x24 header and a 33-byte compressed point, as 3.6.5 says),
and so have the Recommendation's own test vectors and Digital Bazaar's implementation: 35.
A base proof (header 0xd9 0x5d 0x00) is the issuer's message to the holder, never meant for
a verifier.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import cbor2

from standards.errors import ProofError
from standards.keys import P256_PUB
from standards.multibase_codec import MultibaseError, decode_multibase, encode_base64url

BASE_PROOF_HEADER = b"\xd9\x5d\x00"
DERIVED_PROOF_HEADER = b"\xd9\x5d\x01"
SIGNATURE_SIZE = 64
PUBLIC_KEY_SIZE = 35  # P-256 Multikey: the 0x80 0x24 header and a compressed point
HMAC_LABEL_SIZE = 32


@dataclass(frozen=True)
class DerivedProofValue:
    base_signature: bytes
    public_key: bytes  # Multikey bytes of the proof-scoped P-256 key
    signatures: list[bytes]
    label_map: dict[str, str]  # verifier's canonical label (c14n<n>) -> issuer's label (u...)
    mandatory_indexes: list[int]


def parse_derived_proof_value(proof_value: Any) -> DerivedProofValue:
    """The five components of a derived proof, or a ProofError naming what is wrong."""
    if not isinstance(proof_value, str) or not proof_value.startswith("u"):
        raise ProofError("an ecdsa-sd-2023 proofValue must be base64url multibase "
                         "(starting with 'u')")
    try:
        decoded = decode_multibase(proof_value)
    except MultibaseError as exc:
        raise ProofError("the ecdsa-sd-2023 proofValue is not valid base64url") from exc
    if decoded.startswith(BASE_PROOF_HEADER):
        raise ProofError("this ecdsa-sd-2023 proof is a base proof (header 0xd9 0x5d 0x00): "
                         "a base proof must be derived before it is verified")
    if not decoded.startswith(DERIVED_PROOF_HEADER):
        raise ProofError("the ecdsa-sd-2023 proofValue does not start with the derived proof "
                         f"header 0xd9 0x5d 0x01 (it starts with 0x{decoded[:3].hex()})")
    components = _decode_cbor(decoded[len(DERIVED_PROOF_HEADER):])
    if not isinstance(components, list) or len(components) != 5:
        raise ProofError("the ecdsa-sd-2023 derived proofValue must be a CBOR array of five "
                         "components (baseSignature, publicKey, signatures, labelMap, "
                         "mandatoryIndexes)")
    base_signature, public_key, signatures, compressed_labels, mandatory_indexes = components
    _check_bytes(base_signature, SIGNATURE_SIZE, "baseSignature")
    _check_bytes(public_key, PUBLIC_KEY_SIZE, "publicKey")
    if not public_key.startswith(P256_PUB):
        raise ProofError("the derived proof's publicKey is not a P-256 Multikey (header "
                         "0x80 0x24)")
    if not isinstance(signatures, list):
        raise ProofError("the derived proof's signatures must be an array of byte strings")
    for index, signature in enumerate(signatures):
        _check_bytes(signature, SIGNATURE_SIZE, f"signature {index}")
    return DerivedProofValue(base_signature, public_key, signatures,
                             _decompress_label_map(compressed_labels),
                             _checked_indexes(mandatory_indexes))


def _decode_cbor(data: bytes) -> Any:
    stream = io.BytesIO(data)
    try:
        value = cbor2.CBORDecoder(stream).decode()
    except (cbor2.CBORDecodeError, ValueError, OverflowError) as exc:
        raise ProofError(f"the ecdsa-sd-2023 derived proofValue is not valid CBOR: {exc}"
                         ) from exc
    if stream.tell() != len(data):
        raise ProofError("the ecdsa-sd-2023 derived proofValue has bytes after its CBOR array")
    return value


def _check_bytes(value: Any, size: int, name: str) -> None:
    # `type(...) is` rather than isinstance: a tagged or other bytes-like value is not
    # the plain byte string the Recommendation asks for.
    if type(value) is not bytes or len(value) != size:
        got = f"{len(value)} bytes" if type(value) is bytes else type(value).__name__
        raise ProofError(f"the derived proof's {name} must be a byte string of {size} bytes, "
                         f"got {got}")


def _decompress_label_map(compressed: Any) -> dict[str, str]:
    """3.5.6 decompressLabelMap: {n: digest} -> {"c14n<n>": "u" + base64url(digest)}."""
    if not isinstance(compressed, dict):
        raise ProofError("the derived proof's labelMap must be a map of integers to byte "
                         "strings")
    labels: dict[str, str] = {}
    for key, digest in compressed.items():
        if type(key) is not int or key < 0:
            raise ProofError(f"the derived proof's labelMap has a key {key!r}: keys are the "
                             "numbers of canonical blank node labels (c14n<n>), 0 or more")
        _check_bytes(digest, HMAC_LABEL_SIZE, f"label for c14n{key}")
        labels[f"c14n{key}"] = encode_base64url(digest)
    return labels


def _checked_indexes(indexes: Any) -> list[int]:
    if not isinstance(indexes, list) or not all(type(i) is int and i >= 0 for i in indexes):
        raise ProofError("the derived proof's mandatoryIndexes must be an array of integers, "
                         "0 or more")
    return indexes

"""Key pairs: Ed25519, P-256 and P-384 (Multikey and JWK) and RSA (JWK) over pyca/cryptography.

A key pair may hold only a public key (for verification). Private material is exposed only
through `private_jwk()` / `secret_key_multibase()` for writing key files; services encrypt it
before storing it and never return it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from cachetools import LRUCache
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from jwcrypto import jwk

from standards.errors import InvalidKeyError
from standards.multibase_codec import MultibaseError, decode_multibase, encode_base58btc

KeyType = Literal["ed25519", "p256", "p384", "rsa"]
KEY_TYPES: tuple[KeyType, ...] = ("ed25519", "p256", "p384", "rsa")

# Multicodec prefixes (unsigned varint encoded), from the multicodec table.
ED25519_PUB = b"\xed\x01"
ED25519_PRIV = b"\x80\x26"
P256_PUB = b"\x80\x24"  # p256-pub 0x1200
P256_PRIV = b"\x86\x26"  # p256-priv 0x1306
P384_PUB = b"\x81\x24"  # p384-pub 0x1201
P384_PRIV = b"\x87\x26"  # p384-priv 0x1307 (as in the vc-di-ecdsa p384KeyPair.json vector)


@dataclass(frozen=True)
class EcCurve:
    """What differs between the NIST curves: sizes, multicodecs, the hash and JOSE names."""

    key_type: KeyType
    curve: ec.EllipticCurve
    jwk_crv: str
    size: int  # bytes of a scalar / coordinate; a P1363 signature has twice as many
    public_prefix: bytes
    private_prefix: bytes
    hash: type[hashes.SHA256] | type[hashes.SHA384]
    jws_algorithm: str


EC_CURVES: dict[str, EcCurve] = {
    "p256": EcCurve("p256", ec.SECP256R1(), "P-256", 32, P256_PUB, P256_PRIV, hashes.SHA256,
                    "ES256"),
    "p384": EcCurve("p384", ec.SECP384R1(), "P-384", 48, P384_PUB, P384_PRIV, hashes.SHA384,
                    "ES384"),
}


def _multibase_decode(value: str) -> bytes:
    try:
        return decode_multibase(value)
    except MultibaseError as exc:
        raise InvalidKeyError(f"not a multibase value: {value[:20]!r}") from exc


@dataclass
class KeyPair:
    """One asymmetric key, public and optionally private, with its verification method id."""

    key_type: KeyType
    public_key: Any
    private_key: Any = None
    id: str | None = None
    controller: str | None = None
    _jwk_cache: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    # --- identity -----------------------------------------------------------------------
    @property
    def has_private(self) -> bool:
        return self.private_key is not None

    @property
    def jws_algorithm(self) -> str:
        if self.key_type in EC_CURVES:
            return EC_CURVES[self.key_type].jws_algorithm
        return {"ed25519": "EdDSA", "rsa": "RS256"}[self.key_type]

    def public_key_multibase(self) -> str:
        if self.key_type == "ed25519":
            raw = self.public_key.public_bytes(
                serialization.Encoding.Raw, serialization.PublicFormat.Raw
            )
            return encode_base58btc(ED25519_PUB + raw)
        if self.key_type in EC_CURVES:
            raw = self.public_key.public_bytes(
                serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint
            )
            return encode_base58btc(EC_CURVES[self.key_type].public_prefix + raw)
        raise InvalidKeyError("RSA keys have no Multikey form; use JWK")

    def secret_key_multibase(self) -> str:
        self._require_private()
        if self.key_type == "ed25519":
            raw = self.private_key.private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            return encode_base58btc(ED25519_PRIV + raw)
        if self.key_type in EC_CURVES:
            curve = EC_CURVES[self.key_type]
            raw = self.private_key.private_numbers().private_value.to_bytes(curve.size, "big")
            return encode_base58btc(curve.private_prefix + raw)
        raise InvalidKeyError("RSA keys have no Multikey form; use JWK")

    def public_jwk(self) -> dict[str, Any]:
        if self._jwk_cache is None:
            key = jwk.JWK.from_pyca(self.public_key)
            exported = json.loads(key.export_public())
            exported.pop("kid", None)  # jwcrypto adds a thumbprint kid; did:jwk wants the bare key
            self._jwk_cache = exported
        return dict(self._jwk_cache)

    def private_jwk(self) -> dict[str, Any]:
        self._require_private()
        exported: dict[str, Any] = json.loads(jwk.JWK.from_pyca(self.private_key).export_private())
        exported.pop("kid", None)
        return exported

    def to_jwcrypto(self, private: bool = False) -> jwk.JWK:
        if private:
            self._require_private()
            return jwk.JWK.from_pyca(self.private_key)
        return jwk.JWK.from_pyca(self.public_key)

    # --- operations ---------------------------------------------------------------------
    def sign(self, data: bytes) -> bytes:
        """Sign raw bytes. ECDSA signatures are IEEE P1363 (r||s), as JOSE and DI use them,
        with the curve's own hash (SHA-256 for P-256, SHA-384 for P-384)."""
        self._require_private()
        if self.key_type == "ed25519":
            ed25519_signature: bytes = self.private_key.sign(data)
            return ed25519_signature
        if self.key_type in EC_CURVES:
            curve = EC_CURVES[self.key_type]
            der = self.private_key.sign(data, ec.ECDSA(curve.hash()))
            r, s = decode_dss_signature(der)
            return r.to_bytes(curve.size, "big") + s.to_bytes(curve.size, "big")
        rsa_signature: bytes = self.private_key.sign(data, padding.PKCS1v15(), hashes.SHA256())
        return rsa_signature

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            if self.key_type == "ed25519":
                self.public_key.verify(signature, data)
            elif self.key_type in EC_CURVES:
                curve = EC_CURVES[self.key_type]
                if len(signature) != 2 * curve.size:
                    return False
                der = encode_dss_signature(
                    int.from_bytes(signature[: curve.size], "big"),
                    int.from_bytes(signature[curve.size:], "big"),
                )
                self.public_key.verify(der, data, ec.ECDSA(curve.hash()))
            else:
                self.public_key.verify(signature, data, padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return False
        return True

    def public_only(self) -> KeyPair:
        return KeyPair(self.key_type, self.public_key, None, self.id, self.controller)

    def _require_private(self) -> None:
        if self.private_key is None:
            raise InvalidKeyError("this operation needs the private key, which is not loaded")

    # --- serialisation ------------------------------------------------------------------
    def to_key_file(self) -> dict[str, Any]:
        """The private key file format of `opendossier key new` (contains secret material)."""
        data: dict[str, Any] = {"id": self.id, "controller": self.controller}
        if self.key_type == "rsa":
            data.update(type="JsonWebKey", publicKeyJwk=self.public_jwk(),
                        privateKeyJwk=self.private_jwk())
        else:
            data.update(type="Multikey", publicKeyMultibase=self.public_key_multibase(),
                        secretKeyMultibase=self.secret_key_multibase(),
                        publicKeyJwk=self.public_jwk(), privateKeyJwk=self.private_jwk())
        return {k: v for k, v in data.items() if v is not None}


# --- construction ----------------------------------------------------------------------
def generate_key(key_type: KeyType = "ed25519") -> KeyPair:
    if key_type == "ed25519":
        private: Any = ed25519.Ed25519PrivateKey.generate()
    elif key_type in EC_CURVES:
        private = ec.generate_private_key(EC_CURVES[key_type].curve)
    elif key_type == "rsa":
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    else:
        raise InvalidKeyError(f"unsupported key type {key_type!r} ({', '.join(KEY_TYPES)})")
    return KeyPair(key_type, private.public_key(), private)


# Parsed Multikey public keys by their multibase text. A verifier parses the same few issuer
# keys over and over (a did:key twice per proof: resolving, then reading the method); the
# base58 decoding and, for P-256/P-384, the point decompression are done once. Bounded; a
# value that does not parse is never stored. Each caller gets a KeyPair of its own (callers
# set its id and controller); the cryptography key object inside is immutable.
_PARSED_PUBLIC_KEYS: LRUCache[str, tuple[KeyType, Any]] = LRUCache(maxsize=1024)
_PARSED_LOCK = threading.Lock()


def public_key_from_multibase(value: str) -> KeyPair:
    """A public key from a Multikey `publicKeyMultibase` (Ed25519, P-256 or P-384)."""
    if isinstance(value, str):
        with _PARSED_LOCK:
            parsed = _PARSED_PUBLIC_KEYS.get(value)
        if parsed is not None:
            return KeyPair(*parsed)
    key = _public_key(_multibase_decode(value))
    if key is None:
        raise InvalidKeyError(f"unsupported or malformed publicKeyMultibase {value[:16]}…")
    if isinstance(value, str):
        with _PARSED_LOCK:
            _PARSED_PUBLIC_KEYS[value] = (key.key_type, key.public_key)
    return key


def public_key_from_multicodec(raw: bytes) -> KeyPair:
    """A public key from Multikey bytes, without multibase (as ecdsa-sd-2023 proofs carry
    their proof-scoped key): a multicodec header and the key (Ed25519, P-256 or P-384)."""
    key = _public_key(raw)
    if key is None:
        raise InvalidKeyError(f"unsupported or malformed Multikey ({len(raw)} bytes, header "
                              f"0x{raw[:2].hex()})")
    return key


def _public_key(raw: bytes) -> KeyPair | None:
    """The key of Multikey bytes; None when the header or length is not one we know."""
    if raw[:2] == ED25519_PUB and len(raw) == 34:
        return KeyPair("ed25519", ed25519.Ed25519PublicKey.from_public_bytes(raw[2:]))
    for curve in EC_CURVES.values():
        # A compressed point: one sign byte and the x coordinate.
        if raw[:2] == curve.public_prefix and len(raw) == 3 + curve.size:
            try:
                pub = ec.EllipticCurvePublicKey.from_encoded_point(curve.curve, raw[2:])
            except ValueError as exc:
                raise InvalidKeyError(
                    f"{curve.jwk_crv} public key is not a point on the curve") from exc
            return KeyPair(curve.key_type, pub)
    return None


def key_pair_from_multikey(public_multibase: str, secret_multibase: str | None) -> KeyPair:
    """A key pair from Multikey strings (the format of the W3C vc-di-eddsa vectors)."""
    public = public_key_from_multibase(public_multibase)
    if secret_multibase is None:
        return public
    raw = _multibase_decode(secret_multibase)
    if raw[:2] == ED25519_PRIV and len(raw) == 34 and public.key_type == "ed25519":
        private: Any = ed25519.Ed25519PrivateKey.from_private_bytes(raw[2:])
    elif public.key_type in EC_CURVES and _is_ec_secret(raw, EC_CURVES[public.key_type]):
        curve = EC_CURVES[public.key_type]
        private = ec.derive_private_key(int.from_bytes(raw[2:], "big"), curve.curve)
    else:
        raise InvalidKeyError("secretKeyMultibase is malformed or does not match the public key")
    pair = KeyPair(public.key_type, private.public_key(), private)
    if pair.public_key_multibase() != public_multibase:
        raise InvalidKeyError("secret key does not belong to the given public key")
    return pair


def _is_ec_secret(raw: bytes, curve: EcCurve) -> bool:
    return raw[:2] == curve.private_prefix and len(raw) == 2 + curve.size


def key_pair_from_jwk(data: dict[str, Any]) -> KeyPair:
    """A key pair (or public key) from a JWK: OKP/Ed25519, EC/P-256, EC/P-384 or RSA."""
    try:
        key = jwk.JWK(**data)
    except Exception as exc:
        raise InvalidKeyError(f"not a usable JWK: {exc}") from exc
    kty, crv = data.get("kty"), data.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        key_type: KeyType = "ed25519"
    elif kty == "EC" and crv == "P-256":
        key_type = "p256"
    elif kty == "EC" and crv == "P-384":
        key_type = "p384"
    elif kty == "RSA":
        key_type = "rsa"
    else:
        raise InvalidKeyError(f"unsupported JWK key type {kty}/{crv}")
    if key.has_private:
        # Any: jwcrypto's stubs leave Ed25519 keys out of get_op_key's result type.
        private: Any = key.get_op_key("sign")
        return KeyPair(key_type, private.public_key(), private)
    return KeyPair(key_type, key.get_op_key("verify"))


def load_key_file(path: str | Path) -> KeyPair:
    """Read a key file: ours (`opendossier key new`), a W3C vector keyPair.json, or a JWK."""
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidKeyError(f"cannot read key file {path}: {exc}") from exc
    return key_pair_from_document(data)


def key_pair_from_document(data: dict[str, Any]) -> KeyPair:
    if not isinstance(data, dict):
        raise InvalidKeyError("a key file must hold a JSON object")
    secret = data.get("secretKeyMultibase") or data.get("privateKeyMultibase")
    if "publicKeyMultibase" in data:
        pair = key_pair_from_multikey(data["publicKeyMultibase"], secret)
    elif "privateKeyJwk" in data or "publicKeyJwk" in data:
        pair = key_pair_from_jwk(data.get("privateKeyJwk") or data["publicKeyJwk"])
    elif "kty" in data:
        pair = key_pair_from_jwk(data)
    else:
        raise InvalidKeyError("no publicKeyMultibase, publicKeyJwk or JWK in the key file")
    pair.id = data.get("id")
    pair.controller = data.get("controller")
    return pair

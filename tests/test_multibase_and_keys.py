"""Multibase and key handling, including the edge cases libraries get wrong."""

from __future__ import annotations

import pytest

from standards.errors import InvalidKeyError
from standards.keys import (
    KeyType,
    generate_key,
    key_pair_from_document,
    key_pair_from_multikey,
    public_key_from_multibase,
)
from standards.multibase_codec import (
    MultibaseError,
    decode_multibase,
    encode_base58btc,
    encode_base64url,
)


@pytest.mark.parametrize("data", [b"", b"\x00", b"\x00\x00\x01\x02", b"\xff" * 64,
                                  b"\x00" + b"\x17" * 63])
def test_multibase_round_trip_keeps_leading_zero_bytes(data: bytes) -> None:
    assert decode_multibase(encode_base58btc(data)) == data
    assert decode_multibase(encode_base64url(data)) == data


def test_base58btc_encodes_zero_bytes_as_ones() -> None:
    assert encode_base58btc(b"\x00\x00\x01") == "z112"


@pytest.mark.parametrize("bad", ["", "x123", "z0OIl", "uAB=C", 5])
def test_malformed_multibase_is_refused(bad: object) -> None:
    with pytest.raises(MultibaseError):
        decode_multibase(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("key_type", ["ed25519", "p256", "rsa"])
def test_key_file_round_trip_signs_and_verifies(key_type: str) -> None:
    key = generate_key(key_type)  # type: ignore[arg-type]
    again = key_pair_from_document(key.to_key_file())
    signature = again.sign(b"message")
    assert key.verify(b"message", signature)
    assert not key.verify(b"messagE", signature)
    assert "kid" not in key.public_jwk()


@pytest.mark.parametrize("key_type,prefix", [("ed25519", "z6Mk"), ("p256", "zDna")])
def test_multikey_prefixes(key_type: str, prefix: str) -> None:
    key = generate_key(key_type)  # type: ignore[arg-type]
    assert key.public_key_multibase().startswith(prefix)
    assert public_key_from_multibase(key.public_key_multibase()).key_type == key_type
    rebuilt = key_pair_from_multikey(key.public_key_multibase(), key.secret_key_multibase())
    assert rebuilt.verify(b"m", key.sign(b"m"))


def test_secret_key_of_another_public_key_is_refused() -> None:
    one, other = generate_key(), generate_key()
    with pytest.raises(InvalidKeyError, match="does not belong"):
        key_pair_from_multikey(one.public_key_multibase(), other.secret_key_multibase())


def test_public_only_key_cannot_sign() -> None:
    with pytest.raises(InvalidKeyError, match="private key"):
        generate_key().public_only().sign(b"m")


SECP256K1_KEY = "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme"


@pytest.mark.parametrize("value", ["z6MkTooShort", SECP256K1_KEY])
def test_unsupported_or_malformed_public_keys_are_refused(value: str) -> None:
    with pytest.raises(InvalidKeyError):
        public_key_from_multibase(value)


@pytest.mark.parametrize("key_type", ["ed25519", "p256", "p384"])
def test_a_parsed_key_is_remembered_but_each_caller_gets_its_own(key_type: KeyType) -> None:
    value = generate_key(key_type).public_key_multibase()
    first, second = public_key_from_multibase(value), public_key_from_multibase(value)
    assert first is not second and first.public_key_multibase() == value
    first.id, first.controller = "did:example:a#1", "did:example:a"
    assert (second.id, second.controller) == (None, None)
    assert public_key_from_multibase(value).public_key_multibase() == value


def test_a_key_that_does_not_parse_is_refused_every_time() -> None:
    for _ in range(2):
        with pytest.raises(InvalidKeyError):
            public_key_from_multibase("z6MkTooShort")

"""Multibase values as the specs here use them: base58btc ("z") and base64url ("u").

py-multibase 2.0 drops leading zero bytes in base58btc (b"\\x00\\x01" encodes as "z2"), which
breaks one Ed25519 signature in 256, so the prefix is handled here over the `base58` library,
which keeps them ("1" per zero byte, as the base58btc draft requires).
"""

from __future__ import annotations

import base64
import binascii

import base58


class MultibaseError(ValueError):
    """A value is not multibase in an encoding we accept."""


def encode_base58btc(data: bytes) -> str:
    return "z" + base58.b58encode(data).decode("ascii")


def encode_base64url(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def decode_multibase(value: str) -> bytes:
    """Decode a base58btc ("z") or base64url ("u") multibase string."""
    if not isinstance(value, str) or not value:
        raise MultibaseError("a multibase value must be a non-empty string")
    prefix, body = value[0], value[1:]
    try:
        if prefix == "z":
            return base58.b58decode(body.encode("ascii"))
        if prefix == "u":
            if "=" in body:
                raise MultibaseError("base64url multibase must not be padded")
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    except (ValueError, binascii.Error) as exc:
        raise MultibaseError(f"malformed multibase value {value[:16]!r}") from exc
    raise MultibaseError(f"unsupported multibase prefix {prefix!r} (expected 'z' or 'u')")

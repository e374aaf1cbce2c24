"""Encryption of private keys at rest: AES-256-GCM under the configured key-encryption key.

The row id is bound in as associated data, so a ciphertext copied onto another row does not
decrypt. Plaintext key material exists only in memory, while signing.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_VERSION = b"\x01"
_NONCE_BYTES = 12


class SecretBoxError(RuntimeError):
    pass


class SecretBox:
    def __init__(self, key: bytes) -> None:
        if len(key) != 32:
            raise SecretBoxError("the key-encryption key must be 32 bytes")
        self._aead = AESGCM(key)

    def __repr__(self) -> str:  # never show the key, even in a traceback
        return "SecretBox(<key hidden>)"

    def seal(self, plaintext: bytes, *, bound_to: str) -> bytes:
        nonce = os.urandom(_NONCE_BYTES)
        return _VERSION + nonce + self._aead.encrypt(nonce, plaintext, bound_to.encode())

    def open(self, sealed: bytes, *, bound_to: str) -> bytes:
        if len(sealed) < 1 + _NONCE_BYTES + 16 or sealed[:1] != _VERSION:
            raise SecretBoxError("stored key is not in the expected format")
        nonce = sealed[1 : 1 + _NONCE_BYTES]
        try:
            return self._aead.decrypt(nonce, sealed[1 + _NONCE_BYTES :], bound_to.encode())
        except InvalidTag:
            raise SecretBoxError(
                "stored key cannot be decrypted: wrong key-encryption key or altered data"
            ) from None

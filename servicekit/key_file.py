"""The 32-byte key-encryption key of a service: from an environment variable (base64) or
from a file in its data directory, created with mode 0600 on first use."""

from __future__ import annotations

import base64
import os
from pathlib import Path


class ConfigurationError(RuntimeError):
    pass


def key_encryption_key(env_name: str, path: Path) -> bytes:
    from_env = os.environ.get(env_name)
    if from_env:
        return _decode_key(from_env, env_name)
    return _key_from_file(path)


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as error:
        raise ConfigurationError(f"{where} is not base64: {error}") from None
    if len(key) != 32:
        raise ConfigurationError(f"{where} must hold 32 bytes (base64), found {len(key)}")
    return key


def _key_from_file(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        # O_EXCL: when two processes start at once, exactly one creates the key.
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _decode_key(path.read_text(), str(path))
    key = os.urandom(32)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(base64.urlsafe_b64encode(key).decode())
    return key

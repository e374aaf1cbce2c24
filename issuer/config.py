"""Issuer settings: where data lives, which database, the public URL, the key-encryption key."""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path

from standards.fetcher import FetchPolicy

SECRET_KEY_ENV = "OPENDOSSIER_ISSUER_SECRET_KEY"
SECRET_KEY_FILE = "issuer-secret.key"


class ConfigurationError(RuntimeError):
    pass


@dataclass
class IssuerSettings:
    """`public_url` is how the outside world reaches this service: DIDs (did:web), achievement
    ids, status list URLs and OpenID4VCI metadata are all built from it.

    The key-encryption key (32 bytes) that protects signing keys at rest comes from the
    environment variable OPENDOSSIER_ISSUER_SECRET_KEY (base64) when set, otherwise from the
    file `issuer-secret.key` in the data directory, created with mode 0600 on first use.
    Keep that file out of database backups.
    """

    data_dir: Path = Path("data/issuer")
    database_url: str | None = None
    public_url: str = "http://127.0.0.1:8001"
    offer_lifetime_seconds: int = 7 * 24 * 3600
    access_token_lifetime_seconds: int = 600
    fetch_policy: FetchPolicy = field(default_factory=FetchPolicy)
    session_cookie_secure: bool = False

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.public_url = self.public_url.rstrip("/")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'issuer.db').resolve()}"

    def key_encryption_key(self) -> bytes:
        from_env = os.environ.get(SECRET_KEY_ENV)
        if from_env:
            return _decode_key(from_env, SECRET_KEY_ENV)
        return _key_from_file(self.data_dir / SECRET_KEY_FILE)


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

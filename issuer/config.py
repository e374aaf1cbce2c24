"""Issuer settings: where data lives, which database, the public URL, the key-encryption key."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from servicekit.key_file import ConfigurationError, key_encryption_key
from standards.fetcher import FetchPolicy

SECRET_KEY_ENV = "OPENDOSSIER_ISSUER_SECRET_KEY"
SECRET_KEY_FILE = "issuer-secret.key"

__all__ = ["ConfigurationError", "IssuerSettings"]


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
        return key_encryption_key(SECRET_KEY_ENV, self.data_dir / SECRET_KEY_FILE)

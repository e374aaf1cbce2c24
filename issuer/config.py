"""Issuer settings: where data lives, which database, the public URL, the key-encryption key.

One pydantic-settings class: `opendossier serve issuer` (and the `opendossier issuer ...`
commands) build it from their flags, and environment variables `OPENDOSSIER_ISSUER_<FIELD>`
(e.g. OPENDOSSIER_ISSUER_DATA_DIR, OPENDOSSIER_ISSUER_PUBLIC_URL) fill what the flags leave
out.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.key_file import ConfigurationError
from servicekit.service_settings import DatabaseServiceSettings
from standards.fetcher import FetchPolicy

ENV_PREFIX = "OPENDOSSIER_ISSUER_"
SECRET_KEY_ENV = "OPENDOSSIER_ISSUER_SECRET_KEY"
SECRET_KEY_FILE = "issuer-secret.key"
DEFAULT_DATA_DIR = Path("data/issuer")
DEFAULT_PUBLIC_URL = "http://127.0.0.1:8001"

__all__ = ["ConfigurationError", "IssuerSettings"]


class IssuerSettings(DatabaseServiceSettings):
    """`public_url` is how the outside world reaches this service: DIDs (did:web), achievement
    ids, status list URLs and OpenID4VCI metadata are all built from it.

    The key-encryption key (32 bytes) that protects signing keys at rest comes from the
    environment variable OPENDOSSIER_ISSUER_SECRET_KEY (base64) when set, otherwise from the
    file `issuer-secret.key` in the data directory, created with mode 0600 on first use.
    Keep that file out of database backups. (It is read when needed, not kept here.)
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")
    database_file: ClassVar[str] = "issuer.db"
    secret_key_env: ClassVar[str] = SECRET_KEY_ENV
    secret_key_file: ClassVar[str] = SECRET_KEY_FILE

    data_dir: Path = DEFAULT_DATA_DIR
    public_url: str = DEFAULT_PUBLIC_URL
    offer_lifetime_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    access_token_lifetime_seconds: int = Field(default=600, gt=0)
    status_list_max_age_seconds: int = Field(
        default=60, ge=0, description="how long verifiers may keep a status list: a "
        "revocation shows everywhere within this time")
    bulk_job_lease_seconds: int = Field(
        default=30, ge=2, description="a bulk job whose process stopped renewing its lease "
        "for this long was interrupted, and this or another instance resumes it")
    fetch_policy: FetchPolicy = Field(default_factory=FetchPolicy)
    session_cookie_secure: bool = False
    # A JSON or form body, unless its route sets a limit of its own (`@body_limit`: a CASE
    # framework package may be 5 MB). Uploads have their own limits.
    max_request_bytes: int = Field(default=1024 * 1024, gt=0)
    test_vector_contexts: bool = Field(
        default=False, description="also load the W3C test-vector contexts (examples, "
        "undefined-terms): for conformance suites only, never in production")

"""Verifier settings: where its small state lives, which issuers it knows, what it may fetch.

One pydantic-settings class: `opendossier serve verifier` builds it from its flags, and
environment variables `OPENDOSSIER_VERIFIER_<FIELD>` (e.g. OPENDOSSIER_VERIFIER_DATA_DIR,
or OPENDOSSIER_VERIFIER_ALLOW_LOCAL_HOSTS='["127.0.0.1"]' for a list) fill what the flags
leave out.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from servicekit.key_file import key_encryption_key
from servicekit.service_settings import ServiceSettings
from standards.fetcher import FetchPolicy
from standards.work_budget import DEFAULT_REQUEST_WORK

DEFAULT_DATA_DIR = Path("data/verifier")
ENV_PREFIX = "OPENDOSSIER_VERIFIER_"
SECRET_KEY_ENV = "OPENDOSSIER_VERIFIER_SECRET_KEY"
SECRET_KEY_FILE = "verifier-secret.key"


class VerifierSettings(ServiceSettings):
    """`public_url` is how wallets reach this verifier: OpenID4VP response URIs and the
    `domain` a presentation must name are built from it.

    `fetch_policy` governs every network fetch (did:web, https keys, status lists, evidence,
    shared links): https only and no private addresses, except for `allow_local_hosts`, and
    never `denied_hosts`.

    The verifier's secret (32 bytes), from which its request-signing key is derived
    (verifier.signing_key), comes from the environment variable OPENDOSSIER_VERIFIER_SECRET_KEY
    (base64) when set, otherwise from the file `verifier-secret.key` in the data directory,
    created with mode 0600 on first use. Several verifier processes (or machines) that share
    it are one verifier to wallets.
    """

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid")

    data_dir: Path = DEFAULT_DATA_DIR
    public_url: str = "http://127.0.0.1:8003"
    trust_registry: str | None = Field(default=None, description="a file path or an https URL")
    allow_local_hosts: list[str] = Field(
        default_factory=list, description="hosts that may be fetched over plain http at a "
        "private or loopback address (development, tests, one-machine set-ups)")
    denied_hosts: list[str] = Field(default_factory=list, description="never fetched from")
    challenge_lifetime_seconds: int = Field(default=300, gt=0)
    test_vector_contexts: bool = Field(
        default=False, description="also load the W3C test-vector contexts (examples, "
        "undefined-terms): for conformance suites only, never in production")
    max_request_bytes: int = Field(default=1024 * 1024, gt=0)
    # Threads per worker process that run verifications. Verifying is CPU work under one GIL:
    # beyond a few threads (which let status-list fetches overlap) they only take turns.
    verification_threads: int = Field(default=4, gt=0)
    # Units of work one verification request may use (standards.work_budget: one to two
    # microseconds of CPU each); more is refused with 413.
    max_request_work: int = Field(default=DEFAULT_REQUEST_WORK, gt=0)

    @property
    def fetch_policy(self) -> FetchPolicy:
        """The default policy (https, public addresses only), plus the local hosts."""
        return FetchPolicy(allow_http_for=list(self.allow_local_hosts),
                           allow_private_for=list(self.allow_local_hosts),
                           denied_hosts=list(self.denied_hosts))

    def secret(self) -> bytes:
        return key_encryption_key(SECRET_KEY_ENV, self.data_dir / SECRET_KEY_FILE)

    @property
    def database_path(self) -> Path:
        return self.data_dir / "verifier.db"

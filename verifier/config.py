"""Verifier settings: where its small state lives, which issuers it knows, what it may fetch."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from standards.fetcher import FetchPolicy

DEFAULT_DATA_DIR = Path("data/verifier")


@dataclass
class VerifierSettings:
    """`public_url` is how wallets reach this verifier: OpenID4VP response URIs and the
    `domain` a presentation must name are built from it.

    `fetch_policy` governs every network fetch (did:web, https keys, status lists, evidence,
    shared links): https only and no private addresses unless configured otherwise.
    """

    data_dir: Path = DEFAULT_DATA_DIR
    public_url: str = "http://127.0.0.1:8003"
    trust_registry: str | None = None  # a file path or an https URL
    fetch_policy: FetchPolicy = field(default_factory=FetchPolicy)
    challenge_lifetime_seconds: int = 300
    max_request_bytes: int = 1024 * 1024

    def __post_init__(self) -> None:
        self.data_dir = Path(self.data_dir)
        self.public_url = self.public_url.rstrip("/")

    @property
    def database_path(self) -> Path:
        return self.data_dir / "verifier.db"


def fetch_policy_for(allow_local_hosts: list[str], denied_hosts: list[str]) -> FetchPolicy:
    """The default policy (https, public addresses only), plus hosts that may be reached over
    plain http at a private or loopback address (development, tests, one-machine set-ups)."""
    return FetchPolicy(allow_http_for=list(allow_local_hosts),
                       allow_private_for=list(allow_local_hosts),
                       denied_hosts=list(denied_hosts))

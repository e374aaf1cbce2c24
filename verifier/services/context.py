"""What every verifier operation needs: settings, the one fetcher, the trust registry, the
shared store and the clock."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.fetcher import Fetcher
from verifier.config import VerifierSettings
from verifier.store import VerifierStore
from verifier.trust_registry import TrustRegistry, load_trust_registry


@dataclass
class VerifierContext:
    settings: VerifierSettings
    fetcher: Fetcher
    registry: TrustRegistry = field(default_factory=TrustRegistry)
    store: VerifierStore | None = None  # None: no challenges (the command line)
    loader: DocumentLoader = DEFAULT_LOADER
    fixed_now: datetime | None = None  # tests and `opendossier verify --now`

    @classmethod
    def open(cls, settings: VerifierSettings) -> VerifierContext:
        """The service's context: its fetcher policy, registry and store in the data dir."""
        fetcher = Fetcher(settings.fetch_policy)
        return cls(settings=settings, fetcher=fetcher,
                   registry=load_trust_registry(settings.trust_registry, fetcher),
                   store=VerifierStore(settings.database_path))

    def now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def close(self) -> None:
        self.fetcher.close()

"""What every verifier operation needs: settings, the one fetcher, the trust registry, the
shared store and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.fetcher import Fetcher
from verifier.config import VerifierSettings
from verifier.store import VerifierStore
from verifier.trust_registry import TrustRegistry, load_trust_registry


def utc_now() -> datetime:
    """The real clock; tests hand the context one they can move."""
    return datetime.now(UTC)


@dataclass
class VerifierContext:
    settings: VerifierSettings
    fetcher: Fetcher
    registry: TrustRegistry = field(default_factory=TrustRegistry)
    store: VerifierStore | None = None  # None: no challenges (the command line)
    loader: DocumentLoader = DEFAULT_LOADER
    fixed_now: datetime | None = None  # `opendossier verify --now`
    clock: Callable[[], datetime] = utc_now  # tests move it

    @classmethod
    def open(cls, settings: VerifierSettings, *,
             clock: Callable[[], datetime] = utc_now,
             fetch_transport: httpx.BaseTransport | None = None) -> VerifierContext:
        """The service's context: its fetcher policy, registry and store in the data dir.
        Tests pass a clock they can advance and a transport that reaches in-process apps."""
        fetcher = Fetcher(settings.fetch_policy, transport=fetch_transport)
        return cls(settings=settings, fetcher=fetcher,
                   registry=load_trust_registry(settings.trust_registry, fetcher),
                   store=VerifierStore(settings.database_path,
                                       clock=lambda: clock().timestamp()),
                   loader=DocumentLoader(allow_test_contexts=settings.test_vector_contexts),
                   clock=clock)

    def now(self) -> datetime:
        return self.fixed_now or self.clock()

    def close(self) -> None:
        self.fetcher.close()

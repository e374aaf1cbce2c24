"""What every wallet service function needs: settings, the database, the secret box, the
fetcher (the only way out to the network) and the clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property

import httpx

from servicekit.service_context import ServiceContext, open_database
from standards.fetcher import Fetcher
from wallet.config import WalletSettings
from wallet.db import migrate


def utc_now() -> datetime:
    """The real clock; tests hand the context one they can move."""
    return datetime.now(UTC)


@dataclass
class WalletContext(ServiceContext[WalletSettings]):
    fixed_now: datetime | None = None
    clock: Callable[[], datetime] = utc_now  # tests move it

    @classmethod
    def open(cls, settings: WalletSettings, *, run_migrations: bool = True,
             clock: Callable[[], datetime] = utc_now,
             fetch_transport: httpx.BaseTransport | None = None) -> WalletContext:
        engine, secret_box = open_database(settings, migrate if run_migrations else None)
        settings.evidence_dir.mkdir(parents=True, exist_ok=True)
        return cls(settings, engine, secret_box, fetch_transport=fetch_transport, clock=clock)

    @cached_property
    def fetcher(self) -> Fetcher:
        """Status lists, DID documents, OpenID4VCI issuers and OpenID4VP verifiers."""
        return self.new_fetcher()

    def new_fetcher(self, *, max_cache_ttl: float = 3600.0) -> Fetcher:
        """A fetcher of its own (its own cache), under the wallet's policy."""
        return Fetcher(self.settings.fetch_policy, max_cache_ttl=max_cache_ttl,
                       transport=self.fetch_transport)

    def now(self) -> datetime:
        return self.fixed_now or self.clock()

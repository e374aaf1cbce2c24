"""Everything a verification may consult, passed down to the credentials inside."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from standards.dids import DidResolver
from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.fetcher import Fetcher


@dataclass
class VerificationContext:
    """Everything verification may consult: the clock, the network policy, the loader."""

    now: datetime | None = None
    fetcher: Fetcher | None = None
    loader: DocumentLoader = DEFAULT_LOADER
    check_status: bool = True
    depth: int = 0
    # False only for a status list credential, which is read for its bits and nothing more;
    # `check_status=False` (the caller's choice) still verifies CLR members and endorsements.
    nested: bool = True

    def clock(self) -> datetime:
        return self.now or datetime.now(UTC)

    def resolver(self) -> DidResolver:
        return DidResolver(self.fetcher or Fetcher.offline())

    def deeper(self) -> VerificationContext:
        return replace(self, depth=self.depth + 1)

    def for_status_list(self) -> VerificationContext:
        return replace(self, check_status=False, nested=False)

"""What every issuer service function needs: settings, the database engine, the secret box."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TypeVar

import httpx
from sqlmodel import Session

from issuer.config import IssuerSettings
from issuer.db import migrate, session_scope
from servicekit.errors import Inconsistent
from servicekit.service_context import ServiceContext, open_database
from standards.document_loader import DocumentLoader
from standards.fetcher import Fetcher

Row = TypeVar("Row")


def stored(row: Row | None, what: str) -> Row:
    """A row the service's own data refers to (by a foreign key); its absence is damage to
    the database, not the caller's fault."""
    if row is None:
        raise Inconsistent(f"{what} is missing from the database")
    return row


@dataclass
class IssuerContext(ServiceContext[IssuerSettings]):
    @classmethod
    def open(cls, settings: IssuerSettings, *, run_migrations: bool = True,
             fetch_transport: httpx.BaseTransport | None = None) -> IssuerContext:
        engine, secret_box = open_database(settings, migrate if run_migrations else None)
        return cls(settings, engine, secret_box, fetch_transport=fetch_transport)

    @cached_property
    def fetcher(self) -> Fetcher:
        """For verifying endorsements received from other issuers (DIDs, keys)."""
        return Fetcher(self.settings.fetch_policy, transport=self.fetch_transport)

    @property
    def loader(self) -> DocumentLoader:
        """The JSON-LD contexts credentials may use: the bundle, plus the W3C test-vector
        contexts only when the settings ask for them (`serve issuer --test-vectors`)."""
        return DocumentLoader(allow_test_contexts=self.settings.test_vector_contexts)

    def reading(self) -> Session:
        """A unit of work that only reads: `with ctx.reading() as session: ...`."""
        return Session(self.engine)

    @contextmanager
    def changing(self) -> Iterator[Session]:
        """A unit of work that writes: committed at the end, rolled back on any error."""
        with session_scope(self.engine) as session:
            yield session

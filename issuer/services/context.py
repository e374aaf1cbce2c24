"""What every issuer service function needs: settings, the database engine, the secret box."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TypeVar

import httpx
from sqlalchemy.engine import Engine
from sqlmodel import Session

from issuer.config import IssuerSettings
from issuer.db import make_engine, migrate, session_scope
from servicekit.errors import Inconsistent
from servicekit.secret_box import SecretBox
from standards.fetcher import Fetcher

Row = TypeVar("Row")


def stored(row: Row | None, what: str) -> Row:
    """A row the service's own data refers to (by a foreign key); its absence is damage to
    the database, not the caller's fault."""
    if row is None:
        raise Inconsistent(f"{what} is missing from the database")
    return row


@dataclass
class IssuerContext:
    settings: IssuerSettings
    engine: Engine
    secret_box: SecretBox = field(repr=False)
    fetch_transport: httpx.BaseTransport | None = None  # tests: reach in-process services

    @classmethod
    def open(cls, settings: IssuerSettings, *, run_migrations: bool = True,
             fetch_transport: httpx.BaseTransport | None = None) -> IssuerContext:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.resolved_database_url)
        if run_migrations:
            migrate(engine)
        return cls(settings, engine, SecretBox(settings.key_encryption_key()),
                   fetch_transport=fetch_transport)

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    @cached_property
    def fetcher(self) -> Fetcher:
        """For verifying endorsements received from other issuers (DIDs, keys)."""
        return Fetcher(self.settings.fetch_policy, transport=self.fetch_transport)

    def reading(self) -> Session:
        """A unit of work that only reads: `with ctx.reading() as session: ...`."""
        return Session(self.engine)

    @contextmanager
    def changing(self) -> Iterator[Session]:
        """A unit of work that writes: committed at the end, rolled back on any error."""
        with session_scope(self.engine) as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

"""What every issuer service function needs: settings, the database engine, the secret box."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import httpx
from sqlalchemy.engine import Engine

from issuer.config import IssuerSettings
from issuer.db import make_engine, migrate
from servicekit.secret_box import SecretBox
from standards.fetcher import Fetcher


class IssuerError(Exception):
    """A request the issuer refuses; `status` is the HTTP status the API answers with."""

    status: int = 400

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        if status is not None:
            self.status = status


class NotFound(IssuerError):
    status = 404


class Conflict(IssuerError):
    status = 409


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

    def close(self) -> None:
        self.engine.dispose()

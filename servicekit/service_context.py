"""What the issuer's and the wallet's contexts have in common: their settings, their own
database, the secret box sealing what is stored encrypted, and the transport the fetcher uses
(tests: one that reaches in-process services). Each role's context subclasses
`ServiceContext` and adds its own parts (the wallet's clock, the issuer's units of work)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Generic, Protocol, TypeVar

import httpx
from sqlalchemy.engine import Engine

from servicekit.database import make_engine
from servicekit.secret_box import SecretBox


class DatabaseSettings(Protocol):
    """The settings a service with its own database has."""

    @property
    def data_dir(self) -> Path: ...

    @property
    def public_url(self) -> str: ...

    @property
    def resolved_database_url(self) -> str: ...

    def key_encryption_key(self) -> bytes: ...


Settings = TypeVar("Settings", bound=DatabaseSettings)


def open_database(settings: DatabaseSettings,
                  migrate: Callable[[Engine], None] | None) -> tuple[Engine, SecretBox]:
    """The data directory (made if missing), the engine for the service's database brought to
    its newest schema by `migrate` (None: leave the schema as it is), and the secret box."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    if migrate is not None:
        migrate(engine)
    return engine, SecretBox(settings.key_encryption_key())


@dataclass
class ServiceContext(Generic[Settings]):
    settings: Settings
    engine: Engine
    secret_box: SecretBox = field(repr=False)
    fetch_transport: httpx.BaseTransport | None = None  # tests: reach in-process services

    @property
    def public_url(self) -> str:
        return self.settings.public_url

    def close(self) -> None:
        fetcher = self.__dict__.get("fetcher")  # a role's cached fetcher, if one was made
        if fetcher is not None:
            fetcher.close()
        self.engine.dispose()

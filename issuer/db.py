"""The issuer's database: its migrations directory on top of servicekit.database."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from servicekit import database
from servicekit.database import make_engine, session_scope

MIGRATIONS = Path(__file__).parent / "migrations"

__all__ = ["MIGRATIONS", "make_engine", "migrate", "session_scope"]


def migrate(engine: Engine) -> None:
    database.migrate(engine, MIGRATIONS)

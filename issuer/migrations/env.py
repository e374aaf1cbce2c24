"""Alembic environment: the engine comes from servicekit.database.alembic_config."""

from __future__ import annotations

from sqlmodel import SQLModel

import issuer.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from servicekit.migration_env import run_migrations

run_migrations(SQLModel.metadata)

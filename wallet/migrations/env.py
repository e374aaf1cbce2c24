"""Alembic environment: the engine comes from servicekit.database.alembic_config."""

from __future__ import annotations

from servicekit.migration_env import run_migrations
from wallet.models import WalletTable

run_migrations(WalletTable.metadata)

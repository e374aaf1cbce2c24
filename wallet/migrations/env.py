"""Alembic environment: the engine comes from servicekit.database.alembic_config."""

from __future__ import annotations

from alembic import context

from wallet.models import WalletTable

engine = context.config.attributes["engine"]

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=WalletTable.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()

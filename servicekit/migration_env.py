"""What every service's alembic env.py does: run its migrations on the engine given in
`servicekit.database.alembic_config`, in one transaction.

On SQLite, alembic's batch mode changes a table by building a copy, dropping the original
and renaming the copy. With foreign keys enforced (servicekit.database turns them on for
every connection), dropping the original would cascade to, or be refused by, the rows that
refer to it. So they are off while migrations run (SQLite can switch them only outside a
transaction), and checked once the migrations are done.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData


def run_migrations(target_metadata: MetaData) -> None:
    engine = context.config.attributes["engine"]
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=sqlite, compare_type=True)
        revision = context.get_context().get_current_revision()
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            migrated = context.get_context().get_current_revision() != revision
            # the check reads every row: only after a migration ran, not at every start
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all() \
                if migrated else []
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
            if broken:
                raise RuntimeError(f"the migrated database breaks foreign keys: {broken[:5]}")

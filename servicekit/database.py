"""Database engines, sessions and alembic migrations, the same for every service.

Each service has its own database and its own migrations directory; this module only knows
how to open an engine for a URL (SQLite with WAL and a busy timeout, or a pooled server
database) and how to bring a schema to its newest revision.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine

from servicekit import errors

NUL_IN_TEXT = "text may not contain the NUL character (U+0000)"
log = logging.getLogger(__name__)


class ChangedMeanwhile(errors.Conflict):
    """A write met a constraint that another request's change at the same moment broke: the
    row it refers to was deleted (an account deleted while its delegate adds to the dossier),
    or the same unique value was added first. Nothing of the request was stored."""


def make_engine(database_url: str) -> Engine:
    if database_url.startswith("sqlite"):
        engine = create_engine(
            database_url, connect_args={"check_same_thread": False, "timeout": 60}
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(database_url, pool_pre_ping=True, pool_size=10,
                               max_overflow=20)
    event.listen(engine, "before_cursor_execute", _refuse_nul_in_text)
    return engine


def _refuse_nul_in_text(_connection, _cursor, _statement, parameters: Any,  # type: ignore[no-untyped-def]
                        _context, executemany: bool) -> None:
    """A NUL in any text a statement carries (an id in a path, a name in a body) is refused
    as the malformed input it is, on every backend: PostgreSQL cannot hold one in text and
    would fail the request with a server error, SQLite would store it silently."""
    for row in parameters if executemany else [parameters]:
        values = row.values() if isinstance(row, dict) else row or ()
        if any(isinstance(value, str) and "\x00" in value for value in values):
            raise errors.Invalid(NUL_IN_TEXT)


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    # WAL lets readers go on while one process writes; busy_timeout makes a second writer
    # (another service process) wait for the lock instead of failing at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def alembic_config(engine: Engine, migrations: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, migrations: Path) -> None:
    """Bring the schema to the newest revision (safe to run at every start)."""
    command.upgrade(alembic_config(engine, migrations), "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session committed at the end of the block, rolled back on any error. A constraint
    the database enforces against a concurrent change is a ChangedMeanwhile (409), not a
    server error: the request can simply be tried again."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except IntegrityError as error:
            session.rollback()
            # Logged in full: a constraint that fails every time is a bug, not a race.
            log.warning("a write was refused by a database constraint", exc_info=True)
            raise ChangedMeanwhile("the data changed while this request was being handled "
                                   "(another request changed or removed it); nothing was "
                                   "stored: try again") from error
        except BaseException:
            session.rollback()
            raise

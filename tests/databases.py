"""Real databases for tests: a fresh SQLite file, or a fresh PostgreSQL database on
127.0.0.1:5432 (trust auth) that is dropped afterwards.

PostgreSQL tests are skipped when no server answers, except under CI (CI=true), where a
missing server is a failure: the CI machine has one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Protocol, TypeVar

import pytest

PG_HOST = os.environ.get("OPENDOSSIER_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("OPENDOSSIER_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("OPENDOSSIER_TEST_PG_USER", "postgres")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _admin_connection():  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(host=PG_HOST, port=PG_PORT, user=PG_USER, dbname="postgres",
                           autocommit=True, connect_timeout=3)


def postgres_available() -> bool:
    try:
        with _admin_connection():
            return True
    except Exception:
        return False


@contextmanager
def fresh_database(backend: str, directory: Path) -> Iterator[str]:
    """A SQLAlchemy URL of an empty database of `backend` ("sqlite" or "postgres")."""
    if backend == "sqlite":
        yield f"sqlite:///{directory / 'test.db'}"
        return
    if not postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} on the CI machine")
        pytest.skip(f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT}")
    name = f"od_test_{secrets.token_hex(6)}"
    with _admin_connection() as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with _admin_connection() as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def sqlite_file_bytes(url: str) -> bytes:
    """Every page of a SQLite database file, read through SQLite. Not `Path.read_bytes()`:
    closing any other descriptor of the file drops this process's POSIX locks on it, so
    with the service in-process a server process closing last would delete the WAL under
    it ("disk I/O error")."""
    with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as connection:
        return connection.serialize()


class Startable(Protocol):
    def start(self) -> object: ...

    def stop(self) -> None: ...


Service = TypeVar("Service", bound=Startable)


@contextmanager
def started_on_fresh_database(backend: str, directory: Path,
                              service: Callable[[Path, str], Service]) -> Iterator[Service]:
    """`service(data_dir, database_url)` on an empty database of `backend`, started, and
    stopped when the block ends (its data in `directory / "data"`)."""
    with fresh_database(backend, directory) as database_url:
        server = service(directory / "data", database_url)
        server.start()
        try:
            yield server
        finally:
            server.stop()

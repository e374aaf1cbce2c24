"""The verifier's small shared state: issued challenges and OpenID4VP requests.

Kept in one SQLite file in the data directory (stdlib `sqlite3`, WAL mode), so several
service processes on one machine share it: a challenge issued by one worker is consumed
exactly once, whichever worker sees the presentation. Nothing here is precious: it all
expires within minutes, so there are no migrations; tables are created when missing, and a
column added later is added to an older file when it is opened (`ADDED_COLUMNS`).

Each challenge is issued for one domain (this verifier's address, or an OpenID4VP client_id):
a presentation answering it must be made for that domain, so a challenge relayed to a wallet
by someone else is of no use to them.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SCHEMA = """
CREATE TABLE IF NOT EXISTS challenges (
    value TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL,
    domain TEXT
);
CREATE INDEX IF NOT EXISTS challenges_expires ON challenges (expires_at);
"""
# (table, column, definition) added after the first release: ALTER TABLE on older files.
ADDED_COLUMNS = [("challenges", "domain", "TEXT")]
KEEP_USED_SECONDS = 24 * 3600  # a used challenge is remembered this long, to name replays

ChallengeState = Literal["fresh", "used", "expired", "unknown"]


@dataclass(frozen=True)
class IssuedChallenge:
    """What the store knows of a challenge: its state, and the domain it was issued for
    (None for "unknown", and for a challenge issued before domains were recorded)."""

    state: ChallengeState
    domain: str | None = None


class VerifierStore:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock  # epoch seconds; the service's clock, which tests advance
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            for table, column, definition in ADDED_COLUMNS:
                _add_column(db, table, column, definition)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection in autocommit mode; each statement is its own transaction."""
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout=10000")
            yield db
        finally:
            db.close()

    def ensure_schema(self, sql: str) -> None:
        with self.connect() as db:
            db.executescript(sql)

    # --- challenges ---------------------------------------------------------------------
    def new_challenge(self, lifetime_seconds: int, domain: str) -> tuple[str, float]:
        """A fresh random challenge for `domain` and when it expires (epoch seconds)."""
        now = self.clock()
        value = secrets.token_urlsafe(24)
        with self.connect() as db:
            db.execute("DELETE FROM challenges WHERE expires_at < ?", (now - KEEP_USED_SECONDS,))
            db.execute("INSERT INTO challenges (value, created_at, expires_at, domain) "
                       "VALUES (?, ?, ?, ?)", (value, now, now + lifetime_seconds, domain))
        return value, now + lifetime_seconds

    def issued_challenge(self, value: str) -> IssuedChallenge:
        """The state of `value`: "fresh", "used", "expired" or "unknown" (never issued here,
        or long gone), with the domain it was issued for."""
        with self.connect() as db:
            row = db.execute("SELECT expires_at, used_at, domain FROM challenges "
                             "WHERE value = ?", (value,)).fetchone()
        if row is None:
            return IssuedChallenge("unknown")
        expires_at, used_at, domain = row
        if used_at is not None:
            return IssuedChallenge("used", domain)
        return IssuedChallenge("expired" if expires_at < self.clock() else "fresh", domain)

    def consume_challenge(self, value: str) -> bool:
        """Mark the challenge used; True only for the one caller that used it while fresh."""
        now = self.clock()
        with self.connect() as db:
            cursor = db.execute(
                "UPDATE challenges SET used_at = ? "
                "WHERE value = ? AND used_at IS NULL AND expires_at >= ?", (now, value, now))
            return cursor.rowcount == 1

    @staticmethod
    def new_token() -> str:
        return secrets.token_urlsafe(24)


def _add_column(db: sqlite3.Connection, table: str, column: str, definition: str) -> None:
    """Add `column` to a table an older release created without it. Two processes opening
    the same file may race: the loser finds the column there."""
    columns = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    if column in columns:
        return
    try:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {definition}")
    except sqlite3.OperationalError as error:
        if "duplicate column" not in str(error):
            raise

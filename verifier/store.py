"""The verifier's small shared state: issued challenges and OpenID4VP requests.

Kept in one SQLite file in the data directory (stdlib `sqlite3`, WAL mode), so several
service processes on one machine share it: a challenge issued by one worker is consumed
exactly once, whichever worker sees the presentation. Nothing here is precious: it all
expires within minutes, so there are no migrations; tables are created when missing.
"""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS challenges (
    value TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    used_at REAL
);
CREATE INDEX IF NOT EXISTS challenges_expires ON challenges (expires_at);
"""
KEEP_USED_SECONDS = 24 * 3600  # a used challenge is remembered this long, to name replays


class VerifierStore:
    def __init__(self, path: Path, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock  # epoch seconds; the service's clock, which tests advance
        path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

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
    def new_challenge(self, lifetime_seconds: int) -> tuple[str, float]:
        """A fresh random challenge and when it expires (epoch seconds)."""
        now = self.clock()
        value = secrets.token_urlsafe(24)
        with self.connect() as db:
            db.execute("DELETE FROM challenges WHERE expires_at < ?", (now - KEEP_USED_SECONDS,))
            db.execute("INSERT INTO challenges (value, created_at, expires_at) VALUES (?, ?, ?)",
                       (value, now, now + lifetime_seconds))
        return value, now + lifetime_seconds

    def challenge_state(self, value: str) -> str:
        """"fresh", "used", "expired" or "unknown" (never issued here, or long gone)."""
        with self.connect() as db:
            row = db.execute("SELECT expires_at, used_at FROM challenges WHERE value = ?",
                             (value,)).fetchone()
        if row is None:
            return "unknown"
        if row[1] is not None:
            return "used"
        return "expired" if row[0] < self.clock() else "fresh"

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

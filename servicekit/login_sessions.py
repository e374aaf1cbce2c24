"""Log-in sessions kept in the role's own database, so that they can be ended.

A session is a random token handed to the client once (in the page cookie, or as the JSON
API's bearer token); the database keeps only its SHA-256, the account, when it was made, when
it expires and when it was ended (`revoked_at`). Log-out ends one session, a new password
all of an account's others, and a removed account takes its sessions along: from then on
the token is refused, by every process that shares the database (nothing is kept in process
memory).

Each role has its table, `LoginSessionColumns` plus an `account_id` that is a foreign key to
its accounts with ON DELETE CASCADE (the database removes the sessions with the account).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from sqlmodel import Field, Session, SQLModel, col, delete, select

TOKEN_BYTES = 32
# A session is kept this long past its expiry (when it was made and ended can be looked up),
# then removed at a later log-in.
KEPT_AFTER_EXPIRY = timedelta(days=30)


class LoginSessionColumns(SQLModel):
    """The columns of a role's log-in session table (the role adds the foreign key)."""

    token_hash: str = Field(primary_key=True, max_length=64)
    account_id: str = Field(index=True, max_length=32)
    created_at: datetime
    expires_at: datetime = Field(index=True)
    revoked_at: datetime | None = None


SessionRow = TypeVar("SessionRow", bound=LoginSessionColumns)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _aware(moment: datetime) -> datetime:
    """SQLite gives datetimes back without a zone; every stored moment is UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def open_login_session(session: Session, table: type[SessionRow], account_id: str, *,
                       now: datetime, lifetime: timedelta) -> str:
    """A new session for the account; returns its token (shown once, stored only hashed).
    Removes sessions that expired long ago on the way."""
    session.exec(delete(table).where(col(table.expires_at) < now - KEPT_AFTER_EXPIRY))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(table(token_hash=token_hash(token), account_id=account_id, created_at=now,
                      expires_at=now + lifetime))
    return token


def live_login_session(session: Session, table: type[SessionRow], token: str, *,
                       now: datetime) -> SessionRow | None:
    """The session of this token, unless unknown, ended or expired."""
    row = session.get(table, token_hash(token))
    if row is None or row.revoked_at is not None or _aware(row.expires_at) <= now:
        return None
    return row


def end_login_session(session: Session, table: type[SessionRow], token: str, *,
                      now: datetime) -> None:
    """Log-out: the token is refused from now on (an unknown or ended one is left as it is)."""
    row = session.get(table, token_hash(token))
    if row is not None and row.revoked_at is None:
        row.revoked_at = now
        session.add(row)


def end_account_sessions(session: Session, table: type[SessionRow], account_id: str, *,
                         now: datetime, keeping: str | None = None) -> int:
    """End every live session of the account (a new password), except the one of the token
    `keeping` (the one that set it); returns how many were ended."""
    kept = token_hash(keeping) if keeping else None
    rows = session.exec(select(table).where(col(table.account_id) == account_id,
                                            col(table.revoked_at).is_(None))).all()
    ended = 0
    for row in rows:
        if row.token_hash != kept:
            row.revoked_at = now
            session.add(row)
            ended += 1
    return ended

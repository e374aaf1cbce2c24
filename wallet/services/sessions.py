"""Log-in sessions of wallet accounts, for the pages (the token in the session cookie) and the
JSON API (the token as bearer token) alike, kept in the wallet's database
(servicekit.login_sessions): log-out ends one, a new password all of the account's others,
and removing an account removes its sessions.

The whole-request functions open a database session of their own (what pages and API
dependencies call); the others work inside the caller's.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from servicekit import login_sessions
from wallet.db import session_scope
from wallet.models import Account, LoginSession
from wallet.services.context import WalletContext


def open_session(ctx: WalletContext, session: Session, account: Account) -> str:
    """A new session of `account`; its token, shown once."""
    return login_sessions.open_login_session(
        session, LoginSession, account.id, now=ctx.now(),
        lifetime=timedelta(seconds=ctx.settings.session_lifetime_seconds))


def end_other_sessions(ctx: WalletContext, session: Session, account: Account, *,
                       keeping: str | None = None) -> int:
    """End every session of the account but the one of token `keeping`."""
    return login_sessions.end_account_sessions(session, LoginSession, account.id,
                                               now=ctx.now(), keeping=keeping)


# --- whole requests ----------------------------------------------------------------------
def log_in(ctx: WalletContext, account: Account) -> str:
    with session_scope(ctx.engine) as session:
        return open_session(ctx, session, account)


def account_of_session(ctx: WalletContext, token: str) -> Account | None:
    """The account of a live session; None when the token is unknown, ended or expired, or
    its account is gone."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        row = login_sessions.live_login_session(session, LoginSession, token, now=ctx.now())
        return session.get(Account, row.account_id) if row is not None else None


def log_out(ctx: WalletContext, token: str) -> None:
    with session_scope(ctx.engine) as session:
        login_sessions.end_login_session(session, LoginSession, token, now=ctx.now())

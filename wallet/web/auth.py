"""What every page takes: the wallet context, the logged-in account (page sessions), the
Actor for a dossier page, CSRF on every form (the cookie secret and the CSRF checks are
servicekit.web_session's; the log-in sessions live in the database, wallet.services.sessions)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from servicekit import web_session
from servicekit.web_session import (
    CSRF_FIELD,
    FormTooLarge,
    LoginRequired,
    check_csrf,
    checked_form_reader,
    csrf_token,
    session_token,
)
from wallet.dependencies import Context
from wallet.services import sessions
from wallet.services.access import Actor, dossier_actor
from wallet.services.context import WalletContext

if TYPE_CHECKING:  # the account row the services hand out; pages only read it
    from wallet.models import Account

__all__ = ["CSRF_FIELD", "FormTooLarge", "check_csrf", "csrf_token", "session_token"]

SESSION_COOKIE = "od_wallet"
MAX_FORM_BYTES = 2 * 1024 * 1024  # text forms and credential files; evidence is streamed
MAX_FORM_FIELDS = 2000


def session_secret(ctx: WalletContext) -> str:
    return web_session.session_secret(ctx.settings.key_encryption_key(),
                                      b"opendossier wallet session cookie v1")


def logged_in_account(request: Request, ctx: WalletContext) -> Account | None:
    """The account of the cookie's log-in session, if that session still lives (else the
    cookie forgets it)."""
    token = session_token(request)
    account = sessions.account_of_session(ctx, token) if token else None
    if account is None and token:  # logged out, expired, or the account was removed
        web_session.end_session(request)
    return account


def current_account(request: Request, ctx: Context) -> Account:
    account = logged_in_account(request, ctx)
    if account is None:
        raise LoginRequired()
    return account


CurrentAccount = Annotated["Account", Depends(current_account)]


def page_actor(owner_id: str, account: CurrentAccount, ctx: Context) -> Actor:
    """The logged-in account acting in dossier `{owner_id}` (NotFound otherwise)."""
    return dossier_actor(ctx, account, owner_id)


PageActor = Annotated[Actor, Depends(page_actor)]


def start_session(request: Request, ctx: WalletContext, account: Account) -> None:
    """Log-in: a new session in the database, named by the cookie (a session the cookie
    named before ends: nothing carries over)."""
    end_session(request, ctx)
    web_session.start_session(request, sessions.log_in(ctx, account))


def end_session(request: Request, ctx: WalletContext) -> None:
    """Log-out: the session ends in the database (a copy of the cookie no longer works),
    and the cookie forgets it."""
    token = session_token(request)
    if token:
        sessions.log_out(ctx, token)
    web_session.end_session(request)


checked_form = checked_form_reader(MAX_FORM_BYTES, MAX_FORM_FIELDS, max_files=4)
CheckedForm = Annotated[FormData, Depends(checked_form)]

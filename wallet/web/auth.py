"""What every page takes: the wallet context, the logged-in account (page sessions), the
Actor for a dossier page, CSRF on every form (the cookie secret and the CSRF checks are
servicekit.web_session's)."""

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
    end_session,
    logged_in_id,
)
from wallet.dependencies import Context
from wallet.services.access import Actor, dossier_actor
from wallet.services.accounts import find_account
from wallet.services.context import WalletContext

if TYPE_CHECKING:  # the account row the services hand out; pages only read it
    from wallet.models import Account

__all__ = ["CSRF_FIELD", "FormTooLarge", "check_csrf", "csrf_token", "end_session"]

SESSION_COOKIE = "od_wallet"
SESSION_KEY = "account"  # the logged-in account's id in the session
MAX_FORM_BYTES = 2 * 1024 * 1024  # text forms and credential files; evidence is streamed
MAX_FORM_FIELDS = 2000


def session_secret(ctx: WalletContext) -> str:
    return web_session.session_secret(ctx.settings.key_encryption_key(),
                                      b"opendossier wallet session cookie v1")


def current_account(request: Request, ctx: Context) -> Account:
    account = find_account(ctx, logged_in_id(request, SESSION_KEY))
    if account is None:  # the account was removed since log-in
        end_session(request)
        raise LoginRequired()
    return account


CurrentAccount = Annotated["Account", Depends(current_account)]


def page_actor(owner_id: str, account: CurrentAccount, ctx: Context) -> Actor:
    """The logged-in account acting in dossier `{owner_id}` (NotFound otherwise)."""
    return dossier_actor(ctx, account, owner_id)


PageActor = Annotated[Actor, Depends(page_actor)]


def start_session(request: Request, account: Account) -> None:
    web_session.start_session(request, SESSION_KEY, account.id)


checked_form = checked_form_reader(MAX_FORM_BYTES, MAX_FORM_FIELDS, max_files=4)
CheckedForm = Annotated[FormData, Depends(checked_form)]

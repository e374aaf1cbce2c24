"""Page sessions: the logged-in account, the Actor for a dossier page, CSRF on every form.

The session lives in a signed cookie (Starlette's SessionMiddleware) whose secret is derived
from the wallet's key-encryption key, so every process sharing the data directory accepts
the same cookies and the secret is stored nowhere.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from typing import Annotated

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from wallet.api.deps import Context
from wallet.models import Account
from wallet.services.access import Actor, acting_as
from wallet.services.context import WalletContext

SESSION_COOKIE = "od_wallet"
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 2 * 1024 * 1024  # text forms and credential files; evidence is streamed
MAX_FORM_FIELDS = 2000


def session_secret(ctx: WalletContext) -> str:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"opendossier wallet session cookie v1")
    return derived.derive(ctx.settings.key_encryption_key()).hex()


class LoginRequired(Exception):
    """Answered with a redirect to the log-in page (and back afterwards)."""


class CsrfRefused(Exception):
    """A form post without the session's CSRF token; answered with 403."""


class FormTooLarge(Exception):
    """A form larger than MAX_FORM_BYTES; answered with 413."""


def current_account(request: Request, ctx: Context) -> Account:
    account_id = request.session.get("account")
    if not isinstance(account_id, str):
        raise LoginRequired()
    with Session(ctx.engine, expire_on_commit=False) as session:
        account = session.get(Account, account_id)
    if account is None:
        request.session.clear()
        raise LoginRequired()
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


def page_actor(owner_id: str, account: CurrentAccount, ctx: Context) -> Actor:
    """The logged-in account acting in dossier `{owner_id}` (NotFound otherwise)."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        return acting_as(session, account, owner_id)


PageActor = Annotated[Actor, Depends(page_actor)]


def start_session(request: Request, account: Account) -> None:
    request.session.clear()  # nothing from before log-in carries over
    request.session["account"] = account.id
    request.session["csrf"] = secrets.token_urlsafe(32)


def end_session(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def check_csrf(request: Request, given: object) -> None:
    """For forms read another way (streamed uploads): CsrfRefused unless `given` matches."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not isinstance(given, str) or \
            not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfRefused()


async def checked_form(request: Request) -> AsyncIterator[FormData]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormTooLarge()
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=4)
    try:
        check_csrf(request, form.get(CSRF_FIELD))
        yield form
    finally:
        await form.close()


CheckedForm = Annotated[FormData, Depends(checked_form)]

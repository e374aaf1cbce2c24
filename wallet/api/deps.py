"""Request dependencies: the wallet context, the calling account, and the Actor for a
dossier in the path.

The JSON API takes `Authorization: Bearer <token>` (from `POST /api/session`); the pages
take the session cookie. Both name an account; `dossier_actor` then checks that the account
may act in the dossier `{owner_id}` of the path (its own, or by delegation).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request
from sqlmodel import Session

from wallet.dependencies import Context
from wallet.models import Account
from wallet.services.access import Actor, acting_as
from wallet.services.sessions import account_of_session


def bearer_token(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def api_account(request: Request, ctx: Context) -> Account:
    token = bearer_token(request)
    if token is None:
        raise HTTPException(401, "log in first: POST /api/session, then send "
                            "Authorization: Bearer <token>", headers={"WWW-Authenticate": "Bearer"})
    account = account_of_session(ctx, token)
    if account is None:
        raise HTTPException(401, "the session token is not valid, has expired or was ended",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return account


ApiAccount = Annotated[Account, Depends(api_account)]


def dossier_actor(owner_id: str, account: ApiAccount, ctx: Context) -> Actor:
    with Session(ctx.engine, expire_on_commit=False) as session:
        return acting_as(session, account, owner_id)


DossierActor = Annotated[Actor, Depends(dossier_actor)]

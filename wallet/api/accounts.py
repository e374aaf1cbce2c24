"""Accounts, API sessions and delegations over JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from servicekit.errors import Forbidden, TooManyAttempts, Unauthorized
from servicekit.login_limiter import LoginLimiter
from wallet.api.deps import ApiAccount, Context, DossierActor, api_account, bearer_token
from wallet.api.schemas import (
    AcceptInvitation,
    ChangePassword,
    DeleteAccount,
    Invite,
    LogIn,
    SignUp,
)
from wallet.db import session_scope
from wallet.models import Account
from wallet.services import delegations, sessions
from wallet.services.account_deletion import delete_account
from wallet.services.accounts import authenticate, change_password, new_account

router = APIRouter(prefix="/api", tags=["accounts"])


@router.post("/accounts", status_code=201)
def sign_up(body: SignUp, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        account = new_account(ctx, session, body.email, password=body.password,
                              display_name=body.name)
        return {"owner": account.id, "did": account.did, "email": account.email}


@router.post("/session")
def log_in(body: LogIn, request: Request, ctx: Context) -> dict[str, Any]:
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else ""
    wait = limiter.wait_seconds(body.email, address)
    if wait:
        raise TooManyAttempts(f"too many failed log-ins; try again in {wait} s")
    with session_scope(ctx.engine) as session:
        account = authenticate(session, body.email, body.password)
        if account is None:
            limiter.failed(body.email, address)
            raise Unauthorized("wrong e-mail address or password")
        limiter.succeeded(body.email, address)
        token = sessions.open_session(ctx, session, account)
        return {"token": token, "owner": account.id, "did": account.did,
                "expiresIn": ctx.settings.session_lifetime_seconds}


@router.delete("/session", status_code=204)
def log_out(request: Request, account: ApiAccount, ctx: Context) -> Response:
    """Ends this token's session: it is refused from now on."""
    sessions.log_out(ctx, bearer_token(request) or "")
    return Response(status_code=204)


def _password_limiter(request: Request, account: Account) -> tuple[LoginLimiter, str]:
    """A wrong password given with a live session counts as a failed log-in: no guessing it
    from a stolen token. Refused while the account's log-ins are locked."""
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else ""
    wait = limiter.wait_seconds(account.email, address)
    if wait:
        raise TooManyAttempts(f"too many failed log-ins; try again in {wait} s")
    return limiter, address


@router.post("/me/password", status_code=204)
def new_password(body: ChangePassword, request: Request, account: ApiAccount,
                 ctx: Context) -> Response:
    """A new password (the current one proves it is the owner): every other session of the
    account ends, pages and API tokens alike; this token goes on working."""
    limiter, address = _password_limiter(request, account)
    try:
        change_password(ctx, account.id, body.current_password, body.new_password,
                        keeping_session=bearer_token(request))
    except Forbidden:
        limiter.failed(account.email, address)
        raise
    return Response(status_code=204)


@router.post("/me/delete")
def delete_me(body: DeleteAccount, request: Request, account: ApiAccount,
              ctx: Context) -> dict[str, Any]:
    """Delete the account and its whole dossier, for good (the password proves it is the
    owner; 403 when wrong, and nothing changes). Answers with how much went; every session
    and token of the account, this one too, stops working."""
    limiter, address = _password_limiter(request, account)
    try:
        deleted = delete_account(ctx, account.id, body.password)
    except Forbidden:
        limiter.failed(account.email, address)
        raise
    return deleted.to_json()


@router.get("/me")
def me(account: ApiAccount, ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return {"owner": account.id, "email": account.email, "name": account.display_name,
                "did": account.did, "dossiers": delegations.dossiers_for(session, account)}


@router.get("/dossiers/{owner_id}/delegations")
def list_delegations(actor: DossierActor, ctx: Context) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return [delegations.delegation_json(d)
                for d in delegations.delegations_of(session, actor)]


@router.post("/dossiers/{owner_id}/delegations", status_code=201)
def invite(body: Invite, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        invitation = delegations.invite(session, actor, body.email, body.role, body.scopes)
        return {**delegations.delegation_json(invitation.delegation),
                "inviteToken": invitation.token,
                "inviteUrl": f"{ctx.public_url}/invite/{invitation.token}"}


@router.delete("/dossiers/{owner_id}/delegations/{delegation_id}")
def withdraw(delegation_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return delegations.delegation_json(delegations.withdraw(session, actor, delegation_id))


@router.post("/invitations/{token}/accept")
def accept_invitation(token: str, request: Request, ctx: Context,
                      body: AcceptInvitation | None = None) -> dict[str, Any]:
    """As the logged-in account (Bearer), or as a new account: {"password", "name"}."""
    body = body or AcceptInvitation()
    account = api_account(request, ctx) if bearer_token(request) else None
    with session_scope(ctx.engine) as session:
        delegation = delegations.accept(ctx, session, token, account=account,
                                        password=body.password, display_name=body.name)
        return delegations.delegation_json(delegation)

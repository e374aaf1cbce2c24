"""Accounts, API sessions and delegations over JSON."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from sqlmodel import Session

from servicekit.errors import Invalid, TooManyAttempts, Unauthorized
from servicekit.http_body import parse_json_object, read_body, read_json_object
from servicekit.login_limiter import LoginLimiter
from wallet.api.deps import ApiAccount, Context, DossierActor, api_account, bearer_token
from wallet.db import session_scope
from wallet.services import delegations
from wallet.services.accounts import authenticate, close_api_session, new_account, open_api_session

router = APIRouter(prefix="/api", tags=["accounts"])


def _string(body: dict[str, Any], name: str, *, required: bool = True) -> str:
    value = body.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise Invalid(f'"{name}" must be a non-empty string')
    return value


@router.post("/accounts", status_code=201)
async def sign_up(request: Request, ctx: Context) -> dict[str, Any]:
    body = await read_json_object(request, 64 * 1024)
    with session_scope(ctx.engine) as session:
        account = new_account(ctx, session, _string(body, "email"),
                              password=_string(body, "password"),
                              display_name=_string(body, "name", required=False))
        return {"owner": account.id, "did": account.did, "email": account.email}


@router.post("/session")
async def log_in(request: Request, ctx: Context) -> dict[str, Any]:
    body = await read_json_object(request, 64 * 1024)
    email, password = _string(body, "email"), _string(body, "password")
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else ""
    wait = limiter.wait_seconds(email, address)
    if wait:
        raise TooManyAttempts(f"too many failed log-ins; try again in {wait} s")
    with session_scope(ctx.engine) as session:
        account = authenticate(session, email, password)
        if account is None:
            limiter.failed(email, address)
            raise Unauthorized("wrong e-mail address or password")
        limiter.succeeded(email, address)
        token = open_api_session(ctx, session, account)
        return {"token": token, "owner": account.id, "did": account.did,
                "expiresIn": ctx.settings.session_lifetime_seconds}


@router.delete("/session", status_code=204)
def log_out(request: Request, account: ApiAccount, ctx: Context) -> Response:
    with session_scope(ctx.engine) as session:
        close_api_session(session, bearer_token(request) or "")
    return Response(status_code=204)


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
async def invite(request: Request, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    body = await read_json_object(request, 64 * 1024)
    scopes = body.get("scopes")
    if scopes is not None and (not isinstance(scopes, list)
                               or not all(isinstance(s, str) for s in scopes)):
        raise Invalid('"scopes" must be a list of strings')
    with session_scope(ctx.engine) as session:
        invitation = delegations.invite(session, actor, _string(body, "email"),
                                        _string(body, "role"), scopes)
        return {**delegations.delegation_json(invitation.delegation),
                "inviteToken": invitation.token,
                "inviteUrl": f"{ctx.public_url}/invite/{invitation.token}"}


@router.delete("/dossiers/{owner_id}/delegations/{delegation_id}")
def withdraw(delegation_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return delegations.delegation_json(delegations.withdraw(session, actor, delegation_id))


@router.post("/invitations/{token}/accept")
async def accept_invitation(token: str, request: Request, ctx: Context) -> dict[str, Any]:
    """As the logged-in account (Bearer), or as a new account: {"password", "name"}."""
    raw = await read_body(request, 64 * 1024)
    body = parse_json_object(raw) if raw.strip() else {}
    account = api_account(request, ctx) if bearer_token(request) else None
    with session_scope(ctx.engine) as session:
        delegation = delegations.accept(
            ctx, session, token, account=account,
            password=body.get("password") if isinstance(body.get("password"), str) else None,
            display_name=body.get("name") if isinstance(body.get("name"), str) else "")
        return delegations.delegation_json(delegation)

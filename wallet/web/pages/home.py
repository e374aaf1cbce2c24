"""Log-in, sign-up, the list of dossiers, a dossier's overview, delegations, invitations."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from servicekit.errors import ServiceError
from servicekit.login_limiter import LoginLimiter
from wallet.services import delegations
from wallet.services.access import ROLE_DEFAULT_SCOPES, ROLES, SCOPES
from wallet.services.accounts import authenticated_account, create_account
from wallet.services.dossier_overview import dossier_overview
from wallet.web.auth import (
    CheckedForm,
    Context,
    CurrentAccount,
    PageActor,
    end_session,
    logged_in_account,
    start_session,
)
from wallet.web.render import error_status, render, see_other

router = APIRouter(include_in_schema=False)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _safe_next(value: str) -> str:
    """Only a path on this site (no //host, no scheme): no open redirect after log-in."""
    return value if value.startswith("/") and not value.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/", notice: str = "") -> HTMLResponse:
    return render(request, "login.html", next=_safe_next(next), notice=notice)


@router.post("/login", response_class=HTMLResponse)
def log_in(request: Request, form: CheckedForm, ctx: Context) -> Response:
    email, password = _text(form, "email"), form.get("password")
    next_path = _safe_next(_text(form, "next") or "/")
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else ""
    wait = limiter.wait_seconds(email, address)
    if wait:
        return render(request, "login.html", status=429, next=next_path,
                      values={"email": email}, error_key="login.locked", wait=wait)
    account = authenticated_account(ctx, email, password if isinstance(password, str) else "")
    if account is None:
        limiter.failed(email, address)
        return render(request, "login.html", status=401, next=next_path,
                      values={"email": email}, error_key="login.wrong")
    limiter.succeeded(email, address)
    start_session(request, ctx, account)
    return see_other(next_path)


@router.post("/logout")
def log_out(request: Request, form: CheckedForm, ctx: Context) -> Response:
    end_session(request, ctx)
    return see_other("/login")


@router.get("/signup", response_class=HTMLResponse)
def signup_page(request: Request) -> HTMLResponse:
    return render(request, "signup.html")


@router.post("/signup", response_class=HTMLResponse)
def sign_up(request: Request, form: CheckedForm, ctx: Context) -> Response:
    values = {"email": _text(form, "email"), "name": _text(form, "name")}
    password = form.get("password")
    if password != form.get("password_again"):
        return render(request, "signup.html", status=422, values=values,
                      error_key="signup.mismatch")
    try:
        account = create_account(ctx, values["email"],
                                 password=password if isinstance(password, str) else "",
                                 display_name=values["name"])
    except ServiceError as error:
        return render(request, "signup.html", status=error_status(error), values=values,
                      error=str(error))
    start_session(request, ctx, account)
    return see_other(f"/d/{account.id}")


@router.get("/", response_class=HTMLResponse)
def home(request: Request, account: CurrentAccount, ctx: Context) -> HTMLResponse:
    dossiers = delegations.list_dossiers(ctx, account)
    return render(request, "home.html", account=account, dossiers=dossiers)


@router.get("/d/{owner_id}", response_class=HTMLResponse)
def dossier(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    overview = dossier_overview(ctx, actor)
    return render(request, "dossier.html", actor=actor, owner=overview.owner,
                  counts=overview.counts, log=overview.log)


# --- delegations ------------------------------------------------------------------------
@router.get("/d/{owner_id}/delegations", response_class=HTMLResponse)
def delegations_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    rows = delegations.list_delegations(ctx, actor)
    return render(request, "delegations.html", actor=actor, delegations=rows, roles=ROLES,
                  scopes=SCOPES, role_scopes=ROLE_DEFAULT_SCOPES)


@router.post("/d/{owner_id}/delegations", response_class=HTMLResponse)
def invite(request: Request, actor: PageActor, form: CheckedForm, ctx: Context) -> Response:
    role = _text(form, "role")
    chosen = [s for s in form.getlist("scope") if isinstance(s, str)]
    try:
        invitation = delegations.invite_delegate(ctx, actor, _text(form, "email"), role,
                                                 chosen or None)
    except ServiceError as error:
        rows = delegations.list_delegations(ctx, actor)
        return render(request, "delegations.html", actor=actor, delegations=rows, roles=ROLES,
                      scopes=SCOPES, role_scopes=ROLE_DEFAULT_SCOPES,
                      status=error_status(error), error=str(error),
                      values={"email": _text(form, "email"), "role": role})
    rows = delegations.list_delegations(ctx, actor)
    link = f"{ctx.public_url}/invite/{invitation.token}"
    return render(request, "delegations.html", actor=actor, delegations=rows, roles=ROLES,
                  scopes=SCOPES, role_scopes=ROLE_DEFAULT_SCOPES, invite_link=link,
                  status=201)


@router.post("/d/{owner_id}/delegations/{delegation_id}/withdraw")
def withdraw(delegation_id: str, actor: PageActor, form: CheckedForm, ctx: Context) -> Response:
    delegations.withdraw_delegation(ctx, actor, delegation_id)
    return see_other(f"/d/{actor.owner_id}/delegations")


@router.get("/invite/{token}", response_class=HTMLResponse)
def invitation_page(request: Request, token: str, ctx: Context) -> HTMLResponse:
    logged_in = logged_in_account(request, ctx) is not None
    return render(request, "invite.html", token=token, logged_in=logged_in)


@router.post("/invite/{token}", response_class=HTMLResponse)
def accept_invitation(request: Request, token: str, form: CheckedForm,
                      ctx: Context) -> Response:
    account = logged_in_account(request, ctx)
    try:
        password = form.get("password")
        delegation, delegate = delegations.accept_invitation(
            ctx, token, account_id=account.id if account is not None else None,
            password=password if isinstance(password, str) else None,
            display_name=_text(form, "name"))
    except ServiceError as error:
        return render(request, "invite.html", token=token, status=error_status(error),
                      error=str(error), logged_in=account is not None)
    start_session(request, ctx, delegate)
    return see_other(f"/d/{delegation.owner_id}")


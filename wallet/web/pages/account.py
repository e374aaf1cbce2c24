"""The logged-in account's own settings: a new password (which ends its other sessions), and
deleting the account with its whole dossier (which ends all of them)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from servicekit.errors import Forbidden, ServiceError
from servicekit.login_limiter import LoginLimiter
from wallet.services.account_deletion import delete_account, dossier_counts
from wallet.services.accounts import change_password
from wallet.web.auth import CheckedForm, Context, CurrentAccount, end_session, session_token
from wallet.web.render import error_status, render, see_other

if TYPE_CHECKING:  # the account row the services hand out; pages only read it
    from wallet.models import Account

router = APIRouter(include_in_schema=False)


def _locked_for(request: Request, account: Account) -> tuple[LoginLimiter, str, int]:
    """A wrong password given with a live session counts as a failed log-in: no guessing it
    from a stolen session. The seconds to wait while the account's log-ins are locked."""
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else ""
    return limiter, address, limiter.wait_seconds(account.email, address)


@router.get("/account/password", response_class=HTMLResponse)
def password_page(request: Request, account: CurrentAccount) -> HTMLResponse:
    return render(request, "password.html", account=account)


@router.post("/account/password", response_class=HTMLResponse)
def new_password(request: Request, account: CurrentAccount, form: CheckedForm,
                 ctx: Context) -> Response:
    current, new, again = (form.get(name) for name in ("current_password", "password",
                                                       "password_again"))
    if not isinstance(new, str) or new != again:
        return render(request, "password.html", account=account, status=422,
                      error_key="signup.mismatch")
    limiter, address, wait = _locked_for(request, account)
    if wait:
        return render(request, "password.html", account=account, status=429,
                      error_key="login.locked", wait=wait)
    try:
        change_password(ctx, account.id, current if isinstance(current, str) else "", new,
                        keeping_session=session_token(request))
    except ServiceError as error:
        if isinstance(error, Forbidden):
            limiter.failed(account.email, address)
        return render(request, "password.html", account=account, status=error_status(error),
                      error=str(error))
    return render(request, "password.html", account=account, changed=True)


@router.get("/account/delete", response_class=HTMLResponse)
def delete_page(request: Request, account: CurrentAccount, ctx: Context) -> HTMLResponse:
    """What will be gone, a way to take the dossier along first, and the password."""
    return render(request, "account_delete.html", account=account,
                  counts=dossier_counts(ctx, account.id))


@router.post("/account/delete", response_class=HTMLResponse)
def delete(request: Request, account: CurrentAccount, form: CheckedForm,
           ctx: Context) -> Response:
    password = form.get("password")
    limiter, address, wait = _locked_for(request, account)
    if wait:
        return render(request, "account_delete.html", account=account, status=429,
                      counts=dossier_counts(ctx, account.id), error_key="login.locked",
                      wait=wait)
    try:
        delete_account(ctx, account.id, password if isinstance(password, str) else "")
    except ServiceError as error:
        if isinstance(error, Forbidden):
            limiter.failed(account.email, address)
        return render(request, "account_delete.html", account=account,
                      status=error_status(error), counts=dossier_counts(ctx, account.id),
                      error=str(error))
    end_session(request, ctx)  # the database's session went with the account; the cookie too
    return see_other("/login?notice=deleted")

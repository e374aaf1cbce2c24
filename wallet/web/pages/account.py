"""The logged-in account's own settings: a new password (which ends its other sessions)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from servicekit.errors import Forbidden, ServiceError
from servicekit.login_limiter import LoginLimiter
from wallet.services.accounts import change_password
from wallet.web.auth import CheckedForm, Context, CurrentAccount, session_token
from wallet.web.render import error_status, render

router = APIRouter(include_in_schema=False)


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
    # A wrong current password counts as a failed log-in: no guessing it from a stolen session.
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else ""
    wait = limiter.wait_seconds(account.email, address)
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

"""The logged-in staff member's own settings: a new password (which ends the account's other
sessions)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from issuer.dependencies import Context
from issuer.services.staff_sessions import change_password
from issuer.web.auth import CheckedForm, CurrentStaff, LoginLimiter, session_token
from issuer.web.i18n import request_language, translator
from issuer.web.render import error_status, render
from servicekit.errors import Forbidden, ServiceError

router = APIRouter(include_in_schema=False)


@router.get("/staff/password")
def password_page(request: Request, staff: CurrentStaff) -> HTMLResponse:
    return render(request, "password.html", staff=staff)


@router.post("/staff/password")
def new_password(request: Request, ctx: Context, staff: CurrentStaff,
                 form: CheckedForm) -> HTMLResponse:
    t = translator(request_language(request))
    current, new, again = (form.get(name) for name in ("current_password", "password",
                                                       "password_again"))
    if not isinstance(new, str) or new != again:
        return render(request, "password.html", staff=staff, status=422,
                      error=t("password.mismatch"))
    # A wrong current password counts as a failed log-in: no guessing it from a stolen session.
    limiter: LoginLimiter = request.app.state.staff_login_limiter
    address = request.client.host if request.client else ""
    wait = limiter.wait_seconds(staff.user.email, address)
    if wait:
        return render(request, "password.html", staff=staff, status=429,
                      error=t("login.locked", seconds=wait))
    try:
        change_password(ctx, staff.user.id, current if isinstance(current, str) else "", new,
                        keeping_session=session_token(request))
    except ServiceError as error:
        if isinstance(error, Forbidden):
            limiter.failed(staff.user.email, address)
        return render(request, "password.html", staff=staff, status=error_status(error),
                      error=str(error))
    return render(request, "password.html", staff=staff, changed=True)

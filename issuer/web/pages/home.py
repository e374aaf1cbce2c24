"""Log-in, log-out and the dashboard."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from issuer.dependencies import Context
from issuer.services import endorsements, frameworks, oid4vci, records
from issuer.services.achievements import list_achievements
from issuer.services.organisations import authenticate_staff
from issuer.web.auth import (
    CheckedForm,
    CurrentStaff,
    LoginLimiter,
    end_session,
    logged_in_staff,
    start_session,
)
from issuer.web.forms import text
from issuer.web.i18n import request_language, translator
from issuer.web.render import render, see_other

router = APIRouter(include_in_schema=False)


@router.get("/")
def root() -> RedirectResponse:
    return see_other("/staff/")


@router.get("/staff/login")
def login_page(request: Request, ctx: Context) -> Response:
    if logged_in_staff(request, ctx) is not None:
        return see_other("/staff/")
    return render(request, "login.html")


@router.post("/staff/login")
def login(request: Request, ctx: Context, form: CheckedForm) -> Response:
    t = translator(request_language(request))
    email, password = text(form, "email"), form.get("password")
    password = password if isinstance(password, str) else ""
    address = request.client.host if request.client else ""
    limiter: LoginLimiter = request.app.state.staff_login_limiter
    values = {"email": email}
    wait = limiter.wait_seconds(email, address)
    if wait:
        return render(request, "login.html", status=429, values=values,
                      error=t("login.locked", seconds=wait))
    if not email or not password:
        return render(request, "login.html", status=400, values=values,
                      error=t("login.missing"))
    with ctx.reading() as session:
        user = authenticate_staff(session, email, password)
    if user is None:
        limiter.failed(email, address)
        return render(request, "login.html", status=400, values=values,
                      error=t("login.failed"))
    limiter.succeeded(email, address)
    start_session(request, ctx, user)
    return see_other("/staff/")


@router.post("/staff/logout")
def logout(request: Request, ctx: Context, _form: CheckedForm) -> RedirectResponse:
    end_session(request, ctx)
    return see_other("/staff/login")


@router.get("/staff/")
def dashboard(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    org = staff.org
    with ctx.reading() as session:
        counts = {
            "frameworks": len(frameworks.list_frameworks(session, org)),
            "achievements": len(list_achievements(session, org)),
            "issued": records.search_credentials(session, org, limit=1)[1],
            "endorsements": len(endorsements.list_endorsements(session, org)),
            "offers": len(oid4vci.list_offers(session, org)),
        }
    return render(request, "dashboard.html", staff=staff, counts=counts)

"""`install_web(app, ctx)`: sessions, language, static files and the staff page routers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from issuer.services.context import IssuerContext
from issuer.web.auth import SESSION_COOKIE, SESSION_MAX_AGE, LoginLimiter, session_secret
from issuer.web.i18n import PAGES
from issuer.web.pages import ROUTERS
from issuer.web.render import STATIC_DIR, not_found, render
from servicekit.page_middleware import PageMiddleware
from servicekit.web_session import answer_session_refusals

STAFF_PREFIX = "/staff"
# Staff pages show personal data: never cached, never framed, scripts and styles only from
# here. Images may come from https (achievement images are URLs chosen by staff).
PAGE_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "default-src 'self'; img-src 'self' https: data:; "
                               "style-src 'self'; script-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def install_web(app: FastAPI, ctx: IssuerContext) -> None:
    app.add_middleware(PageMiddleware, languages=PAGES,
                       is_page=lambda path: path.startswith(STAFF_PREFIX),
                       static_prefix=f"{STAFF_PREFIX}/static/", cookie_path=STAFF_PREFIX,
                       headers=PAGE_HEADERS)
    app.add_middleware(SessionMiddleware, secret_key=session_secret(ctx),
                       session_cookie=SESSION_COOKIE, max_age=SESSION_MAX_AGE,
                       path=STAFF_PREFIX, same_site="lax",
                       https_only=ctx.settings.session_cookie_secure)
    app.state.staff_login_limiter = LoginLimiter()
    answer_session_refusals(app, login_url=lambda _request: f"{STAFF_PREFIX}/login",
                            refused=_refused)
    # Staff pages only: elsewhere the issuer is an API (and public documents) for machines.
    app.state.not_found_page = lambda request: not_found(request, None) \
        if request.url.path.startswith(f"{STAFF_PREFIX}/") else None
    # The shared stylesheet (base.css) comes from servicekit/web_static, the rest from here.
    app.mount(f"{STAFF_PREFIX}/static",
              StaticFiles(directory=STATIC_DIR, packages=[("servicekit", "web_static")]),
              name="staff-static")
    for router in ROUTERS:
        app.include_router(router)


def _refused(request: Request, status: int, message_key: str) -> HTMLResponse:
    return render(request, "refused.html", status=status, message_key=message_key)

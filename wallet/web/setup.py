"""`install_web(app, ctx)`: sessions, language, page headers, static files, page routers."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from servicekit.api_errors import error_response, status_of
from servicekit.errors import NotFound, ServiceError
from servicekit.page_middleware import PageMiddleware
from servicekit.web_session import answer_session_refusals
from wallet.services.context import WalletContext
from wallet.web.auth import SESSION_COOKIE, session_secret
from wallet.web.i18n import PAGES
from wallet.web.pages import ROUTERS
from wallet.web.render import STATIC_DIR, refused

# The JSON API and the public share routes set their own headers; these are for pages.
API_PREFIXES = ("/api/", "/health", "/openapi.json", "/docs")
PAGE_HEADERS = {
    "cache-control": "no-store",
    "content-security-policy": "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                               "style-src 'self'; script-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
}


def install_web(app: FastAPI, ctx: WalletContext) -> None:
    app.add_middleware(PageMiddleware, languages=PAGES,
                       is_page=lambda path: not path.startswith(API_PREFIXES),
                       static_prefix="/static/", cookie_path="/", headers=PAGE_HEADERS)
    app.add_middleware(SessionMiddleware, secret_key=session_secret(ctx),
                       session_cookie=SESSION_COOKIE,
                       max_age=ctx.settings.session_lifetime_seconds, same_site="lax",
                       https_only=ctx.settings.session_cookie_secure)
    answer_session_refusals(app, login_url=lambda request: f"/login?next={request.url.path}",
                            refused=refused)
    app.add_exception_handler(ServiceError, _service_error)  # replaces the JSON-only handler
    app.state.not_found_page = lambda request: refused(request, 404, "refused.not_found")
    app.mount("/static", StaticFiles(directory=STATIC_DIR,
                                     packages=[("servicekit", "web_static")]), name="static")
    for router in ROUTERS:
        app.include_router(router)


async def _service_error(request: Request, error: Exception) -> Response:
    """A refusal: JSON for the API (and public JSON), a page in the page's language for
    people, with the service's reason."""
    status = status_of(error) if isinstance(error, ServiceError) else 400
    if request.url.path.startswith(API_PREFIXES) or \
            "application/json" in request.headers.get("accept", ""):
        return error_response(status, str(error))
    key = "refused.not_found" if isinstance(error, NotFound) else "refused.service"
    return refused(request, status, key, detail=str(error))

"""Rendering the employer pages: the Jinja2 environment, the page headers and the one
`render` every page uses (language from ?lang= or the cookie, kept in the cookie)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from standards.fetcher import FetchPolicy
from verifier.web import report_view
from verifier.web.i18n import LANGUAGE_COOKIE, LANGUAGES, chosen_language, translator

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PATH = "/static"
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600

templates = Jinja2Templates(directory=TEMPLATE_DIR)
templates.env.trim_blocks = True  # no blank lines where block tags stood
templates.env.lstrip_blocks = True
templates.env.globals.update(
    verdict=report_view.verdict, headline=report_view.headline,
    issuer_name=report_view.issuer_name,
    registry_identifiers=report_view.registry_identifiers,
    check_rows=report_view.check_rows, evidence_items=report_view.evidence_items,
    is_web_link=report_view.is_web_link, scope_explanation=report_view.scope_explanation,
    readable_date=report_view.readable_date, readable_moment=report_view.readable_moment,
    static=STATIC_PATH)


def page_headers(policy: FetchPolicy) -> dict[str, str]:
    """What the pages show is someone's credential: never cached, never framed, scripts and
    styles only from here. Evidence images are shown from where the credential says they
    are (https, data:, or a host the verifier may reach over plain http); the camera may be
    used by this page only."""
    local_images = "".join(f" http://{host}:*" for host in policy.allow_http_for)
    return {
        "cache-control": "no-store",
        "content-security-policy": "default-src 'self'; "
                                   f"img-src 'self' https: data:{local_images}; "
                                   "style-src 'self'; script-src 'self'; connect-src 'self'; "
                                   "form-action 'self'; frame-ancestors 'none'; "
                                   "base-uri 'none'; object-src 'none'",
        "permissions-policy": "camera=(self), microphone=(), geolocation=()",
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "no-referrer",
    }


def render(request: Request, template: str, *, status: int = 200, here: str | None = None,
           **context: Any) -> HTMLResponse:
    """`template` in the request's language. `here` is where the language links point (a
    page reached by a form post cannot be fetched again: its links go home)."""
    language, chosen_now = chosen_language(request)
    base = {"lang": language, "languages": LANGUAGES, "t": translator(language),
            "here": here or request.url.path}
    response = templates.TemplateResponse(request, template, {**base, **context},
                                          status_code=status,
                                          headers=request.app.state.verifier_page_headers)
    if chosen_now:
        response.set_cookie(LANGUAGE_COOKIE, language, max_age=LANGUAGE_COOKIE_SECONDS,
                            httponly=True, samesite="lax")
    return response

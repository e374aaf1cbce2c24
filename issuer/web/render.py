"""Rendering the staff pages: the Jinja2 environment and the one `render` every page uses."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

import opendossier
from issuer.services.context import IssuerError
from issuer.web.auth import CSRF_FIELD, Staff, csrf_token
from issuer.web.forms import FormProblem
from issuer.web.i18n import LANGUAGES, request_language, translator

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
SHARED_TEMPLATE_DIR = Path(opendossier.__file__).parent / "web_templates"

# The service's own templates first, then the form macros all services share.
templates = Jinja2Templates(directory=[TEMPLATE_DIR, SHARED_TEMPLATE_DIR])


def format_moment(moment: datetime | None) -> str:
    """Date and time in UTC, the same in both languages (2025-03-01 14:05 UTC)."""
    if moment is None:
        return ""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


templates.env.filters["moment"] = format_moment
templates.env.trim_blocks = True  # no blank lines where block tags stood
templates.env.lstrip_blocks = True


def render(request: Request, template: str, *, staff: Staff | None = None, status: int = 200,
           headers: Mapping[str, str] | None = None, **context: Any) -> HTMLResponse:
    language = request_language(request)
    base = {
        "lang": language,
        "languages": LANGUAGES,
        "t": translator(language),
        "staff": staff,
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request),
        "path": request.url.path,
        "values": {},
        "error": None,
    }
    return templates.TemplateResponse(request, template, {**base, **context},
                                      status_code=status, headers=headers)


def see_other(url: str) -> RedirectResponse:
    """After a successful post: 303, so reloading the next page does not post again."""
    return RedirectResponse(url, status_code=303)


def error_status(error: Exception) -> int:
    """The status a form page answers with when its input is refused."""
    if isinstance(error, IssuerError):
        return error.status if 400 <= error.status < 500 else 422
    return 400


def error_text(request: Request, error: Exception) -> str:
    """The message to show on a form: ours in the page's language, a service's as it is."""
    t = translator(request_language(request))
    if isinstance(error, FormProblem):
        values = {name: t(value) if name == "field" else value
                  for name, value in error.values.items()}
        return t(error.key, **values)
    return str(error)


def not_found(request: Request, staff: Staff) -> HTMLResponse:
    return render(request, "refused.html", staff=staff, status=404,
                  message_key="refused.not_found")

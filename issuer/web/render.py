"""Rendering the staff pages: the Jinja2 environment and the one `render` every page uses."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from issuer.web.auth import CSRF_FIELD, Staff, csrf_token
from issuer.web.forms import FormProblem
from issuer.web.i18n import LANGUAGES, request_language, translator
from servicekit.page_templates import error_status, page_templates, see_other

__all__ = ["error_status", "render", "see_other"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = page_templates(TEMPLATE_DIR)


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


def error_text(request: Request, error: Exception) -> str:
    """The message to show on a form: ours in the page's language, a service's as it is."""
    t = translator(request_language(request))
    if isinstance(error, FormProblem):
        values = {name: t(value) if name == "field" else value
                  for name, value in error.values.items()}
        return t(error.key, **values)
    return str(error)


def not_found(request: Request, staff: Staff | None) -> HTMLResponse:
    return render(request, "refused.html", staff=staff, status=404,
                  message_key="refused.not_found")

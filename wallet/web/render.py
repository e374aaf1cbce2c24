"""Rendering the wallet's pages: the Jinja2 environment and the one `render` every page uses."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse

from servicekit.page_templates import error_status, page_templates, see_other
from wallet.services.access import Actor
from wallet.web.auth import CSRF_FIELD, csrf_token, session_token
from wallet.web.i18n import LANGUAGES, request_language, translator

__all__ = ["error_status", "render", "see_other"]

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = page_templates(TEMPLATE_DIR)

# The dossier's areas in the navigation: (path under /d/{owner}, text key, scope needed;
# None: the owner only).
NAVIGATION = [
    ("", "nav.dossier", ""),
    ("/evidence", "nav.evidence", "evidence:read"),
    ("/reflections", "nav.reflections", "reflections:read"),
    ("/credentials", "nav.credentials", "credentials:read"),
    ("/profile", "nav.profile", "profile:read"),
    ("/reports", "nav.reports", None),
    ("/shares", "nav.shares", None),
    ("/cv", "nav.cv", None),
    ("/move", "nav.move", None),
    ("/delegations", "nav.delegations", None),
]


def navigation(actor: Actor | None) -> list[tuple[str, str]]:
    if actor is None:
        return []
    items = []
    for path, key, scope in NAVIGATION:
        allowed = actor.is_owner if scope is None else (not scope or actor.can(scope)
                                                          or _adds(actor, path))
        if allowed:
            items.append((f"/d/{actor.owner_id}{path}", key))
    return items


def _adds(actor: Actor, path: str) -> bool:
    """A delegate who may add evidence or write reflections sees those pages (and there
    only what they added or wrote themselves)."""
    return (path == "/evidence" and actor.can("evidence:add")) or \
        (path == "/reflections" and actor.can("reflections:write"))


def render(request: Request, template: str, *, actor: Actor | None = None, status: int = 200,
           headers: Mapping[str, str] | None = None, **context: Any) -> HTMLResponse:
    language = request_language(request)
    base = {
        "lang": language,
        "languages": LANGUAGES,
        "t": translator(language),
        "actor": actor,
        "logged_in": session_token(request) is not None,
        "nav": navigation(actor),
        "csrf_field": CSRF_FIELD,
        "csrf_token": csrf_token(request) if "session" in request.scope else "",
        "path": request.url.path,
        "values": {},
        "error": None,
    }
    return templates.TemplateResponse(request, template, {**base, **context},
                                      status_code=status, headers=headers)


def error_text(request: Request, error: Exception) -> str:
    """A service's refusal as it is (English, precise); our own form problems by key."""
    return str(error)


def refused(request: Request, status: int, message_key: str, actor: Actor | None = None,
            detail: str = "") -> HTMLResponse:
    return render(request, "refused.html", actor=actor, status=status, message_key=message_key,
                  detail=detail)

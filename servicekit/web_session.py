"""What the services' pages share about sessions: the cookie-signing secret, CSRF tokens,
reading a posted form only once its token matches, and which log-in session the cookie names.

The cookie (Starlette's SessionMiddleware, signed) holds only the CSRF token and, once logged
in, the token of a log-in session stored in the role's database (servicekit.login_sessions):
who is logged in, and whether that session still lives, is the database's to say, so log-out
ends a session even for a copy of the cookie. The signing secret is derived from the
service's key-encryption key (HKDF, one purpose string per service), so every process sharing
the data directory accepts the same cookies and the secret is stored nowhere.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator, Callable

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

CSRF_FIELD = "csrf_token"


class CsrfRefused(Exception):
    """A form post without the session's CSRF token; answered with 403."""


class FormTooLarge(Exception):
    """A form larger than the page's limit; answered with 413."""


def session_secret(key_encryption_key: bytes, purpose: bytes) -> str:
    """The cookie-signing secret: HKDF of the key-encryption key, for this one purpose."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose)
    return derived.derive(key_encryption_key).hex()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


def renew_csrf_token(request: Request) -> None:
    """At log-in: a fresh token, so nothing from before carries over."""
    request.session["csrf"] = secrets.token_urlsafe(32)


def check_csrf(request: Request, given: object) -> None:
    """CsrfRefused unless `given` is the session's token (compared in constant time)."""
    expected = request.session.get("csrf")
    if not isinstance(expected, str) or not isinstance(given, str) or \
            not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfRefused()


def checked_form_reader(max_bytes: int, max_fields: int,
                        max_files: int) -> Callable[[Request], AsyncIterator[FormData]]:
    """A FastAPI dependency: the posted form, once its CSRF token matches (else CsrfRefused;
    FormTooLarge when it declares more than `max_bytes`)."""

    async def checked_form(request: Request) -> AsyncIterator[FormData]:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise FormTooLarge()
        form = await request.form(max_fields=max_fields, max_files=max_files)
        try:
            check_csrf(request, form.get(CSRF_FIELD))
            yield form
        finally:
            await form.close()

    return checked_form


class LoginRequired(Exception):
    """A page for logged-in users asked without a live log-in session (none, or one ended or
    expired since); each service answers it with a redirect to its log-in page."""


SESSION_TOKEN_KEY = "session"  # the log-in session's token in the cookie


def session_token(request: Request) -> str | None:
    """The token of the log-in session the cookie names (live or not: the database says)."""
    token = request.session.get(SESSION_TOKEN_KEY) if "session" in request.scope else None
    return token if isinstance(token, str) and token else None


def start_session(request: Request, token: str) -> None:
    """At log-in: a cookie naming the new log-in session, with a fresh CSRF token; nothing
    from before carries over."""
    request.session.clear()
    request.session[SESSION_TOKEN_KEY] = token
    renew_csrf_token(request)


def end_session(request: Request) -> None:
    """The cookie forgets the session (the role ends it in its database)."""
    request.session.clear()


def answer_session_refusals(app: FastAPI, *, login_url: Callable[[Request], str],
                            refused: Callable[[Request, int, str], Response]) -> None:
    """How a service's pages answer the refusals above: LoginRequired with a redirect to
    `login_url(request)`, CsrfRefused (403) and FormTooLarge (413) with the service's refusal
    page, `refused(request, status, message_key)`."""

    async def to_login(request: Request, _error: Exception) -> Response:
        return RedirectResponse(login_url(request), status_code=303)

    async def csrf_refused(request: Request, _error: Exception) -> Response:
        return refused(request, 403, "refused.csrf")

    async def too_large(request: Request, _error: Exception) -> Response:
        return refused(request, 413, "refused.too_large")

    app.add_exception_handler(LoginRequired, to_login)
    app.add_exception_handler(CsrfRefused, csrf_refused)
    app.add_exception_handler(FormTooLarge, too_large)

"""Staff sessions: log-in limiter, the logged-in staff member, CSRF tokens on every form.

The session lives in a signed cookie (Starlette's SessionMiddleware). Its signing secret is
derived from the key-encryption key, so every process sharing the data directory (or the
OPENDOSSIER_ISSUER_SECRET_KEY) accepts the same cookies, and the secret itself is stored
nowhere.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Depends, Request
from sqlmodel import Session
from starlette.datastructures import FormData

from issuer.api.deps import Context
from issuer.models import Organisation, StaffUser
from issuer.services.context import IssuerContext
from opendossier.login_limiter import LoginLimiter

__all__ = ["LoginLimiter"]

SESSION_COOKIE = "od_issuer_staff"
SESSION_MAX_AGE = 8 * 3600  # one working day; then log in again
CSRF_FIELD = "csrf_token"
MAX_FORM_BYTES = 21 * 1024 * 1024  # room for a 20 MB bulk CSV (10,000 rows are ~1 MB)
MAX_FORM_FIELDS = 5000  # competence checkboxes of large frameworks


def session_secret(ctx: IssuerContext) -> str:
    """The cookie-signing secret: HKDF of the key-encryption key, for this one purpose."""
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"opendossier issuer staff session cookie v1")
    return derived.derive(ctx.settings.key_encryption_key()).hex()


class LoginRequired(Exception):
    """Raised by `current_staff`; answered with a redirect to the log-in page."""


class CsrfRefused(Exception):
    """A form post without the session's CSRF token; answered with 403."""


class FormTooLarge(Exception):
    """A form post larger than MAX_FORM_BYTES; answered with 413."""


@dataclass(frozen=True)
class Staff:
    user: StaffUser
    org: Organisation


def current_staff(request: Request, ctx: Context) -> Staff:
    staff_id = request.session.get("staff_id")
    if not isinstance(staff_id, str):
        raise LoginRequired()
    with Session(ctx.engine, expire_on_commit=False) as session:
        user = session.get(StaffUser, staff_id)
        org = session.get(Organisation, user.org_id) if user else None
    if user is None or org is None:  # the account was removed since log-in
        request.session.clear()
        raise LoginRequired()
    return Staff(user, org)


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def start_session(request: Request, user: StaffUser) -> None:
    # A fresh session (and CSRF token) at log-in: nothing from before carries over.
    request.session.clear()
    request.session["staff_id"] = user.id
    request.session["csrf"] = secrets.token_urlsafe(32)


def end_session(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def checked_form(request: Request) -> AsyncIterator[FormData]:
    """The posted form, once its CSRF token matches the session's (else CsrfRefused)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        raise FormTooLarge()
    form = await request.form(max_fields=MAX_FORM_FIELDS, max_files=4)
    try:
        expected = request.session.get("csrf")
        given = form.get(CSRF_FIELD)
        if not isinstance(expected, str) or not isinstance(given, str) or \
                not hmac.compare_digest(expected.encode(), given.encode()):
            raise CsrfRefused()
        yield form
    finally:
        await form.close()


CheckedForm = Annotated[FormData, Depends(checked_form)]

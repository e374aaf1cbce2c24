"""Staff sessions: log-in limiter, the logged-in staff member, CSRF tokens on every form
(the cookie secret and the CSRF checks are servicekit.web_session's; the log-in sessions live
in the database, issuer.services.staff_sessions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from issuer.dependencies import Context
from issuer.services import staff_sessions
from issuer.services.context import IssuerContext
from servicekit import web_session
from servicekit.login_limiter import LoginLimiter
from servicekit.web_session import (
    CSRF_FIELD,
    LoginRequired,
    checked_form_reader,
    csrf_token,
    session_token,
)

if TYPE_CHECKING:  # entities the services hand out; pages only name them
    from issuer.models import Organisation, StaffUser

__all__ = ["CSRF_FIELD", "LoginLimiter", "csrf_token", "session_token"]

SESSION_COOKIE = "od_issuer_staff"
# The cookie lasts as long as a session does (the database ends the session itself).
SESSION_MAX_AGE = int(staff_sessions.SESSION_LIFETIME.total_seconds())
MAX_FORM_BYTES = 21 * 1024 * 1024  # room for a 20 MB bulk CSV (10,000 rows are ~1 MB)
MAX_FORM_FIELDS = 5000  # competence checkboxes of large frameworks


def session_secret(ctx: IssuerContext) -> str:
    return web_session.session_secret(ctx.settings.key_encryption_key(),
                                      b"opendossier issuer staff session cookie v1")


@dataclass(frozen=True)
class Staff:
    user: StaffUser
    org: Organisation


def logged_in_staff(request: Request, ctx: IssuerContext) -> Staff | None:
    """The staff member of the cookie's log-in session, if that session still lives (else
    the cookie forgets it)."""
    token = session_token(request)
    found = staff_sessions.staff_of_session(ctx, token) if token else None
    if found is None:
        if token:  # logged out, expired, or the account was removed
            web_session.end_session(request)
        return None
    return Staff(*found)


def current_staff(request: Request, ctx: Context) -> Staff:
    staff = logged_in_staff(request, ctx)
    if staff is None:
        raise LoginRequired()
    return staff


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def start_session(request: Request, ctx: IssuerContext, user: StaffUser) -> None:
    """Log-in: a new session in the database, named by the cookie (a session the cookie
    named before ends: nothing carries over)."""
    end_session(request, ctx)
    web_session.start_session(request, staff_sessions.log_in(ctx, user))


def end_session(request: Request, ctx: IssuerContext) -> None:
    """Log-out: the session ends in the database (a copy of the cookie no longer works),
    and the cookie forgets it."""
    token = session_token(request)
    if token:
        staff_sessions.log_out(ctx, token)
    web_session.end_session(request)


checked_form = checked_form_reader(MAX_FORM_BYTES, MAX_FORM_FIELDS, max_files=4)
CheckedForm = Annotated[FormData, Depends(checked_form)]

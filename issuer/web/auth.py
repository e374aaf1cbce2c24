"""Staff sessions: log-in limiter, the logged-in staff member, CSRF tokens on every form
(the cookie secret and the CSRF checks are servicekit.web_session's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from issuer.dependencies import Context
from issuer.services.context import IssuerContext
from issuer.services.organisations import staff_member
from servicekit import web_session
from servicekit.login_limiter import LoginLimiter
from servicekit.web_session import (
    CSRF_FIELD,
    LoginRequired,
    checked_form_reader,
    csrf_token,
    end_session,
    logged_in_id,
)

if TYPE_CHECKING:  # entities the services hand out; pages only name them
    from issuer.models import Organisation, StaffUser

__all__ = ["CSRF_FIELD", "LoginLimiter", "csrf_token", "end_session"]

SESSION_COOKIE = "od_issuer_staff"
SESSION_KEY = "staff_id"  # the logged-in staff member's id in the session
SESSION_MAX_AGE = 8 * 3600  # one working day; then log in again
MAX_FORM_BYTES = 21 * 1024 * 1024  # room for a 20 MB bulk CSV (10,000 rows are ~1 MB)
MAX_FORM_FIELDS = 5000  # competence checkboxes of large frameworks


def session_secret(ctx: IssuerContext) -> str:
    return web_session.session_secret(ctx.settings.key_encryption_key(),
                                      b"opendossier issuer staff session cookie v1")


@dataclass(frozen=True)
class Staff:
    user: StaffUser
    org: Organisation


def current_staff(request: Request, ctx: Context) -> Staff:
    staff_id = logged_in_id(request, SESSION_KEY)
    with ctx.reading() as session:
        found = staff_member(session, staff_id)
    if found is None:  # the account was removed since log-in
        end_session(request)
        raise LoginRequired()
    return Staff(*found)


CurrentStaff = Annotated[Staff, Depends(current_staff)]


def start_session(request: Request, user: StaffUser) -> None:
    web_session.start_session(request, SESSION_KEY, user.id)


checked_form = checked_form_reader(MAX_FORM_BYTES, MAX_FORM_FIELDS, max_files=4)
CheckedForm = Annotated[FormData, Depends(checked_form)]

"""Log-in sessions of the staff pages, kept in the issuer's database
(servicekit.login_sessions): the cookie names a session, log-out ends it, a new password ends
the account's others, and removing a staff account removes its sessions. Every process on
the same database sees the same sessions.

Each function is a whole request, in a database session of its own.
"""

from __future__ import annotations

from datetime import timedelta

from issuer.models import Organisation, StaffSession, StaffUser, utc_now
from issuer.services.context import IssuerContext
from issuer.services.organisations import set_staff_password, staff_member, staff_password_matches
from servicekit import login_sessions
from servicekit.errors import Forbidden

SESSION_LIFETIME = timedelta(hours=8)  # one working day; then log in again


def log_in(ctx: IssuerContext, user: StaffUser) -> str:
    """A new session of the staff member; its token, shown once (put in the cookie)."""
    with ctx.changing() as session:
        return login_sessions.open_login_session(session, StaffSession, user.id,
                                                 now=utc_now(), lifetime=SESSION_LIFETIME)


def staff_of_session(ctx: IssuerContext, token: str) -> tuple[StaffUser, Organisation] | None:
    """The staff member and organisation of a live session; None when the token is unknown,
    ended or expired, or the account or organisation is gone."""
    with ctx.reading() as session:
        row = login_sessions.live_login_session(session, StaffSession, token, now=utc_now())
        return staff_member(session, row.account_id) if row is not None else None


def log_out(ctx: IssuerContext, token: str) -> None:
    with ctx.changing() as session:
        login_sessions.end_login_session(session, StaffSession, token, now=utc_now())


def change_password(ctx: IssuerContext, staff_id: str, current: str, new: str, *,
                    keeping_session: str | None) -> None:
    """The logged-in staff member chooses a new password, giving the current one (Forbidden
    when wrong): every other session of the account ends."""
    with ctx.changing() as session:
        user = session.get(StaffUser, staff_id)
        if user is None or not staff_password_matches(user, current):
            raise Forbidden("the current password is wrong")
        set_staff_password(session, user, new)
        login_sessions.end_account_sessions(session, StaffSession, user.id, now=utc_now(),
                                            keeping=keeping_session)

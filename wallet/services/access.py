"""Who may do what in which dossier: the owner everything, a delegate only its scopes.

Every service function takes an `Actor`, made here by `acting_as`; it names the account that
acts and the dossier (owner) it acts in. A delegation that is withdrawn stops working at
once, because it is looked up for every request. Someone without access gets NotFound, the
same answer as for a dossier that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from wallet.models import Account, AuditEvent, Delegation
from wallet.services.context import Forbidden, NotFound, WalletContext

# What a delegate can be granted. The owner can do everything, including what only an
# owner may: approve, delete, share, export, delegate, and the online CV.
SCOPES = {
    "evidence:add": "add evidence",
    "evidence:read": "see the evidence",
    "reflections:write": "write reflections",
    "reflections:read": "see the reflections",
    "credentials:read": "see the credentials",
    "profile:read": "see the competence profile",
}
ROLES = ("coordinator", "employer", "mentor")
ROLE_DEFAULT_SCOPES = {
    "coordinator": ["evidence:add", "evidence:read", "reflections:write", "reflections:read",
                    "profile:read"],
    "employer": ["evidence:add", "reflections:write"],
    "mentor": ["reflections:write", "evidence:read"],
}


@dataclass(frozen=True)
class Actor:
    account: Account  # who acts
    owner_id: str  # in whose dossier
    role: str  # "owner" or the delegation's role
    scopes: frozenset[str]
    delegation_id: str | None = None

    @property
    def is_owner(self) -> bool:
        return self.role == "owner"

    def can(self, scope: str) -> bool:
        return self.is_owner or scope in self.scopes

    def require(self, scope: str) -> None:
        if not self.can(scope):
            raise Forbidden(f"your delegation does not allow you to {SCOPES.get(scope, scope)}")

    def require_owner(self, what: str) -> None:
        if not self.is_owner:
            raise Forbidden(f"only the owner of the dossier can {what}")


def acting_as(session: Session, account: Account, owner_id: str) -> Actor:
    """`account` acting in `owner_id`'s dossier, or NotFound."""
    if owner_id == account.id:
        return Actor(account, account.id, "owner", frozenset(SCOPES))
    delegation = session.exec(
        select(Delegation).where(Delegation.owner_id == owner_id,
                                 Delegation.delegate_id == account.id,
                                 Delegation.withdrawn_at == None)  # noqa: E711 (SQL)
    ).first()
    if delegation is None:
        raise NotFound("no such dossier")
    return Actor(account, owner_id, delegation.role, frozenset(delegation.scopes),
                 delegation.id)


def owner_actor(account: Account) -> Actor:
    """The owner acting in their own dossier (command line, background work)."""
    return Actor(account, account.id, "owner", frozenset(SCOPES))


def record(session: Session, actor: Actor, action: str, subject_id: str | None = None,
           detail: str = "") -> None:
    """Write who did what on whose behalf to the dossier's log."""
    session.add(AuditEvent(owner_id=actor.owner_id, actor_id=actor.account.id, action=action,
                           subject_id=subject_id, detail=detail[:500]))


# --- whole requests, each in a session of its own (what the pages call) ---------------

def dossier_actor(ctx: WalletContext, account: Account, owner_id: str) -> Actor:
    """`acting_as` for one request: `account` in `owner_id`'s dossier, or NotFound."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        return acting_as(session, account, owner_id)

"""Delegation: the owner invites a coordinator, employer or mentor with a role and scopes;
the invitee accepts with the invitation token (making an account if needed); the owner
withdraws it at once."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from wallet.db import session_scope
from wallet.models import Account, AuditEvent, Delegation, iso, utc_now
from wallet.services.access import ROLE_DEFAULT_SCOPES, ROLES, SCOPES, Actor, record
from wallet.services.accounts import account_by_email, new_account, normalise_email
from wallet.services.context import Conflict, NotFound, WalletContext, WalletError


@dataclass(frozen=True)
class Invitation:
    delegation: Delegation
    token: str  # shown once, to pass on to the invitee


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invite(session: Session, actor: Actor, email: str, role: str,
           scopes: list[str] | None = None) -> Invitation:
    actor.require_owner("invite someone")
    if role not in ROLES:
        raise WalletError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}", 422)
    chosen = list(ROLE_DEFAULT_SCOPES[role] if scopes is None else scopes)
    unknown = [s for s in chosen if s not in SCOPES]
    if unknown:
        raise WalletError(f"unknown scope(s): {', '.join(unknown)}; known: "
                          f"{', '.join(SCOPES)}", 422)
    email = normalise_email(email)
    if email == actor.account.email:
        raise WalletError("you cannot invite yourself", 422)
    token = secrets.token_urlsafe(24)
    delegation = Delegation(owner_id=actor.owner_id, invite_email=email, role=role,
                            scopes_json=json.dumps(sorted(set(chosen))),
                            invite_token_hash=_hash(token))
    session.add(delegation)
    session.flush()
    record(session, actor, "delegation.invite", delegation.id, f"{role} {email}")
    return Invitation(delegation, token)


def accept(ctx: WalletContext, session: Session, token: str, *, account: Account | None = None,
           password: str | None = None, display_name: str = "") -> Delegation:
    """Accept as the logged-in `account`, or as a new account with `password`."""
    delegation = session.exec(
        select(Delegation).where(Delegation.invite_token_hash == _hash(token))).first()
    if delegation is None or delegation.withdrawn_at is not None:
        raise NotFound("this invitation does not exist or was withdrawn")
    if delegation.delegate_id is not None:
        raise Conflict("this invitation was already accepted")
    if account is None:
        existing = account_by_email(session, delegation.invite_email)
        if existing is not None:
            raise Conflict("there is an account for this e-mail address: log in first, "
                           "then accept the invitation")
        if not password:
            raise WalletError("choose a password to make your account", 422)
        account = new_account(ctx, session, delegation.invite_email, password=password,
                              display_name=display_name)
    if account.id == delegation.owner_id:
        raise WalletError("you cannot be a delegate in your own dossier", 422)
    delegation.delegate_id = account.id
    delegation.accepted_at = utc_now()
    session.add(delegation)
    session.add(AuditEvent(owner_id=delegation.owner_id, actor_id=account.id,
                           action="delegation.accept", subject_id=delegation.id))
    return delegation


def withdraw(session: Session, actor: Actor, delegation_id: str) -> Delegation:
    actor.require_owner("withdraw a delegation")
    delegation = session.get(Delegation, delegation_id)
    if delegation is None or delegation.owner_id != actor.owner_id:
        raise NotFound("no such delegation")
    if delegation.withdrawn_at is None:
        delegation.withdrawn_at = utc_now()
        session.add(delegation)
        record(session, actor, "delegation.withdraw", delegation.id)
    return delegation


def delegations_of(session: Session, actor: Actor) -> list[Delegation]:
    actor.require_owner("see the delegations")
    return list(session.exec(select(Delegation).where(Delegation.owner_id == actor.owner_id)
                             .order_by(col(Delegation.created_at).desc())))


def dossiers_for(session: Session, account: Account) -> list[dict[str, Any]]:
    """The dossiers `account` can act in: its own and those delegated to it."""
    found = [{"owner": account.id, "email": account.email, "name": account.display_name,
              "did": account.did, "role": "owner", "scopes": sorted(SCOPES)}]
    rows = session.exec(
        select(Delegation, Account).join(Account, col(Account.id) == Delegation.owner_id)
        .where(Delegation.delegate_id == account.id,
               Delegation.withdrawn_at == None)  # noqa: E711 (SQL)
    ).all()
    for delegation, owner in rows:
        found.append({"owner": owner.id, "email": owner.email, "name": owner.display_name,
                      "did": owner.did, "role": delegation.role,
                      "scopes": delegation.scopes, "delegation": delegation.id})
    return found


def delegation_json(delegation: Delegation) -> dict[str, Any]:
    return {"id": delegation.id, "email": delegation.invite_email, "role": delegation.role,
            "scopes": delegation.scopes, "delegate": delegation.delegate_id,
            "createdAt": iso(delegation.created_at), "acceptedAt": iso(delegation.accepted_at),
            "withdrawnAt": iso(delegation.withdrawn_at)}


# --- whole requests, each in a session of its own (what the pages call) ---------------

def list_dossiers(ctx: WalletContext, account: Account) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return dossiers_for(session, account)


def list_delegations(ctx: WalletContext, actor: Actor) -> list[Delegation]:
    with Session(ctx.engine) as session:
        return delegations_of(session, actor)


def invite_delegate(ctx: WalletContext, actor: Actor, email: str, role: str,
                    scopes: list[str] | None) -> Invitation:
    with session_scope(ctx.engine) as session:
        return invite(session, actor, email, role, scopes)


def withdraw_delegation(ctx: WalletContext, actor: Actor, delegation_id: str) -> Delegation:
    with session_scope(ctx.engine) as session:
        return withdraw(session, actor, delegation_id)


def accept_invitation(ctx: WalletContext, token: str, *, account_id: str | None,
                      password: str | None, display_name: str) -> tuple[Delegation, Account]:
    """`accept` as the logged-in account `account_id` (or a new one): the delegation and
    the delegate's account, to log in as."""
    with session_scope(ctx.engine) as session:
        account = session.get(Account, account_id) if account_id is not None else None
        delegation = accept(ctx, session, token, account=account, password=password,
                            display_name=display_name)
        delegate = session.get(Account, delegation.delegate_id)
    assert delegate is not None  # accept() has just set delegate_id to an existing account
    return delegation, delegate

"""A dossier at a glance: how many items of each kind it holds (and how many wait for the
owner's decision), whose it is, and — for the owner — the latest entries of its log."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, func, select

from wallet.models import Account, AuditEvent, Evidence, Reflection, Share, StoredCredential
from wallet.services.access import Actor
from wallet.services.context import WalletContext

LOG_LENGTH = 15


@dataclass(frozen=True)
class DossierOverview:
    owner: Account | None
    counts: dict[str, int]  # evidence, pending, reflections, credentials, shares
    # newest first: (event, who did it, None when that account was deleted); owner only
    log: list[tuple[AuditEvent, Account | None]]


def dossier_overview(ctx: WalletContext, actor: Actor) -> DossierOverview:
    owner = actor.owner_id
    with Session(ctx.engine) as session:
        counts = {
            "evidence": _count(session, Evidence, owner, Evidence.status == "approved"),
            "pending": _count(session, Evidence, owner, Evidence.status == "pending")
            + _count(session, Reflection, owner, Reflection.status == "pending"),
            "reflections": _count(session, Reflection, owner, Reflection.status == "approved"),
            "credentials": _count(session, StoredCredential, owner),
            "shares": _count(session, Share, owner, Share.revoked_at == None),  # noqa: E711
        }
        owner_account = session.get(Account, owner)
        log: list[tuple[AuditEvent, Account | None]] = []
        if actor.is_owner:
            log = [(event, who) for event, who in session.exec(
                select(AuditEvent, Account)
                .outerjoin(Account, col(Account.id) == AuditEvent.actor_id)
                .where(AuditEvent.owner_id == owner)
                .order_by(col(AuditEvent.at).desc()).limit(LOG_LENGTH))]
    return DossierOverview(owner_account, counts, log)


def _count(session: Session, table: Any, owner_id: str, *conditions: Any) -> int:
    statement = select(func.count()).select_from(table).where(table.owner_id == owner_id,
                                                              *conditions)
    return int(session.exec(statement).one())

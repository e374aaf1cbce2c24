"""An owner deletes her account: her whole dossier, her delegations both ways, her log-in
sessions and the account itself go, in one transaction; then the evidence files no other
item uses go from the store.

What she did in other owners' dossiers as a delegate stays there, because it is part of
their dossier: evidence she added, reflections she wrote (signed with her DID, which the
signed text keeps) and the log lines of what she did. Those rows no longer name her account
(`added_by`, `author_id`, `actor_id` become NULL, as their foreign keys also do ON DELETE
SET NULL), so nothing refers to an account that is gone, on SQLite and PostgreSQL alike.
Each owner she was a delegate for finds a line in the dossier's log that her account was
deleted.

The password proves that the one asking is the owner, not a borrowed session. An account
without a password (an owner an archive import made) cannot log in, so it never gets here
through the pages or the API; the password check refuses it like a wrong password. The
wallet's operator gives such an account a password first (`opendossier wallet create-owner
EMAIL --password-file FILE`); then its owner can log in and delete it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Executable, delete, func, insert, select, update
from sqlmodel import Session, col

from servicekit.errors import Forbidden
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.models import (
    Account,
    AuditEvent,
    Competence,
    CvPage,
    Delegation,
    Evidence,
    InternshipReport,
    LoginSession,
    Reflection,
    Share,
    ShareView,
    ShareViewDay,
    StoredCredential,
    new_id,
)
from wallet.services.accounts import password_matches
from wallet.services.context import WalletContext

# The tables of a dossier (each row carries `owner_id`), by the name the answer counts them
# under, each deleted before what it refers to: a report before the evidence and reflections
# it lists. Link rows go with either end (ON DELETE CASCADE).
DOSSIER_TABLES: list[tuple[str, Any]] = [
    ("internshipReports", InternshipReport), ("cvPage", CvPage), ("shares", Share),
    ("reflections", Reflection), ("evidence", Evidence), ("credentials", StoredCredential),
    ("competences", Competence), ("auditEvents", AuditEvent),
]


@dataclass(frozen=True)
class DeletedAccount:
    """How many rows went, by kind; how many evidence files left the store (those no item
    of any owner still uses); and what stays in other owners' dossiers without her name
    (evidence she added, reflections she wrote, log lines of what she did there)."""

    deleted: dict[str, int]
    evidence_files_removed: int
    kept_elsewhere: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"deleted": self.deleted, "evidenceFilesRemoved": self.evidence_files_removed,
                "keptInOtherDossiers": self.kept_elsewhere}


def dossier_counts(ctx: WalletContext, account_id: str) -> dict[str, int]:
    """What deleting the account would take, for the owner to see first: how many items of
    each kind, whether the online CV is on (1) and the delegations still in force."""
    def count(table: Any, *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(table).where(*where)) or 0

    with Session(ctx.engine) as session:
        counts = {name: count(table, col(table.owner_id) == account_id)
                  for name, table in DOSSIER_TABLES if name not in ("cvPage", "auditEvents")}
        counts["cvPage"] = count(CvPage, col(CvPage.owner_id) == account_id,
                                 col(CvPage.enabled))
        for name, column in (("delegationsGiven", Delegation.owner_id),
                             ("delegationsReceived", Delegation.delegate_id)):
            counts[name] = count(Delegation, col(column) == account_id,
                                 col(Delegation.withdrawn_at).is_(None))
    return counts


def delete_account(ctx: WalletContext, account_id: str, password: str) -> DeletedAccount:
    """The logged-in owner deletes her account, giving her password (Forbidden when wrong:
    then nothing changes). Every session and API token of the account stops working."""
    with session_scope(ctx.engine) as session:
        # Locked to the end (PostgreSQL): a delegate adding to this dossier at the same
        # time waits, then fails on the account that is gone; nothing is left behind.
        account = session.get(Account, account_id, with_for_update=True)
        if account is None or not password_matches(account, password):
            raise Forbidden("the password is wrong")
        digests = _evidence_files(session.connection(), account.id)
        deleted, kept = _delete_rows(ctx, session.connection(), account.id)
    return DeletedAccount(deleted, _remove_unused_files(ctx, digests), kept)


def _evidence_files(connection: Connection, me: str) -> set[str]:
    return set(connection.execute(select(col(Evidence.sha256)).where(
        col(Evidence.owner_id) == me, col(Evidence.sha256) != "")).scalars())


def _delete_rows(ctx: WalletContext, connection: Connection, me: str
                 ) -> tuple[dict[str, int], dict[str, int]]:
    """Delete every row of account `me`; returns what went, and what stays in other
    dossiers with her name taken out."""
    her_shares = select(col(Share.id)).where(col(Share.owner_id) == me)
    # Her shares are locked too (PostgreSQL): a view of one of her links counted at this
    # moment is deleted with the others, instead of keeping its share from going.
    connection.execute(her_shares.with_for_update())
    deleted = {
        "shareViews": _count(connection, delete(ShareView).where(
            col(ShareView.share_id).in_(her_shares))),
        "shareViewDays": _count(connection, delete(ShareViewDay).where(
            col(ShareViewDay.share_id).in_(her_shares))),
    }
    _log_in_delegating_dossiers(ctx, connection, me)
    deleted["delegationsGiven"] = _count(connection, delete(Delegation).where(
        col(Delegation.owner_id) == me))
    deleted["delegationsReceived"] = _count(connection, delete(Delegation).where(
        col(Delegation.delegate_id) == me))
    for name, table in DOSSIER_TABLES:
        deleted[name] = _count(connection, delete(table).where(col(table.owner_id) == me))
    kept = {
        "evidence": _count(connection, update(Evidence).where(
            col(Evidence.added_by) == me).values(added_by=None)),
        "reflections": _count(connection, update(Reflection).where(
            col(Reflection.author_id) == me).values(author_id=None)),
        "auditEvents": _count(connection, update(AuditEvent).where(
            col(AuditEvent.actor_id) == me).values(actor_id=None)),
    }
    deleted["sessions"] = _count(connection, delete(LoginSession).where(
        col(LoginSession.account_id) == me))
    deleted["account"] = _count(connection, delete(Account).where(col(Account.id) == me))
    return deleted, kept


def _log_in_delegating_dossiers(ctx: WalletContext, connection: Connection, me: str) -> None:
    """A line in the log of each dossier she was still a delegate in: her account was
    deleted (by nobody the log can name any more; the detail is her role there)."""
    active = connection.execute(select(col(Delegation.id), col(Delegation.owner_id),
                                       col(Delegation.role))
                                .where(col(Delegation.delegate_id) == me,
                                       col(Delegation.withdrawn_at).is_(None))).all()
    for delegation_id, owner_id, role in active:
        connection.execute(insert(AuditEvent).values(
            id=new_id(), owner_id=owner_id, actor_id=None, action="delegation.account_deleted",
            subject_id=delegation_id, detail=role, at=ctx.now()))


def _count(connection: Connection, statement: Executable) -> int:
    return connection.execute(statement).rowcount


def _remove_unused_files(ctx: WalletContext, digests: set[str]) -> int:
    """After the commit: remove each file that no evidence row of any owner uses."""
    store = evidence_store(ctx.settings.evidence_dir)
    with Session(ctx.engine) as session:
        return sum(store.delete_if_unused(session, sha256) for sha256 in sorted(digests))

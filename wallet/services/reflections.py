"""Reflections: written by the owner or a delegate, signed by their AUTHOR as a self-issued
OB 3.0 credential, and taken into the dossier only when the owner says so.

The owner's own reflections are approved at once; a delegate's wait (`pending`) until the
owner approves or rejects them. A delegate signs with their own account's did:key, so the
credential says who wrote it, not whose dossier it is in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, or_, select

from servicekit.errors import Conflict, NotFound, Refused
from standards.ob3 import Alignment, Evidence
from wallet.db import session_scope
from wallet.models import Account, Competence, Reflection
from wallet.models import Evidence as EvidenceItem
from wallet.services.access import Actor, record
from wallet.services.competences import competences_of, require_competences
from wallet.services.context import WalletContext
from wallet.services.evidence import evidence_of
from wallet.services.self_issued import author_name, issue_self_credential, urn_for

MAX_TEXT = 20_000
STATUSES = ("approved", "pending", "rejected")
# How the credential names the author's part (Dutch: the product's default language).
ROLE_WORDS = {"owner": "eigenaar", "coordinator": "coördinator", "employer": "werkgever",
              "mentor": "mentor"}


class ReflectionRefused(Refused):
    """Reflection input that cannot be used: empty or too long text, unknown ids."""


def _clean_text(text: Any) -> str:
    if not isinstance(text, str):
        raise ReflectionRefused("the reflection text must be text")
    cleaned = text.strip()
    if not cleaned:
        raise ReflectionRefused("the reflection text is empty; write something first")
    if len(cleaned) > MAX_TEXT:
        raise ReflectionRefused(f"the reflection text is longer than {MAX_TEXT} characters "
                                f"({len(cleaned)})")
    return cleaned


def _wanted_ids(ids: Iterable[Any], what: str) -> list[str]:
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise ReflectionRefused(f"{what} must be a list of ids")
    wanted: list[str] = []
    for item in ids:
        if not isinstance(item, str) or not item:
            raise ReflectionRefused(f"{what} must be a list of ids")
        if item not in wanted:
            wanted.append(item)
    return wanted


def require_evidence(session: Session, owner_id: str, ids: Iterable[Any]) -> list[EvidenceItem]:
    """The evidence items `ids` of dossier `owner_id`, in the order given (422 otherwise)."""
    wanted = _wanted_ids(ids, "evidence")
    if not wanted:
        return []
    found = {e.id: e for e in session.exec(select(EvidenceItem).where(
        EvidenceItem.owner_id == owner_id, col(EvidenceItem.id).in_(wanted)))}
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise ReflectionRefused("not evidence of this dossier: " +
                                ", ".join(i[:40] for i in unknown[:5]))
    return [found[i] for i in wanted]


def _alignment(competence: Competence) -> Alignment:
    # A competence the owner named has no URL; its wallet id as a urn:uuid still names it.
    return Alignment(target_name=competence.name, target_url=competence.url or urn_for(
        competence.id), target_framework=competence.framework or None,
        target_code=competence.code or None)


def _evidence_entry(item: EvidenceItem) -> Evidence:
    return Evidence(name=item.title, narrative=item.description.strip() or item.title,
                    genre=item.kind)


def write_reflection(ctx: WalletContext, session: Session, actor: Actor, text: Any,
                     competence_ids: Iterable[Any] = (),
                     evidence_ids: Iterable[Any] = ()) -> Reflection:
    """A reflection signed by `actor.account`. The owner's is approved; a delegate's pending.
    Linking evidence needs `evidence:read` too: the credential names the items."""
    actor.require("reflections:write")
    cleaned = _clean_text(text)
    competences = require_competences(session, actor.owner_id, competence_ids)
    wanted_evidence = _wanted_ids(evidence_ids, "evidence")
    if wanted_evidence:
        actor.require("evidence:read")
    evidence = require_evidence(session, actor.owner_id, wanted_evidence)
    owner = session.get(Account, actor.owner_id)
    if owner is None:
        raise NotFound("no such dossier")
    name = "Reflectie" + (": " + ", ".join(c.name for c in competences) if competences else "")
    credential = issue_self_credential(
        ctx, actor.account, owner.did, name=name[:500], description=cleaned,
        criteria_narrative=(f"Reflectie geschreven door {author_name(actor.account)} "
                            f"({ROLE_WORDS.get(actor.role, actor.role)})."),
        alignments=[_alignment(c) for c in competences],
        evidence=[_evidence_entry(e) for e in evidence])
    reflection = Reflection(
        owner_id=actor.owner_id, author_id=actor.account.id, author_role=actor.role,
        text=cleaned,
        credential_json=json.dumps(credential, ensure_ascii=False),
        status="approved" if actor.is_owner else "pending", created_at=ctx.now(),
        decided_at=ctx.now() if actor.is_owner else None)
    reflection.competence_ids = [c.id for c in competences]
    reflection.evidence_ids = [e.id for e in evidence]
    session.add(reflection)
    session.flush()
    record(session, actor, "reflection.write", reflection.id,
           f"{reflection.status}; {len(cleaned)} characters")
    return reflection


def _visible(actor: Actor, reflection: Reflection) -> bool:
    if actor.is_owner or reflection.author_id == actor.account.id:
        return True
    return actor.can("reflections:read") and reflection.status == "approved"


def _require_some_access(actor: Actor) -> None:
    # A delegate who may only write still sees what they wrote themselves.
    if not (actor.can("reflections:read") or actor.can("reflections:write")):
        actor.require("reflections:read")


def reflections_of(session: Session, actor: Actor,
                   status: str | None = None) -> list[Reflection]:
    """Newest first. Owner: all; delegate: approved ones (with reflections:read) and always
    their own."""
    _require_some_access(actor)
    query = select(Reflection).where(Reflection.owner_id == actor.owner_id)
    if not actor.is_owner:
        mine = Reflection.author_id == actor.account.id
        query = query.where(or_(mine, Reflection.status == "approved")
                            if actor.can("reflections:read") else mine)
    if status is not None:
        if status not in STATUSES:
            raise ReflectionRefused(f"status must be one of {', '.join(STATUSES)}")
        query = query.where(Reflection.status == status)
    return list(session.exec(query.order_by(col(Reflection.created_at).desc())))


def get_reflection(session: Session, actor: Actor, reflection_id: str) -> Reflection:
    _require_some_access(actor)
    reflection = session.get(Reflection, reflection_id)
    if reflection is None or reflection.owner_id != actor.owner_id or \
            not _visible(actor, reflection):
        raise NotFound("no such reflection in this dossier")
    return reflection


def _decide(session: Session, actor: Actor, reflection_id: str, status: str, verb: str,
            when: Any) -> Reflection:
    actor.require_owner(f"{verb} reflections")
    reflection = get_reflection(session, actor, reflection_id)
    if reflection.status == status:
        raise Conflict(f"the reflection is already {status}")
    reflection.status = status
    reflection.decided_at = when
    session.add(reflection)
    record(session, actor, f"reflection.{verb}", reflection.id,
           f"written by {reflection.author_id or 'a deleted account'} "
           f"({reflection.author_role})")
    return reflection


def approve_reflection(ctx: WalletContext, session: Session, actor: Actor,
                       reflection_id: str) -> Reflection:
    """Owner only: take a (pending or rejected) reflection into the dossier."""
    return _decide(session, actor, reflection_id, "approved", "approve", ctx.now())


def reject_reflection(ctx: WalletContext, session: Session, actor: Actor,
                      reflection_id: str) -> Reflection:
    """Owner only: keep a reflection out of the dossier (it stays listed for the owner)."""
    return _decide(session, actor, reflection_id, "rejected", "reject", ctx.now())


def delete_reflection(session: Session, actor: Actor, reflection_id: str) -> None:
    actor.require_owner("delete reflections")
    reflection = get_reflection(session, actor, reflection_id)
    session.delete(reflection)
    record(session, actor, "reflection.delete", reflection_id,
           f"written by {reflection.author_id or 'a deleted account'} "
           f"({reflection.author_role})")


def authors_of(session: Session, reflections: Iterable[Reflection]
               ) -> dict[str | None, Account]:
    """The author accounts of `reflections`, by id (one query); an author whose account was
    deleted has none (`authors.get(r.author_id)` is None)."""
    ids = {r.author_id for r in reflections if r.author_id}
    if not ids:
        return {}
    return {a.id: a for a in session.exec(select(Account).where(col(Account.id).in_(ids)))}


def author_of(session: Session, reflection: Reflection) -> Account | None:
    """The reflection's author, unless the author's account was deleted."""
    return session.get(Account, reflection.author_id) if reflection.author_id else None


def credential_of(reflection: Reflection) -> dict[str, Any]:
    return json.loads(reflection.credential_json)


# --- whole requests, each in a session of its own (what the pages call) ---------------
@dataclass(frozen=True)
class AuthoredReflections:
    reflections: list[Reflection]  # newest first
    authors: dict[str | None, Account]  # by account id


def list_reflections(ctx: WalletContext, actor: Actor,
                     status: str | None = None) -> AuthoredReflections:
    with Session(ctx.engine) as session:
        found = reflections_of(session, actor, status)
        return AuthoredReflections(found, authors_of(session, found))


def save_reflection(ctx: WalletContext, actor: Actor, text: str, competence_ids: list[str],
                    evidence_ids: list[str]) -> Reflection:
    with session_scope(ctx.engine) as session:
        return write_reflection(ctx, session, actor, text, competence_ids, evidence_ids)


@dataclass(frozen=True)
class ReflectionDetails:
    reflection: Reflection
    author: Account | None
    competences: list[Competence]  # the linked ones still in the dossier
    evidence: list[EvidenceItem]  # the linked approved items `actor` may see


def reflection_details(ctx: WalletContext, actor: Actor, reflection_id: str
                       ) -> ReflectionDetails:
    with Session(ctx.engine) as session:
        reflection = get_reflection(session, actor, reflection_id)
        author = author_of(session, reflection)
        competences = {c.id: c for c in competences_of(session, actor)}
        evidence = {e.id: e for e in evidence_of(session, actor, "approved")} \
            if actor.can("evidence:read") else {}
        return ReflectionDetails(
            reflection, author,
            [competences[i] for i in reflection.competence_ids if i in competences],
            [evidence[i] for i in reflection.evidence_ids if i in evidence])


def approve_pending_reflection(ctx: WalletContext, actor: Actor, reflection_id: str) -> None:
    with session_scope(ctx.engine) as session:
        approve_reflection(ctx, session, actor, reflection_id)


def reject_pending_reflection(ctx: WalletContext, actor: Actor, reflection_id: str) -> None:
    with session_scope(ctx.engine) as session:
        reject_reflection(ctx, session, actor, reflection_id)


def remove_reflection(ctx: WalletContext, actor: Actor, reflection_id: str) -> None:
    with session_scope(ctx.engine) as session:
        delete_reflection(session, actor, reflection_id)

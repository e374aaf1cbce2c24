"""Competences in the owner's profile: named by the owner, imported from a framework, or taken
from the `alignment` of a credential's achievement when it arrives.

A competence with a `url` is the same competence wherever that url appears (an alignment's
targetUrl), so the url is unique per owner. Evidence, reflections and credentials point at
competences by id; `require_competences` is the one check that those ids are the dossier's.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlmodel import Session, col, select

from wallet.db import session_scope
from wallet.models import Competence
from wallet.services.access import Actor, record
from wallet.services.context import Conflict, WalletContext, WalletError

MAX_NAME = 300
MAX_URL = 2000
MAX_FRAMEWORK = 300
MAX_CODE = 100
MAX_DESCRIPTION = 5000
MAX_IMPORT = 1000  # competences in one framework import


class CompetenceRefused(WalletError):
    """Competence input that cannot be used (422): a missing name, an unknown id, ..."""

    status = 422


def _clean(value: Any, what: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise CompetenceRefused(f"{what} must be text")
    value = value.strip()
    if len(value) > limit:
        raise CompetenceRefused(f"{what} is longer than {limit} characters")
    return value


def _clean_url(url: Any) -> str | None:
    text = _clean(url, "the competence url", MAX_URL)
    if not text:
        return None
    scheme, colon, rest = text.partition(":")
    # An alignment's targetUrl is a URI: https://..., urn:..., did:...; a bare word is a typo.
    if not colon or not rest or not scheme.isascii() or not scheme.isalpha() or " " in text:
        raise CompetenceRefused(f"the competence url {text[:80]!r} is not a URI "
                                "(like https://... or urn:...)")
    return text


def competence_by_url(session: Session, owner_id: str, url: str) -> Competence | None:
    return session.exec(select(Competence).where(Competence.owner_id == owner_id,
                                                 Competence.url == url)).first()


def add_competence(session: Session, actor: Actor, name: str, url: str | None = None,
                   framework: str = "", code: str = "", description: str = "") -> Competence:
    """A new competence in the actor's dossier (owner only). Conflict (409) when the dossier
    already has a competence with this url; CompetenceRefused (422) for bad input."""
    actor.require_owner("add competences")
    competence = _new_competence(actor.owner_id, name, url, framework, code, description)
    if competence.url and competence_by_url(session, actor.owner_id, competence.url):
        raise Conflict(f"the dossier already has a competence with url {competence.url}")
    session.add(competence)
    session.flush()
    record(session, actor, "competence.add", competence.id, competence.name)
    return competence


def _new_competence(owner_id: str, name: Any, url: Any, framework: Any, code: Any,
                    description: Any) -> Competence:
    clean_name = _clean(name, "the competence name", MAX_NAME)
    if not clean_name:
        raise CompetenceRefused("a competence needs a name")
    return Competence(owner_id=owner_id, name=clean_name, url=_clean_url(url),
                      framework=_clean(framework, "the framework", MAX_FRAMEWORK),
                      code=_clean(code, "the code", MAX_CODE),
                      description=_clean(description, "the description", MAX_DESCRIPTION))


def import_competences(session: Session, actor: Actor,
                       items: list[Any]) -> tuple[list[Competence], list[Competence]]:
    """A framework the owner gives as a list of {name, url, code, framework, description}.
    Returns (added, already_there): a competence whose url the dossier has is not added
    again, so importing the same framework twice is harmless. All or nothing: one bad item
    refuses the whole list, naming the item."""
    actor.require_owner("add competences")
    if not isinstance(items, list) or not items:
        raise CompetenceRefused("give a competence object or a non-empty list of them")
    if len(items) > MAX_IMPORT:
        raise CompetenceRefused(f"at most {MAX_IMPORT} competences in one import")
    added: list[Competence] = []
    existing: list[Competence] = []
    seen_urls: dict[str, Competence] = {}
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise CompetenceRefused(f"item {number} is not an object with a name")
        try:
            competence = _new_competence(actor.owner_id, item.get("name"), item.get("url"),
                                         item.get("framework"), item.get("code"),
                                         item.get("description"))
        except CompetenceRefused as refused:
            raise CompetenceRefused(f"item {number}: {refused}") from None
        if competence.url:
            there = seen_urls.get(competence.url) or competence_by_url(
                session, actor.owner_id, competence.url)
            if there is not None:
                if there not in existing and there not in added:
                    existing.append(there)
                continue
            seen_urls[competence.url] = competence
        session.add(competence)
        added.append(competence)
    session.flush()
    for competence in added:
        record(session, actor, "competence.add", competence.id, competence.name)
    return added, existing


def competences_of(session: Session, actor: Actor) -> list[Competence]:
    """Every competence of the dossier, by framework then name. Anyone with access to the
    dossier may list them: a delegate adding evidence or a reflection picks from them."""
    return list(session.exec(select(Competence)
                             .where(Competence.owner_id == actor.owner_id)
                             .order_by(col(Competence.framework), col(Competence.name))))


def require_competences(session: Session, owner_id: str, ids: Iterable[Any]) -> list[Competence]:
    """The competences `ids` of dossier `owner_id`, in the order given, without repeats.
    CompetenceRefused (422) when an id is not text or not one of this dossier's."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise CompetenceRefused("competences must be a list of competence ids")
    wanted: list[str] = []
    for competence_id in ids:
        if not isinstance(competence_id, str) or not competence_id:
            raise CompetenceRefused("competences must be a list of competence ids")
        if competence_id not in wanted:
            wanted.append(competence_id)
    if not wanted:
        return []
    found = {c.id: c for c in session.exec(select(Competence).where(
        Competence.owner_id == owner_id, col(Competence.id).in_(wanted)))}
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise CompetenceRefused("not a competence of this dossier: " + ", ".join(
            i[:40] for i in unknown[:5]))
    return [found[i] for i in wanted]


def get_competence(session: Session, owner_id: str, competence_id: str) -> Competence:
    return require_competences(session, owner_id, [competence_id])[0]


def _alignments(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Every alignment of every achievement in the credential's subject(s)."""
    subjects = document.get("credentialSubject")
    found: list[dict[str, Any]] = []
    for subject in subjects if isinstance(subjects, list) else [subjects]:
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        alignment = achievement.get("alignment") if isinstance(achievement, dict) else None
        for item in alignment if isinstance(alignment, list) else [alignment]:
            if isinstance(item, dict):
                found.append(item)
    return found


def competences_from_credential(session: Session, owner_id: str,
                                document: dict[str, Any]) -> list[str]:
    """Each achievement alignment of an arriving credential becomes (or links to) a
    competence of the dossier; returns their ids. An alignment with a targetUrl matches a
    competence by url; one without matches by name and framework. Unusable alignments (no
    name, oversized text) are skipped: they must not keep a verified credential out."""
    ids: list[str] = []
    for alignment in _alignments(document):
        try:
            candidate = _new_competence(owner_id, alignment.get("targetName"),
                                        alignment.get("targetUrl"),
                                        alignment.get("targetFramework"),
                                        alignment.get("targetCode"),
                                        alignment.get("targetDescription"))
        except CompetenceRefused:
            continue
        if candidate.url:
            existing = competence_by_url(session, owner_id, candidate.url)
        else:
            existing = session.exec(select(Competence).where(
                Competence.owner_id == owner_id, Competence.url == None,  # noqa: E711 (SQL)
                Competence.name == candidate.name,
                Competence.framework == candidate.framework)).first()
        if existing is None:
            session.add(candidate)
            session.flush()
            existing = candidate
        if existing.id not in ids:
            ids.append(existing.id)
    return ids


def competence_json(competence: Competence) -> dict[str, Any]:
    return {"id": competence.id, "name": competence.name, "url": competence.url,
            "framework": competence.framework, "code": competence.code,
            "description": competence.description}


def ids_json(competences: list[Competence]) -> str:
    """What goes in a row's `competence_ids_json`."""
    return json.dumps([c.id for c in competences])


# --- whole requests, each in a session of its own (what the pages call) ---------------
def list_competences(ctx: WalletContext, actor: Actor) -> list[Competence]:
    with Session(ctx.engine) as session:
        return competences_of(session, actor)


def add_one_competence(ctx: WalletContext, actor: Actor, name: str, url: str | None,
                       framework: str, code: str) -> Competence:
    with session_scope(ctx.engine) as session:
        return add_competence(session, actor, name, url, framework, code)


def import_framework(ctx: WalletContext, actor: Actor,
                     items: list[Any]) -> tuple[list[Competence], list[Competence]]:
    """`import_competences` in a transaction: (added, already_there)."""
    with session_scope(ctx.engine) as session:
        return import_competences(session, actor, items)

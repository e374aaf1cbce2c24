"""Reflections over JSON: write (signed by the author), list, one (with a fresh verdict),
approve / reject / delete (owner)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Response
from sqlmodel import Session

from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import NewReflection
from wallet.db import session_scope
from wallet.models import Account, Reflection, iso
from wallet.services import reflections as service
from wallet.services.checking import check_credential
from wallet.services.context import WalletContext
from wallet.services.self_issued import author_name

router = APIRouter(prefix="/api/dossiers/{owner_id}/reflections", tags=["reflections"])


def reflection_json(reflection: Reflection, author: Account | None) -> dict[str, Any]:
    return {
        "id": reflection.id, "status": reflection.status, "text": reflection.text,
        "author": {"id": reflection.author_id, "role": reflection.author_role,
                   "name": author_name(author) if author else "",
                   "did": author.did if author else None},
        "competences": reflection.competence_ids, "evidence": reflection.evidence_ids,
        "createdAt": iso(reflection.created_at), "decidedAt": iso(reflection.decided_at),
    }


def _full(ctx: WalletContext, session: Session, reflection: Reflection) -> dict[str, Any]:
    author = service.author_of(session, reflection)
    credential = service.credential_of(reflection)
    return {**reflection_json(reflection, author), "credential": credential,
            "verification": check_credential(ctx, credential)}


@router.post("", status_code=201)
def write(body: NewReflection, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        reflection = service.write_reflection(
            ctx, session, actor, body.text, body.competences or (), body.evidence or ())
        return _full(ctx, session, reflection)


@router.get("")
def list_reflections(actor: DossierActor, ctx: Context,
                     status: str | None = None) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        found = service.reflections_of(session, actor, status)
        authors = service.authors_of(session, found)
        return [reflection_json(r, authors.get(r.author_id)) for r in found]


@router.get("/{reflection_id}")
def one_reflection(reflection_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return _full(ctx, session, service.get_reflection(session, actor, reflection_id))


@router.post("/{reflection_id}/approve")
def approve(reflection_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        reflection = service.approve_reflection(ctx, session, actor, reflection_id)
        return reflection_json(reflection, service.author_of(session, reflection))


@router.post("/{reflection_id}/reject")
def reject(reflection_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        reflection = service.reject_reflection(ctx, session, actor, reflection_id)
        return reflection_json(reflection, service.author_of(session, reflection))


@router.delete("/{reflection_id}", status_code=204)
def delete(reflection_id: str, actor: DossierActor, ctx: Context) -> Response:
    with session_scope(ctx.engine) as session:
        service.delete_reflection(session, actor, reflection_id)
    return Response(status_code=204)

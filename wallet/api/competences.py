"""Competences and the competence profile over JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import JSONResponse
from sqlmodel import Session

from servicekit.errors import Invalid
from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import Competences, json_object
from wallet.db import session_scope
from wallet.services.competence_profile import competence_profile
from wallet.services.competences import competence_json, competences_of, import_competences

router = APIRouter(prefix="/api/dossiers/{owner_id}", tags=["competences"])


@router.get("/competences")
def list_competences(actor: DossierActor, ctx: Context) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return [competence_json(c) for c in competences_of(session, actor)]


@router.post("/competences", status_code=201, response_model=None, responses={
    201: json_object("`added` and `existing` competences"),
    200: json_object("nothing added: every competence was there already")})
def add_competences(body: Annotated[Competences, Body()], actor: DossierActor,
                    ctx: Context) -> JSONResponse:
    """One competence `{name, url?, framework?, code?, description?}` or a framework as a
    list of them. 201 with `added` and `existing` (a url the dossier has already is not
    added twice); 422 naming the item when one is unusable (then nothing is added)."""
    actor.require_owner("add competences")
    if isinstance(body, bytes):  # sent as another type than JSON
        raise Invalid("send a JSON competence object or a list of them")
    items = body if isinstance(body, list) else [body]
    with session_scope(ctx.engine) as session:
        added, existing = import_competences(session, actor, items)
        answer = {"added": [competence_json(c) for c in added],
                  "existing": [competence_json(c) for c in existing]}
    return JSONResponse(answer, status_code=201 if added else 200)


@router.get("/profile")
def profile(actor: DossierActor, ctx: Context) -> dict[str, Any]:
    """Per framework, every competence with its state (achieved, in_progress, not_started)
    and the ids and counts of approved evidence, approved reflections and credentials."""
    with Session(ctx.engine) as session:
        groups = competence_profile(session, actor)
        return {"frameworks": [g.to_json() for g in groups]}

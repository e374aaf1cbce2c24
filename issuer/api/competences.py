"""Public descriptions of competences: the alignment targetUrl of competences that have no
URI of their own (CSV imports). No account needed; nothing about the organisation but the
framework's title is shown."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session

from issuer.api.deps import Context
from issuer.api.schemas.documents import CompetenceDocument
from issuer.services.frameworks import public_competence

router = APIRouter(tags=["public"])


@router.get("/frameworks/{framework_id}/competences/{competence_id}",
            response_model=CompetenceDocument)
def competence(framework_id: str, competence_id: str, ctx: Context) -> JSONResponse:
    with Session(ctx.engine) as session:
        document = public_competence(ctx, session, framework_id, competence_id)
    return JSONResponse(document, headers={"Cache-Control": "public, max-age=300"})

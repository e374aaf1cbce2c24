"""What the world reads without an account: DID documents, status lists, achievements."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from issuer.api.deps import Context
from issuer.api.schemas.documents import (
    AchievementDocument,
    DidDocument,
    ProfileDocument,
    document_content,
)
from issuer.models import Achievement, IssuerProfile
from issuer.services.achievements import achievement_json
from issuer.services.keys import did_document
from issuer.services.organisations import profile_json
from issuer.services.status import published_status_list
from servicekit.errors import NotFound
from standards.ob3 import OB_CONTEXT, VC_V2_CONTEXT

router = APIRouter(tags=["public"])

DOCUMENT_CACHE = "public, max-age=300"


@router.get("/issuers/{profile_id}/did.json", response_class=Response,
            responses=document_content("application/did+json", DidDocument.__doc__ or ""))
def did_web_document(profile_id: str, ctx: Context) -> JSONResponse:
    with Session(ctx.engine) as session:
        profile = session.get(IssuerProfile, profile_id)
        if profile is None or profile.did_method != "web":
            raise NotFound("no such DID")
        document = did_document(session, profile)
    return JSONResponse(document, media_type="application/did+json",
                        headers={"Cache-Control": DOCUMENT_CACHE})


@router.get("/issuers/{profile_id}", response_model=ProfileDocument)
def issuer_profile(profile_id: str, ctx: Context) -> JSONResponse:
    with Session(ctx.engine) as session:
        profile = session.get(IssuerProfile, profile_id)
        if profile is None:
            raise NotFound("no such issuer profile")
        document = {"@context": [VC_V2_CONTEXT, OB_CONTEXT],
                    **profile_json(session, profile)}
    return JSONResponse(document, headers={"Cache-Control": DOCUMENT_CACHE})


@router.get("/achievements/{achievement_id}", response_model=AchievementDocument)
def achievement(achievement_id: str, ctx: Context) -> JSONResponse:
    with Session(ctx.engine) as session:
        row = session.get(Achievement, achievement_id)
        if row is None:
            raise NotFound("no such achievement")
        document: dict[str, Any] = {
            "@context": [VC_V2_CONTEXT, OB_CONTEXT],
            **achievement_json(ctx, session, row),
        }
    return JSONResponse(document, headers={"Cache-Control": DOCUMENT_CACHE})


@router.get("/status/{status_list_id}", response_class=Response, responses={
    **document_content("application/vc+ld+json", "a BitstringStatusListCredential"),
    304: {"description": "not modified since the ETag sent in If-None-Match"}})
def status_list(status_list_id: str, request: Request, ctx: Context) -> Response:
    document, version = published_status_list(ctx, status_list_id)
    etag = f'"{status_list_id}-{version}"'
    # Verifiers may keep a status list for `status_list_max_age_seconds` (a minute); after a
    # revocation the list they see is at most that old. ETags let them revalidate cheaply.
    max_age = ctx.settings.status_list_max_age_seconds
    headers = {"Cache-Control": f"public, max-age={max_age}, must-revalidate", "ETag": etag}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(document, media_type="application/vc+ld+json", headers=headers)



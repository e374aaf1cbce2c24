"""Endorsements over the JSON API (API token): endorse, receive, list, withdraw."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlmodel import Session

from issuer.api.deps import ApiOrganisation, Context
from issuer.api.schemas.base import REFUSALS
from issuer.api.schemas.endorsements import (
    EndorsementList,
    EndorsementSummary,
    EndorseRequest,
    MadeEndorsement,
    ReceivedEndorsementRequest,
)
from issuer.models import Endorsement
from issuer.services.endorsements import (
    endorse,
    list_endorsements,
    receive_endorsement,
    withdraw_endorsement,
)

router = APIRouter(prefix="/api", tags=["endorsements"], strict_content_type=False,
                   responses=REFUSALS)


@router.post("/endorsements", status_code=201, response_model=MadeEndorsement)
async def make_endorsement(body: EndorseRequest, ctx: Context,
                           org: ApiOrganisation) -> JSONResponse:
    # Signing (and verifying, below) is CPU work: off the event loop.
    endorsement = await run_in_threadpool(
        lambda: endorse(ctx, org, target_kind=body.target_kind, target_id=body.target_id,
                        comment=body.comment, name=body.name))
    return JSONResponse({"id": endorsement.id,
                         "verifiableCredential": json.loads(endorsement.document)},
                        status_code=201)


@router.post("/endorsements/received", status_code=201, response_model=EndorsementSummary)
async def keep_received_endorsement(body: ReceivedEndorsementRequest, ctx: Context,
                                    org: ApiOrganisation) -> JSONResponse:
    endorsement = await run_in_threadpool(receive_endorsement, ctx, org, body.endorsement)
    return JSONResponse(_summary(endorsement, org.id), status_code=201)


@router.get("/endorsements", response_model=EndorsementList)
def endorsements(ctx: Context, org: ApiOrganisation,
                 target_id: Annotated[str | None, Query(alias="targetId")] = None
                 ) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        rows = list_endorsements(session, org, target_id=target_id)
    return {"endorsements": [_summary(row, org.id) for row in rows]}


@router.delete("/endorsements/{endorsement_id}", status_code=204)
def withdraw(endorsement_id: str, ctx: Context, org: ApiOrganisation) -> Response:
    withdraw_endorsement(ctx, org, endorsement_id)
    return Response(status_code=204)


def _summary(row: Endorsement, org_id: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "credentialId": row.credential_id,
        "direction": "made" if row.endorser_org_id == org_id else "received",
        "endorser": row.endorser_did,
        "targetKind": row.target_kind,
        "targetId": row.target_id,
        "comment": row.comment,
        "issuedAt": row.issued_at.isoformat(),
        "withdrawn": row.withdrawn,
        "verifiableCredential": json.loads(row.document),
    }

"""W3C CCG VC-API: POST /credentials/issue and POST /credentials/status."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session

from issuer.api.deps import ApiOrganisation, Context
from issuer.api.schemas.base import REFUSALS
from issuer.api.schemas.vc_api import (
    IssueCredentialRequest,
    IssueCredentialResponse,
    UpdateStatusRequest,
    UpdateStatusResponse,
)
from issuer.services.status import set_credential_status
from issuer.services.vc_api_issuing import issue_unsigned_credential

router = APIRouter(tags=["VC-API"], strict_content_type=False, responses=REFUSALS)


@router.post("/credentials/issue", status_code=201, response_model=IssueCredentialResponse)
def issue(body: IssueCredentialRequest, ctx: Context, org: ApiOrganisation) -> JSONResponse:
    outcome = issue_unsigned_credential(ctx, org, body.credential, body.options or {})
    return JSONResponse({"verifiableCredential": outcome.credential}, status_code=201)


@router.post("/credentials/status")
def update_status(body: UpdateStatusRequest, ctx: Context,
                  org: ApiOrganisation) -> UpdateStatusResponse:
    with Session(ctx.engine) as session:
        for change in body.credential_status:
            set_credential_status(session, org.id, body.credential_id, change.status)
        session.commit()
    return UpdateStatusResponse(credential_id=body.credential_id,
                                status=[change.status for change in body.credential_status])

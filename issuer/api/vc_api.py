"""W3C CCG VC-API: POST /credentials/issue and POST /credentials/status."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from issuer.api.deps import ApiOrganisation, Context
from issuer.services.issuing import issue_unsigned_credential
from issuer.services.status import set_credential_status
from servicekit.errors import Invalid
from servicekit.http_body import read_json_object

router = APIRouter(tags=["VC-API"])


@router.post("/credentials/issue", status_code=201)
async def issue(request: Request, ctx: Context, org: ApiOrganisation) -> JSONResponse:
    body = await read_json_object(request)
    if "credential" not in body:
        raise Invalid("the body needs a 'credential' (an unsigned OB 3.0 credential)")
    outcome = issue_unsigned_credential(ctx, org, body["credential"], body.get("options") or {})
    return JSONResponse({"verifiableCredential": outcome.credential}, status_code=201)


@router.post("/credentials/status")
async def update_status(request: Request, ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    body = await read_json_object(request)
    credential_id = body.get("credentialId")
    changes = body.get("credentialStatus")
    if not isinstance(credential_id, str) or not credential_id:
        raise Invalid("'credentialId' (the credential's id) is required")
    if not isinstance(changes, list) or not changes:
        raise Invalid("'credentialStatus' must be a list of "
                      '{"type": "BitstringStatusListEntry", "status": ...}')
    with Session(ctx.engine) as session:
        for change in changes:
            if not isinstance(change, dict) or change.get("type", "BitstringStatusListEntry") \
                    != "BitstringStatusListEntry":
                raise Invalid("each credentialStatus change needs type "
                              "BitstringStatusListEntry")
            set_credential_status(session, org.id, credential_id, str(change.get("status")))
        session.commit()
    return {"credentialId": credential_id,
            "status": [change["status"] for change in changes]}

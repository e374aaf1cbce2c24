"""Credentials over JSON: import (verified on arrival), list, one."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlmodel import Session

from opendossier.http_body import read_body
from wallet.api.deps import Context, DossierActor
from wallet.db import session_scope
from wallet.models import StoredCredential, iso
from wallet.services.credentials import (
    CredentialRefused,
    add_credential,
    credentials_of,
    get_credential,
)

router = APIRouter(prefix="/api/dossiers/{owner_id}/credentials", tags=["credentials"])


def credential_json(stored: StoredCredential, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": stored.id, "name": stored.name, "issuer": {"id": stored.issuer_id,
                                                         "name": stored.issuer_name},
        "types": json.loads(stored.types_json), "format": stored.format,
        "credentialId": stored.credential_id, "source": stored.source,
        "receivedAt": iso(stored.received_at), "verified": stored.verified,
        "digest": stored.digest, "competences": stored.competence_ids,
    }
    if full:
        out["credential"] = stored.content if stored.format == "jwt_vc" \
            else json.loads(stored.content)
        out["verification"] = json.loads(stored.verification_json)
    return out


@router.post("")
async def import_credential(request: Request, actor: DossierActor, ctx: Context) -> JSONResponse:
    """The body is the credential: JSON, a compact JWT, or a baked PNG/SVG. 201 when added,
    200 when it was already there, 422 with the verifier's report when it does not verify."""
    raw = await read_body(request, ctx.settings.max_credential_bytes)
    try:
        with session_scope(ctx.engine) as session:
            added = add_credential(ctx, session, actor, raw)
            body = {**credential_json(added.credential), "duplicate": added.duplicate,
                    "verification": added.report}
    except CredentialRefused as refused:
        return JSONResponse({"error": "unprocessable", "message": str(refused),
                             "verification": refused.report}, status_code=422)
    return JSONResponse(body, status_code=200 if added.duplicate else 201)


@router.get("")
def list_credentials(actor: DossierActor, ctx: Context) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return [credential_json(c) for c in credentials_of(session, actor)]


@router.get("/{credential_id}")
def one_credential(credential_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return credential_json(get_credential(session, actor, credential_id), full=True)

"""Credentials over JSON: import (verified on arrival), list, view (checked again now),
delete, and receiving over OpenID4VCI."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlmodel import Session

from servicekit.errors import Invalid
from servicekit.http_body import read_body, uploaded_file
from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import OfferPreview, OfferReceipt, json_object
from wallet.db import session_scope
from wallet.models import StoredCredential, iso
from wallet.services.access import Actor
from wallet.services.checking import NOT_CHECKED
from wallet.services.context import WalletContext
from wallet.services.credential_rechecks import check_state
from wallet.services.credential_view import view_credential
from wallet.services.credentials import (
    Added,
    CredentialRefused,
    credentials_of,
    delete_credential,
    store_credential,
)
from wallet.services.oid4vci_client import fetch_offered, read_offer

router = APIRouter(prefix="/api/dossiers/{owner_id}/credentials", tags=["credentials"])
MULTIPART_OVERHEAD = 16 * 1024  # room for the multipart framing around the file


def credential_json(stored: StoredCredential, *, full: bool = False) -> dict[str, Any]:
    """`verified`: it verified when last checked; `notCheckedYet`: why it could not be
    checked yet (its issuer could not be reached), else null."""
    state, reason = check_state(stored)
    out: dict[str, Any] = {
        "id": stored.id, "name": stored.name, "issuer": {"id": stored.issuer_id,
                                                         "name": stored.issuer_name},
        "types": stored.types, "format": stored.format,
        "credentialId": stored.credential_id, "source": stored.source,
        "receivedAt": iso(stored.received_at), "verified": stored.verified,
        "digest": stored.digest, "competences": stored.competence_ids,
        "notCheckedYet": reason if state == NOT_CHECKED else None,
    }
    if full:
        out["credential"] = stored.content if stored.format == "jwt_vc" \
            else json.loads(stored.content)
        out["verification"] = stored.verification
    return out


def added_response(added: Added) -> JSONResponse:
    body = {**credential_json(added.credential), "duplicate": added.duplicate,
            "verification": added.report}
    return JSONResponse(body, status_code=200 if added.duplicate else 201)


def refused_response(refused: CredentialRefused) -> JSONResponse:
    return JSONResponse({"error": "unprocessable", "message": str(refused),
                         "verification": refused.report}, status_code=422)


# The credential is the body, in whichever form it came; the route reads it itself.
CREDENTIAL_BODIES: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": {"type": "object", "description": "a credential (JSON-LD)"}},
    "application/jwt": {"schema": {"type": "string", "description": "a VC-JWT"}},
    "image/png": {"schema": {"type": "string", "format": "binary",
                             "description": "a baked Open Badge"}},
    "image/svg+xml": {"schema": {"type": "string", "description": "a baked Open Badge"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}}}},
}}}


@router.post("", status_code=201, openapi_extra=CREDENTIAL_BODIES, responses={
    201: json_object("the credential, added, with its verification report"),
    200: json_object("the credential was there already (`duplicate`)")})
async def import_credential(request: Request, actor: DossierActor, ctx: Context) -> JSONResponse:
    """The body is the credential: JSON, a compact JWT, or a baked PNG/SVG; or a multipart
    form with the credential in the file field `file`. 201 when added, 200 (`duplicate`)
    when it was already there, 422 with the verifier's report when it does not verify.
    One whose status or issuer key cannot be fetched now is added "not checked yet"
    (`verified` false, `notCheckedYet` the reason) and checked again later."""
    actor.require_owner("add credentials")
    limit = ctx.settings.max_credential_bytes
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        body = await read_body(request, limit + MULTIPART_OVERHEAD)
        _, raw = await uploaded_file(request, body, "the credential")
    else:
        raw = await read_body(request, limit)
    if not raw.strip():
        raise Invalid("the body is empty: send the credential (JSON, JWT or a baked "
                      "PNG/SVG)")
    try:
        added = await run_in_threadpool(store_credential, ctx, actor, raw, "import")
    except CredentialRefused as refused:
        return refused_response(refused)
    return added_response(added)


@router.get("")
def list_credentials(actor: DossierActor, ctx: Context) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return [credential_json(c) for c in credentials_of(session, actor)]


def view_json(ctx: WalletContext, actor: Actor, credential_id: str) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        view = view_credential(ctx, session, actor, credential_id)
        return {**credential_json(view.stored, full=True), "state": view.state,
                "arrival": view.arrival, "current": view.fresh, "readable": view.readable}


@router.get("/{credential_id}")
def one_credential(credential_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    """The credential, its arrival report (`verification`, `arrival`), a check made now
    (`current`, summed up in `state`: valid, revoked, suspended, expired, ...) and a
    readable summary (`readable`)."""
    return view_json(ctx, actor, credential_id)


@router.delete("/{credential_id}", status_code=204)
def remove_credential(credential_id: str, actor: DossierActor, ctx: Context) -> Response:
    with session_scope(ctx.engine) as session:
        delete_credential(session, actor, credential_id)
    return Response(status_code=204)


# --- OpenID4VCI -----------------------------------------------------------------------------
def _offer_text(offer: str) -> str:
    if not offer.strip():
        raise Invalid('"offer" must be the credential offer link '
                      "(openid-credential-offer://... or https://...)")
    return offer


def _language(request: Request) -> str:
    return "en" if request.headers.get("accept-language", "").lower().startswith("en") \
        else "nl"


@router.post("/offers/preview")
def preview_offer(body: OfferPreview, request: Request, actor: DossierActor,
                  ctx: Context) -> dict[str, Any]:
    """What an offer offers, before receiving it: issuer, credential, whether a transaction
    code is needed (and its description and length)."""
    actor.require_owner("receive credentials")
    offer = read_offer(ctx, _offer_text(body.offer))
    return offer.preview(_language(request))


@router.post("/offers", status_code=201, response_model=None,
             responses={201: json_object("the credential received, with its report")})
def receive_offer(body: OfferReceipt, actor: DossierActor, ctx: Context) -> JSONResponse:
    """Receive the credential over OpenID4VCI. 201 with the stored credential and its
    report; refusals (wrong code, offer used) say why, with the issuer's own words, and
    store nothing."""
    raw = fetch_offered(ctx, actor, _offer_text(body.offer), body.tx_code)
    try:
        added = store_credential(ctx, actor, raw, "oid4vci")
    except CredentialRefused as refused:
        return refused_response(refused)
    return added_response(added)


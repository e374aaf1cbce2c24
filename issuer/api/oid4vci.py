"""OpenID4VCI endpoints (metadata, offers, QR codes, token, nonce, credential) and the staff
API to make offers. The work is in issuer.services.oid4vci; errors of the OAuth endpoints are
answered in the OAuth shape {"error", "error_description"}, never cached."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from issuer.api.deps import ApiOrganisation, Context
from issuer.models import CredentialOffer
from issuer.services.context import IssuerContext
from issuer.services.oid4vci import (
    OAuthError,
    OfferRequest,
    create_offer,
    exchange_pre_authorized_code,
    get_offer,
    iso,
    issue_credential,
    list_offers,
    new_nonce,
    offer_document,
    offer_state,
    offer_uri,
    offer_url,
)
from issuer.services.oid4vci_metadata import authorization_server_metadata, issuer_metadata
from servicekit.errors import Gone, Invalid
from servicekit.http_body import BodyError, read_json_object
from servicekit.qr import qr_png, qr_svg

router = APIRouter(tags=["OpenID4VCI"])

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
METADATA_CACHE = {"Cache-Control": "public, max-age=300"}
MAX_FORM_BYTES = 16 * 1024


async def _oauth(request: Request, call: Callable[[], dict[str, Any]]) -> JSONResponse:
    """Run a (blocking) OAuth endpoint in the thread pool; answer its errors OAuth-style."""
    try:
        return JSONResponse(await run_in_threadpool(call), headers=NO_STORE)
    except OAuthError as error:
        return _oauth_error(request, error)


def _oauth_error(request: Request, error: OAuthError, status: int | None = None) -> JSONResponse:
    """The OAuth error shape; a refused access token is 401 with its challenge (RFC 6750 §3),
    every other OAuth error 400 (RFC 6749 §5.2)."""
    headers = dict(NO_STORE)
    if error.error == "invalid_token":
        status = 401
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        sent_token = scheme.lower() == "bearer" and token.strip()
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if sent_token else "Bearer"
    return JSONResponse({"error": error.error, "error_description": error.description},
                        status_code=status or 400, headers=headers)


# --- discovery ------------------------------------------------------------------------------
@router.get("/.well-known/openid-credential-issuer")
def credential_issuer_metadata(ctx: Context) -> JSONResponse:
    return JSONResponse(issuer_metadata(ctx.public_url), headers=METADATA_CACHE)


@router.get("/.well-known/oauth-authorization-server")
def oauth_metadata(ctx: Context) -> JSONResponse:
    return JSONResponse(authorization_server_metadata(ctx.public_url), headers=METADATA_CACHE)


# --- offers ---------------------------------------------------------------------------------
@router.get("/oid4vci/offers/{offer_id}")
def credential_offer(offer_id: str, request: Request, ctx: Context) -> JSONResponse:
    language = "en" if request.headers.get("accept-language", "").lower().startswith("en") \
        else "nl"
    try:
        document = offer_document(ctx, offer_id, language=language)
    except Gone as error:
        return JSONResponse({"error": "gone", "message": str(error)}, status_code=410,
                            headers=NO_STORE)
    # no-store: the document holds the pre-authorized code.
    return JSONResponse(document, headers=NO_STORE)


@router.get("/oid4vci/offers/{offer_id}/qr.png")
def offer_qr_png(offer_id: str, ctx: Context) -> Response:
    uri = offer_uri(ctx.public_url, get_offer(ctx, offer_id).id)
    return Response(qr_png(uri), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})


@router.get("/oid4vci/offers/{offer_id}/qr.svg")
def offer_qr_svg(offer_id: str, ctx: Context) -> Response:
    uri = offer_uri(ctx.public_url, get_offer(ctx, offer_id).id)
    return Response(qr_svg(uri), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=300"})


# --- the OAuth / OpenID4VCI endpoints ---------------------------------------------------------
@router.post("/oid4vci/token")
async def token(request: Request, ctx: Context) -> JSONResponse:
    try:
        form = await _read_form(request)
    except OAuthError as error:
        return _oauth_error(request, error)
    return await _oauth(request, lambda: exchange_pre_authorized_code(ctx, form))


@router.post("/oid4vci/nonce")
def nonce(ctx: Context) -> JSONResponse:
    return JSONResponse({"c_nonce": new_nonce(ctx)}, headers=NO_STORE)


@router.post("/oid4vci/credential")
async def credential(request: Request, ctx: Context) -> JSONResponse:
    authorization = request.headers.get("authorization")
    try:
        body = await read_json_object(request)
    except BodyError as error:
        return _oauth_error(request, OAuthError("invalid_credential_request", str(error)),
                            error.status)
    return await _oauth(request, lambda: issue_credential(ctx, authorization, body))


async def _read_form(request: Request) -> dict[str, list[str]]:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "send the token request as "
                         "application/x-www-form-urlencoded")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > MAX_FORM_BYTES:
            raise OAuthError("invalid_request", f"the token request is over {MAX_FORM_BYTES} "
                             "bytes")
    try:
        return parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as error:
        raise OAuthError("invalid_request", f"the token request is not a valid form: {error}") \
            from None


# --- staff API ------------------------------------------------------------------------------
@router.post("/api/offers", status_code=201)
async def make_offer(request: Request, ctx: Context, org: ApiOrganisation) -> JSONResponse:
    body = await read_json_object(request)
    new = await run_in_threadpool(create_offer, ctx, org, _offer_request(body))
    document = {**_offer_json(ctx, new.offer), "txCode": new.tx_code}
    return JSONResponse(document, status_code=201, headers=NO_STORE)


@router.get("/api/offers")
def offers(ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        rows = list_offers(session, org)
    return {"offers": [_offer_json(ctx, row) for row in rows]}


def _offer_request(body: dict[str, Any]) -> OfferRequest:
    achievement_id = body.get("achievementId")
    if not isinstance(achievement_id, str) or not achievement_id:
        raise Invalid("'achievementId' (the achievement to offer) is required")
    strings = {name: body.get(name) for name in ("recipientName", "recipientEmail", "format")}
    for name, value in strings.items():
        if value is not None and not isinstance(value, str):
            raise Invalid(f"'{name}' must be a string")
    tx_code = body.get("txCode", True)
    if not isinstance(tx_code, bool):
        raise Invalid("'txCode' must be true or false")
    return OfferRequest(
        achievement_id=achievement_id, recipient_name=strings["recipientName"],
        recipient_email=strings["recipientEmail"], evidence=body.get("evidence") or [],
        results=body.get("results") or [], with_tx_code=tx_code,
        format=strings["format"] or "ldp_vc",
    )


def _offer_json(ctx: IssuerContext, offer: CredentialOffer) -> dict[str, Any]:
    base = offer_url(ctx.public_url, offer.id)
    return {
        "offerId": offer.id,
        "offerUri": offer_uri(ctx.public_url, offer.id),
        "qrPng": f"{base}/qr.png",
        "qrSvg": f"{base}/qr.svg",
        "achievementId": offer.achievement_id,
        "credentialConfigurationId": offer.configuration_id,
        "recipientName": offer.recipient_name,
        "recipientEmail": offer.recipient_email,
        "withTxCode": offer.tx_code_hash is not None,
        "state": offer_state(offer),
        "recordId": offer.issued_credential_id,  # the IssuedCredential row, once issued
        "createdAt": iso(offer.created_at),
        "expiresAt": iso(offer.expires_at),
    }

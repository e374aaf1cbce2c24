"""OpenID4VCI endpoints (metadata, offers, QR codes, token, nonce, credential) and the staff
API to make offers. The work is in issuer.services.oid4vci; errors of the OAuth endpoints are
answered in the OAuth shape {"error", "error_description"}, never cached."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.exceptions import HTTPException

from issuer.api.deps import ApiOrganisation, Context
from issuer.api.schemas.documents import AuthorizationServerMetadata, IssuerMetadata, file_content
from issuer.api.schemas.oid4vci import (
    CredentialOfferDocument,
    CredentialRequest,
    CredentialResponse,
    NewOffer,
    NonceResponse,
    OAuthErrorBody,
    OfferBody,
    OfferList,
    TokenRequest,
    TokenResponse,
)
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
from servicekit.errors import Gone
from servicekit.qr import qr_png, qr_svg

router = APIRouter(tags=["OpenID4VCI"], strict_content_type=False)

NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
METADATA_CACHE = {"Cache-Control": "public, max-age=300"}
MAX_FORM_BYTES = 16 * 1024
# The OAuth error code of a request body that does not fit, per endpoint.
BODY_ERROR_CODE = {"/oid4vci/token": "invalid_request",
                   "/oid4vci/credential": "invalid_credential_request"}
UNREADABLE_BODY = "the request body cannot be read: send a JSON object in UTF-8"
OAUTH_ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": OAuthErrorBody, "description": "refused: 400 (RFC 6749 §5.2), or 401 with "
            "invalid_token and a WWW-Authenticate challenge (RFC 6750 §3.1)"}}


class OAuthRoute(APIRoute):
    """An OAuth endpoint: its refusals, a body that does not fit included, are answered in
    the OAuth shape {"error", "error_description"} and never cached."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        body_error = BODY_ERROR_CODE.get(self.path, "invalid_request")

        async def route(request: Request) -> Response:
            try:
                return await handler(request)
            except OAuthError as error:
                return _oauth_error(request, error)
            except RequestValidationError as error:
                problems = "; ".join(
                    f"{'.'.join(str(part) for part in problem['loc'])}: {problem['msg']}"
                    for problem in error.errors()[:5])
                return _oauth_error(request, OAuthError(body_error, problems))
            except HTTPException as error:
                # FastAPI's own refusal of a body it cannot read at all (not UTF-8, say):
                # still the endpoint's OAuth error, not the service's generic shape.
                if error.status_code != 400:
                    raise
                return _oauth_error(request, OAuthError(body_error, UNREADABLE_BODY))

        return route


oauth_router = APIRouter(tags=["OpenID4VCI"], route_class=OAuthRoute, responses=OAUTH_ERRORS,
                         strict_content_type=False)


def _oauth_error(request: Request, error: OAuthError) -> JSONResponse:
    """The OAuth error shape; a refused access token is 401 with its challenge (RFC 6750 §3),
    every other OAuth error 400 (RFC 6749 §5.2)."""
    headers = dict(NO_STORE)
    status = 400
    if error.error == "invalid_token":
        status = 401
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        sent_token = scheme.lower() == "bearer" and token.strip()
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"' if sent_token else "Bearer"
    return JSONResponse({"error": error.error, "error_description": error.description},
                        status_code=status, headers=headers)


# --- discovery ------------------------------------------------------------------------------
@router.get("/.well-known/openid-credential-issuer", response_model=IssuerMetadata)
def credential_issuer_metadata(ctx: Context) -> JSONResponse:
    return JSONResponse(issuer_metadata(ctx.public_url), headers=METADATA_CACHE)


@router.get("/.well-known/oauth-authorization-server",
            response_model=AuthorizationServerMetadata)
def oauth_metadata(ctx: Context) -> JSONResponse:
    return JSONResponse(authorization_server_metadata(ctx.public_url), headers=METADATA_CACHE)


# --- offers ---------------------------------------------------------------------------------
@router.get("/oid4vci/offers/{offer_id}", response_model=CredentialOfferDocument)
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


@router.get("/oid4vci/offers/{offer_id}/qr.png", response_class=Response,
            responses=file_content({"image/png": "binary"}, "the offer URI as a QR code"))
def offer_qr_png(offer_id: str, ctx: Context) -> Response:
    uri = offer_uri(ctx.public_url, get_offer(ctx, offer_id).id)
    return Response(qr_png(uri), media_type="image/png",
                    headers={"Cache-Control": "private, max-age=300"})


@router.get("/oid4vci/offers/{offer_id}/qr.svg", response_class=Response,
            responses=file_content({"image/svg+xml": "string"}, "the offer URI as a QR code"))
def offer_qr_svg(offer_id: str, ctx: Context) -> Response:
    uri = offer_uri(ctx.public_url, get_offer(ctx, offer_id).id)
    return Response(qr_svg(uri), media_type="image/svg+xml",
                    headers={"Cache-Control": "private, max-age=300"})


# --- the OAuth / OpenID4VCI endpoints ---------------------------------------------------------
@oauth_router.post("/oid4vci/token", response_model=TokenResponse, openapi_extra={
    "requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {
        "schema": TokenRequest.model_json_schema(by_alias=True)}}}})
async def token(request: Request, ctx: Context) -> JSONResponse:
    params = TokenRequest.model_validate(await _read_form(request))
    answer = await run_in_threadpool(
        exchange_pre_authorized_code, ctx, grant_type=params.grant_type,
        pre_authorized_code=params.pre_authorized_code, tx_code=params.tx_code)
    return JSONResponse(answer, headers=NO_STORE)


@router.post("/oid4vci/nonce", response_model=NonceResponse)
def nonce(ctx: Context) -> JSONResponse:
    return JSONResponse({"c_nonce": new_nonce(ctx)}, headers=NO_STORE)


@oauth_router.post("/oid4vci/credential", response_model=CredentialResponse)
async def credential(body: CredentialRequest, request: Request, ctx: Context) -> JSONResponse:
    authorization = request.headers.get("authorization")
    answer = await run_in_threadpool(issue_credential, ctx, authorization,
                                     body.model_dump(exclude_unset=True))
    return JSONResponse(answer, headers=NO_STORE)


async def _read_form(request: Request) -> dict[str, str]:
    """The token request's parameters; each at most once (RFC 6749 §3.2)."""
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
        form = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as error:
        raise OAuthError("invalid_request", f"the token request is not a valid form: {error}") \
            from None
    repeated = sorted(name for name, values in form.items() if len(values) > 1)
    if repeated:
        raise OAuthError("invalid_request", f"parameters sent more than once: {repeated}")
    return {name: values[0] for name, values in form.items()}


# --- staff API ------------------------------------------------------------------------------
@router.post("/api/offers", status_code=201, response_model=NewOffer)
async def make_offer(body: OfferBody, ctx: Context, org: ApiOrganisation) -> JSONResponse:
    request = OfferRequest(
        achievement_id=body.achievement_id, recipient_name=body.recipient_name,
        recipient_email=body.recipient_email, evidence=body.evidence or [],
        results=body.results or [], with_tx_code=body.tx_code, format=body.format or "ldp_vc")
    new = await run_in_threadpool(create_offer, ctx, org, request)
    document = {**_offer_json(ctx, new.offer), "txCode": new.tx_code}
    return JSONResponse(document, status_code=201, headers=NO_STORE)


@router.get("/api/offers", response_model=OfferList)
def offers(ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        rows = list_offers(session, org)
    return {"offers": [_offer_json(ctx, row) for row in rows]}


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

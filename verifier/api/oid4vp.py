"""OpenID4VP endpoints: make a request, follow it, show it as a QR code, and the response URI
wallets answer at. The work is in verifier.services.oid4vp.

The response URI speaks OAuth to wallets: errors are {"error", "error_description"} (400, or
413 for a body over the size limit), never cached. It reads its form itself, under the size
limit, so that every refusal has that shape and a name sent twice is refused, not picked. The
other routes use the verifier's own error shape.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qsl

from fastapi import APIRouter, Body, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from servicekit.api_errors import status_of
from servicekit.errors import Invalid, ServiceError
from servicekit.http_body import BodyError, read_body
from servicekit.qr import qr_png, qr_svg
from standards.request_objects import REQUEST_OBJECT_MEDIA_TYPE
from verifier.api.schemas.base import REFUSALS
from verifier.api.schemas.oid4vp import (
    Accepted,
    CreatedRequest,
    NewRequestBody,
    OAuthError,
    RequestStatus,
    WalletAnswer,
)
from verifier.dependencies import Context
from verifier.services.oid4vp import (
    REQUEST_OBJECT_PATH,
    RESPONSE_PATH,
    authorization_request,
    create_request,
    receive_response,
    request_object,
    request_status,
)

# A body sent without a content type is read as JSON, as before the models.
router = APIRouter(tags=["OpenID4VP"], strict_content_type=False)

NO_STORE = {"Cache-Control": "no-store"}
FORM = "application/x-www-form-urlencoded"
MAX_FORM_FIELDS = 20  # vp_token, state, presentation_submission, error…: a handful


@router.post("/oid4vp/requests", status_code=201, response_model=CreatedRequest,
             responses=REFUSALS)
async def new_request(ctx: Context,
                      body: Annotated[NewRequestBody | None, Body()] = None) -> JSONResponse:
    """Ask the owner's wallet for a credential; the body may be left out."""
    wanted = body or NewRequestBody()
    created = await run_in_threadpool(create_request, ctx, query_language=wanted.query,
                                      credential_types=wanted.types,
                                      by_reference=wanted.by_reference,
                                      credential_format=wanted.format)
    return JSONResponse(created, status_code=201, headers=NO_STORE)


@router.get("/oid4vp/requests/{request_id}", response_model=RequestStatus, responses=REFUSALS)
def status(request_id: str, ctx: Context) -> JSONResponse:
    return JSONResponse(request_status(ctx, request_id), headers=NO_STORE)


@router.get("/oid4vp/requests/{request_id}/qr.png", response_class=Response,
            responses={200: {"content": {"image/png": {}}}, **REFUSALS})
def qr_code_png(request_id: str, ctx: Context) -> Response:
    return Response(qr_png(authorization_request(ctx, request_id)), media_type="image/png",
                    headers=NO_STORE)


@router.get("/oid4vp/requests/{request_id}/qr.svg", response_class=Response,
            responses={200: {"content": {"image/svg+xml": {}}}, **REFUSALS})
def qr_code_svg(request_id: str, ctx: Context) -> Response:
    return Response(qr_svg(authorization_request(ctx, request_id)),
                    media_type="image/svg+xml", headers=NO_STORE)


@router.get(REQUEST_OBJECT_PATH + "/{state}", response_class=Response,
            responses={200: {"content": {REQUEST_OBJECT_MEDIA_TYPE: {}}},
                       **REFUSALS})
def request_object_jwt(state: str, ctx: Context) -> Response:
    """The request object of a request passed by reference (request_uri, GET)."""
    return Response(request_object(ctx, state), media_type=REQUEST_OBJECT_MEDIA_TYPE,
                    headers=NO_STORE)


@router.post(RESPONSE_PATH, response_model=Accepted,
             responses={400: {"model": OAuthError}, 413: {"model": OAuthError}},
             openapi_extra={"requestBody": {"required": True, "content": {
                 FORM: {"schema": WalletAnswer.model_json_schema()}}}})
async def wallet_response(request: Request, ctx: Context) -> JSONResponse:
    """Response Mode direct_post (OpenID4VP §8.2): 200 with {} once the answer is taken."""
    try:
        form = _form(request.headers.get("content-type", ""),
                     await read_body(request, ctx.settings.max_request_bytes))
        answer = await run_in_threadpool(receive_response, ctx, form)
    except (ServiceError, BodyError) as error:
        return JSONResponse({"error": "invalid_request", "error_description": str(error)},
                            status_code=_oauth_status(error), headers=NO_STORE)
    return JSONResponse(answer, headers=NO_STORE)


def _oauth_status(error: ServiceError | BodyError) -> int:
    """OAuth answers a refused request with 400 whatever the reason (an unknown, expired or
    answered state alike); only a body over the limit (413) and the verifier's own failure
    (500) keep their status."""
    status = error.status if isinstance(error, BodyError) else status_of(error)
    return status if status in (413, 500) else 400


def _form(content_type: str, body: bytes) -> dict[str, str]:
    """An application/x-www-form-urlencoded body as {name: value}; each name once."""
    if content_type.split(";")[0].strip().lower() != FORM:
        raise Invalid(f"send the answer as {FORM} (response mode direct_post)")
    try:
        pairs = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True,
                          errors="strict", max_num_fields=MAX_FORM_FIELDS)
    except UnicodeDecodeError:
        raise Invalid("the answer is not UTF-8") from None
    except ValueError as error:
        raise Invalid(f"the answer is not a valid form: {error}") from None
    form: dict[str, str] = {}
    for name, value in pairs:
        if name in form:
            raise Invalid(f"the answer names {name!r} more than once")
        form[name] = value
    return form

"""Asking the owner's wallet (OpenID4VP): a QR code to scan, then the result.

`GET /oid4vp` makes a request and shows its QR code and `openid4vp://` link. By default the
request is what the EU wallet profile (HAIP) expects: DCQL, passed by reference (`request_uri`,
a small QR code) as a request object signed with the verifier's key. `?query=pe` is the older
way for wallets that speak neither: Presentation Exchange, passed by value, unsigned.
the page polls the request's status with JavaScript and goes to `GET /oid4vp/{id}/result`
once the wallet answered. Without JavaScript a "show the result" button does the same.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from servicekit.api_errors import status_of
from servicekit.errors import ServiceError
from verifier.dependencies import Context
from verifier.services.oid4vp import create_request, request_status
from verifier.web.render import render

router = APIRouter(include_in_schema=False)
QUERY_LANGUAGES = {"dcql": "pe", "pe": "dcql"}  # each with the other one to switch to


@router.get("/oid4vp", response_class=HTMLResponse)
def request_page(request: Request, ctx: Context) -> HTMLResponse:
    asked = request.query_params.get("query")
    query_language = asked if asked in QUERY_LANGUAGES else "dcql"
    created = create_request(ctx, query_language=query_language,
                             by_reference=query_language == "dcql")
    return render(request, "oid4vp.html", created=created,
                  other_query=QUERY_LANGUAGES[query_language],
                  minutes=max(1, created["expires_in"] // 60))


@router.get("/oid4vp/{request_id}/result", response_class=HTMLResponse)
def result_page(request_id: str, request: Request, ctx: Context) -> HTMLResponse:
    try:
        status = request_status(ctx, request_id)
    except ServiceError as error:
        return render(request, "oid4vp_result.html", status=status_of(error), answer=None,
                      detail=str(error))
    return render(request, "oid4vp_result.html", answer=status, detail=status.get("error"))

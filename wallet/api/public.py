"""What anyone may open without logging in: share links (`/s/{token}`) and online CVs
(`/cv/{slug}`), each with its QR code and the files it shows.

A share link answers a program asking for JSON (`Accept: application/json`,
`application/vp+json` or `application/ld+json`) with the signed presentation, and a person
with a readable page. Every view is logged for the owner. Nothing here is cached, sent on as
a referrer or indexed by search engines.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from sqlmodel import Session

from servicekit.api_errors import error_response, status_of
from servicekit.errors import Gone, ServiceError
from servicekit.qr import qr_png, qr_svg
from standards.ob3.summary import summarize_credential
from wallet.api.deps import Context
from wallet.api.schemas import binary
from wallet.db import session_scope
from wallet.models import Account, Evidence
from wallet.services.context import WalletContext
from wallet.services.cv import cv_photo, public_cv
from wallet.services.self_issued import author_name
from wallet.services.share_views import log_view
from wallet.services.shares import (
    open_share,
    presentation_of,
    share_url,
    shared_evidence_file,
)
from wallet.web.render import render

router = APIRouter(tags=["public"])

PRIVATE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
                   "X-Robots-Tag": "noindex, nofollow"}
JSON_TYPES = ("application/json", "application/vp+json", "application/ld+json")


def wants_json(request: Request) -> str | None:
    """The JSON media type the client prefers over HTML, or None for a page."""
    best: tuple[float, str] | None = None
    html_quality = 0.0
    for part in request.headers.get("accept", "").split(","):
        media, *params = [p.strip() for p in part.split(";")]
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media in JSON_TYPES and quality > 0 and (best is None or quality > best[0]):
            best = (quality, media)
        elif media in ("text/html", "application/xhtml+xml"):
            html_quality = max(html_quality, quality)
    return best[1] if best and best[0] >= html_quality else None


def _refusal(request: Request, error: ServiceError, as_json: bool) -> Response:
    status = status_of(error)
    if as_json:
        return error_response(status, str(error), PRIVATE_HEADERS)
    key = "sharing.public.gone" if isinstance(error, Gone) else "sharing.public.not_found"
    return render(request, "public_refused.html", status=status, headers=PRIVATE_HEADERS,
                  message_key=key, detail=str(error))


def _file(item: Evidence, path: Path) -> FileResponse:
    media_type = item.media_type or "application/octet-stream"
    disposition = "inline" if media_type.startswith(("image/", "video/", "audio/")) \
        else "attachment"
    headers = {**PRIVATE_HEADERS, "X-Content-Type-Options": "nosniff",
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    return FileResponse(path, media_type=media_type, headers=headers,
                        filename=item.filename or None, content_disposition_type=disposition)


def _shared_items(presentation: dict[str, Any]) -> tuple[list[dict[str, Any]],
                                                         list[dict[str, Any]]]:
    """(credential summaries, evidence entries) of a share's presentation."""
    credentials: list[dict[str, Any]] = []
    evidence: list[dict[str, Any]] = []
    for credential in presentation.get("verifiableCredential", []):
        if not isinstance(credential, dict):
            continue
        issuer = credential.get("issuer")
        issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
        if issuer_id == presentation.get("holder") and credential.get("evidence"):
            evidence.extend(e for e in credential["evidence"] if isinstance(e, dict))
        else:
            credentials.append(summarize_credential(credential))
    return credentials, evidence


# --- share links ------------------------------------------------------------------------
Answers = dict[int | str, dict[str, Any]]  # the shape FastAPI's `responses=` takes
SHARE_ANSWER: Answers = {200: {"description": "the page, or the signed presentation when JSON "
                               "is asked for", "content": {
                                   "text/html": {"schema": {"type": "string"}},
                                   **{media_type: {"schema": {"type": "object"}}
                                      for media_type in JSON_TYPES}}}}
QR_PNG: Answers = {200: binary("the QR code of the address", "image/png")}
FILE: Answers = {200: binary("the file, with its stored media type", "application/octet-stream")}


@router.get("/s/{token}", response_class=Response, responses=SHARE_ANSWER)
def shared(token: str, request: Request, ctx: Context) -> Response:
    json_type = wants_json(request)
    try:
        with session_scope(ctx.engine) as session:
            share = open_share(ctx, session, token)
            log_view(ctx, session, share, as_json=json_type is not None,
                     user_agent=request.headers.get("user-agent", ""))
            presentation = presentation_of(share)
            owner = session.get(Account, share.owner_id)
            name = author_name(owner) if owner else ""
            audience, expires_at, url = share.audience, share.expires_at, share_url(ctx, share)
    except ServiceError as error:
        return _refusal(request, error, json_type is not None)
    if json_type is not None:
        return JSONResponse(presentation, media_type=json_type, headers=PRIVATE_HEADERS)
    credentials, evidence = _shared_items(presentation)
    return render(request, "public_share.html", headers=PRIVATE_HEADERS, owner_name=name,
                  audience=audience, expires_at=expires_at, url=url, credentials=credentials,
                  evidence=evidence, holder=presentation.get("holder", ""),
                  proof_binding=_proof_binding(presentation))


def _proof_binding(presentation: dict[str, Any]) -> dict[str, str] | None:
    """The challenge and domain the presentation's proof carries (shares made since they
    carry them), to publish beside it for verifiers that ask for them."""
    proof = presentation.get("proof")
    proof = proof[0] if isinstance(proof, list) and proof else proof
    if not isinstance(proof, dict) or not isinstance(proof.get("challenge"), str):
        return None
    return {"challenge": proof["challenge"], "domain": str(proof.get("domain", ""))}


def _open_for_extra(ctx: WalletContext, request: Request, token: str) -> Response | None:
    """None when the share is open; else the refusal (as JSON: these are not pages)."""
    try:
        with Session(ctx.engine) as session:
            open_share(ctx, session, token)
    except ServiceError as error:
        return _refusal(request, error, True)
    return None


@router.get("/s/{token}/qr.png", response_class=Response, responses=QR_PNG)
def share_qr_png(token: str, request: Request, ctx: Context) -> Response:
    refused = _open_for_extra(ctx, request, token)
    return refused or Response(qr_png(f"{ctx.public_url}/s/{token}"), media_type="image/png",
                               headers=PRIVATE_HEADERS)


@router.get("/s/{token}/qr.svg", response_class=Response,
            responses={200: {"description": "the QR code of the address",
                             "content": {"image/svg+xml": {"schema": {"type": "string"}}}}})
def share_qr_svg(token: str, request: Request, ctx: Context) -> Response:
    refused = _open_for_extra(ctx, request, token)
    return refused or Response(qr_svg(f"{ctx.public_url}/s/{token}"),
                               media_type="image/svg+xml", headers=PRIVATE_HEADERS)


@router.get("/s/{token}/evidence/{evidence_id}", response_class=Response, responses=FILE)
def shared_evidence(token: str, evidence_id: str, request: Request, ctx: Context) -> Response:
    try:
        with Session(ctx.engine) as session:
            share = open_share(ctx, session, token)
            item, path = shared_evidence_file(ctx, session, share, evidence_id)
    except ServiceError as error:
        return _refusal(request, error, True)
    return _file(item, path)


# --- the online CV ----------------------------------------------------------------------
@router.get("/cv/{slug}", response_class=HTMLResponse)
def cv_page(slug: str, request: Request, ctx: Context) -> Response:
    try:
        with Session(ctx.engine) as session:
            view = public_cv(session, slug)
    except ServiceError as error:
        return _refusal(request, error, wants_json(request) is not None)
    return render(request, "public_cv.html", headers=PRIVATE_HEADERS, cv=view,
                  url=f"{ctx.public_url}/cv/{view.page.slug}")


@router.get("/cv/{slug}/qr.png", response_class=Response, responses=QR_PNG)
def cv_qr(slug: str, request: Request, ctx: Context) -> Response:
    try:
        with Session(ctx.engine) as session:
            view = public_cv(session, slug)
    except ServiceError as error:
        return _refusal(request, error, True)
    return Response(qr_png(f"{ctx.public_url}/cv/{view.page.slug}"), media_type="image/png",
                    headers=PRIVATE_HEADERS)


@router.get("/cv/{slug}/evidence/{evidence_id}", response_class=Response, responses=FILE)
def cv_image(slug: str, evidence_id: str, request: Request, ctx: Context) -> Response:
    try:
        with Session(ctx.engine) as session:
            item, path = cv_photo(ctx, session, slug, evidence_id)
    except ServiceError as error:
        return _refusal(request, error, True)
    return _file(item, path)

"""Pages: answering a verifier's OpenID4VP request. Paste the request (or upload a photo of
its QR code) → a consent page naming the verifier and what would be shown → send or
decline. Nothing leaves the wallet before the owner presses send."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from servicekit.errors import Refused, ServiceError, TooLarge
from servicekit.qr_decode import ImageRefused, decode_qr
from wallet.services.access import Actor
from wallet.services.context import WalletContext
from wallet.services.oid4vp_client import preview_request, send_answer, send_refusal
from wallet.web.auth import CheckedForm, Context, PageActor
from wallet.web.render import error_status, error_text, render

router = APIRouter(include_in_schema=False)

def qr_text(data: bytes) -> str:
    """The text of the first QR code in an uploaded image; ServiceError when there is none."""
    try:
        text = decode_qr(data)
    except ImageRefused as refused:
        raise (TooLarge if refused.status == 413 else Refused)(str(refused)) from None
    if text is None:
        raise Refused("no QR code was found in the image")
    return text


def _start(request: Request, actor: Actor, *, status: int = 200, error: str | None = None,
           value: str = "") -> HTMLResponse:
    return render(request, "sharing_oid4vp.html", actor=actor, status=status, error=error,
                  values={"request": value})


@router.get("/d/{owner_id}/oid4vp", response_class=HTMLResponse)
def oid4vp_page(request: Request, actor: PageActor) -> HTMLResponse:
    actor.require_owner("answer presentation requests")
    return _start(request, actor)


async def _request_from(form: Any) -> str:
    upload = form.get("qr")
    if isinstance(upload, UploadFile) and upload.filename:
        return qr_text(await upload.read())
    value = form.get("request")
    return value.strip() if isinstance(value, str) else ""


def _consent(request: Request, actor: Actor, ctx: WalletContext, uri: str) -> HTMLResponse:
    seen = preview_request(ctx, actor, uri)
    chosen = {found[0]["id"] for found in seen["matches"].values() if found}
    return render(request, "sharing_oid4vp_consent.html", actor=actor, preview=seen,
                  request_uri=uri, chosen=chosen)


@router.post("/d/{owner_id}/oid4vp/review", response_class=HTMLResponse)
async def review(request: Request, actor: PageActor, ctx: Context,
                 form: CheckedForm) -> Response:
    uri = ""
    try:
        uri = await _request_from(form)
        if not uri:
            raise Refused("paste the request or choose a photo of its QR code")
        return _consent(request, actor, ctx, uri)
    except ServiceError as error:
        return _start(request, actor, status=error_status(error),
                      error=error_text(request, error), value=uri)


@router.post("/d/{owner_id}/oid4vp/send", response_class=HTMLResponse)
def send(request: Request, actor: PageActor, ctx: Context, form: CheckedForm) -> Response:
    uri = form.get("request")
    uri = uri if isinstance(uri, str) else ""
    chosen = [v for v in form.getlist("credential") if isinstance(v, str)]
    try:
        result = send_answer(ctx, actor, uri, chosen)
    except ServiceError as error:
        return _start(request, actor, status=error_status(error),
                      error=error_text(request, error), value=uri)
    return render(request, "sharing_oid4vp_done.html", actor=actor, declined=False,
                  verifier=result["verifier"], count=len(result["sent"]))


@router.post("/d/{owner_id}/oid4vp/decline", response_class=HTMLResponse)
def refuse(request: Request, actor: PageActor, ctx: Context, form: CheckedForm) -> Response:
    uri = form.get("request")
    uri = uri if isinstance(uri, str) else ""
    try:
        result = send_refusal(ctx, actor, uri)
    except ServiceError as error:
        return _start(request, actor, status=error_status(error),
                      error=error_text(request, error), value=uri)
    return render(request, "sharing_oid4vp_done.html", actor=actor, declined=True,
                  verifier=result["verifier"], count=0)

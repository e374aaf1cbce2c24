"""The employer page: scan a QR code, upload a file or give a link, and read the result.

`GET /` the page; `POST /verify` the form (a file, a link or text) → the result page, 200
whatever the verdict; 400/413/415 with the page and a message when there is nothing usable
to check. `POST /scan` a camera frame → `{"text"}` of the QR code in it, or 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse

from servicekit.api_errors import error_response, status_of
from servicekit.errors import ServiceError
from servicekit.http_body import BodyError, read_body, uploaded_file
from verifier.dependencies import Context
from verifier.services.context import VerifierContext
from verifier.services.qr_decode import decode_qr
from verifier.services.shared_input import (
    InputProblem,
    SharedInput,
    UnusableInput,
    from_file,
    from_link,
    from_text,
)
from verifier.services.verification import VerifyOptions, verify_any_report
from verifier.web.forms import MAX_FILE_BYTES, CheckForm, read_check_form
from verifier.web.render import render

router = APIRouter(include_in_schema=False)
# What someone shows the employer must be about them (holder binding required).
OPTIONS = VerifyOptions(check_evidence=True, require_holder_binding=True)
# scan.js sends JPEG frames of at most 1024 px, a few hundred kB; a full-size photo of a QR
# code is uploaded as a file (/verify) instead.
MAX_FRAME_BYTES = 2 * 1024 * 1024


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return _home(request)


@router.post("/verify", response_class=HTMLResponse)
async def verify(request: Request, ctx: Context) -> HTMLResponse:
    form: CheckForm | None = None
    try:
        form = await read_check_form(request, ctx.settings.max_request_bytes)
        shared, report = await run_in_threadpool(_check, ctx, form)
    except BodyError as error:
        reason = "too_large" if error.status == 413 else "form"
        return _home(request, status=error.status, reason=reason, detail=str(error), form=form)
    except InputProblem as error:
        return _home(request, status=status_of(error), reason=error.reason, detail=str(error),
                     form=form)
    except ServiceError as error:
        return _home(request, status=status_of(error), reason="other", detail=str(error),
                     form=form)
    return render(request, "result.html", here="/", result=report, shared=shared)


@router.post("/scan")
async def scan(request: Request) -> JSONResponse:
    body = await read_body(request, MAX_FRAME_BYTES)
    _name, frame = await uploaded_file(request, body, "a camera frame", field="frame")
    text = await run_in_threadpool(decode_qr, frame)  # ImageRefused: 400/413 as JSON
    if text is None:
        return error_response(422, "no QR code found")
    return JSONResponse({"text": text}, headers={"Cache-Control": "no-store"})


def _check(ctx: VerifierContext, form: CheckForm) -> tuple[SharedInput, dict[str, Any]]:
    """Exactly one way in; its credential or presentation verified, evidence included."""
    given = form.given()
    if not given:
        raise UnusableInput("empty", "choose a file, scan a QR code, or give a link or text")
    if len(given) > 1:
        raise UnusableInput("several", f"give one thing to check at a time, not {given}")
    if form.file is not None:
        shared = from_file(ctx, form.file[1], form.file[0])
    elif form.link.strip():
        shared = from_link(ctx, form.link)
    else:
        shared = from_text(ctx, form.text)
    return shared, verify_any_report(ctx, shared.value, OPTIONS)


def _home(request: Request, *, status: int = 200, reason: str | None = None,
          detail: str | None = None, form: CheckForm | None = None) -> HTMLResponse:
    """The page; after refused input with the problem on top and the typed text kept."""
    problem = {"reason": reason, "detail": detail} if reason else None
    return render(request, "home.html", status=status, here="/", problem=problem,
                  values={"link": form.link if form else "", "text": form.text if form else ""},
                  max_megabytes=MAX_FILE_BYTES // (1024 * 1024))

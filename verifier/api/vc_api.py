"""W3C CCG VC-API verification: POST /credentials/verify, /presentations/verify, /challenges.

Verification answers 200 with the report whatever the verdict; only a request that cannot be
read (malformed JSON, missing member, wrong type, too large) gets 400/413.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from servicekit.errors import Invalid
from servicekit.http_body import read_json_object
from verifier.api.deps import Context
from verifier.services.verification import (
    VerifyOptions,
    new_challenge,
    verify_credential_report,
    verify_presentation_report,
)

router = APIRouter(tags=["VC-API"])
NO_STORE = {"Cache-Control": "no-store"}


@router.post("/credentials/verify")
async def credentials_verify(request: Request, ctx: Context) -> JSONResponse:
    body = await read_json_object(request, ctx.settings.max_request_bytes)
    credential = _member(body, "verifiableCredential")
    options = _options(body.get("options"))
    report = await run_in_threadpool(verify_credential_report, ctx, credential, options)
    return JSONResponse(report, headers=NO_STORE)


@router.post("/presentations/verify")
async def presentations_verify(request: Request, ctx: Context) -> JSONResponse:
    body = await read_json_object(request, ctx.settings.max_request_bytes)
    presentation = _member(body, "verifiablePresentation")
    options = _options(body.get("options"))
    report = await run_in_threadpool(verify_presentation_report, ctx, presentation, options)
    return JSONResponse(report, headers=NO_STORE)


@router.post("/challenges", status_code=201)
async def challenges(ctx: Context) -> JSONResponse:
    challenge = await run_in_threadpool(new_challenge, ctx)
    return JSONResponse(challenge, status_code=201, headers=NO_STORE)


@router.get("/trust-registry")
def trust_registry(ctx: Context) -> dict[str, Any]:
    registry = ctx.registry
    return {"name": registry.name, "source": registry.public_source,
            "issuers": [entry.to_json() for entry in registry.entries.values()]}


def _member(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise Invalid(f'the request needs "{name}"')
    return body[name]


def _options(value: Any) -> VerifyOptions:
    """VC-API `options`; Invalid for a wrong type. Unknown options are ignored, as VC-API
    implementations do, but named in no check."""
    if value is None:
        return VerifyOptions()
    if not isinstance(value, dict):
        raise Invalid('"options" must be a JSON object')
    for name in ("challenge", "domain"):
        if value.get(name) is not None and not isinstance(value[name], str):
            raise Invalid(f'"options.{name}" must be a string')
    for name in ("checkStatus", "checkEvidence"):
        if name in value and not isinstance(value[name], bool):
            raise Invalid(f'"options.{name}" must be true or false')
    return VerifyOptions(challenge=value.get("challenge"), domain=value.get("domain"),
                         check_status=value.get("checkStatus", True),
                         check_evidence=value.get("checkEvidence", False))

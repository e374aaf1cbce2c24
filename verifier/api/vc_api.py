"""W3C CCG VC-API verification: POST /credentials/verify, /presentations/verify, /challenges.

Verification answers 200 with the report when verified and 400 with the same report when not,
as the CCG VC-API suites and Digital Bazaar's verifiers do (issue 19; it was 200 whatever the
verdict). A request that cannot be read (malformed JSON, missing member, wrong type, too large)
gets 400/413 with a message instead of a report.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from verifier.api.schemas.base import REFUSALS, ApiError
from verifier.api.schemas.report import VerificationReport
from verifier.api.schemas.vc_api import (
    Challenge,
    TrustRegistryDocument,
    VerifyCredentialRequest,
    VerifyOptionsBody,
    VerifyPresentationRequest,
)
from verifier.dependencies import Context
from verifier.services.challenges import new_challenge
from verifier.services.verification import (
    VerifyOptions,
    verify_credential_report,
    verify_presentation_report,
)

# A body sent without a content type is read as JSON, as before the models.
router = APIRouter(tags=["VC-API"], strict_content_type=False, responses=REFUSALS)
NO_STORE = {"Cache-Control": "no-store"}
# 400 is also the answer to a request that cannot be read: then an error with a message.
NOT_VERIFIED: dict[int | str, dict[str, Any]] = {400: {
    "model": VerificationReport | ApiError,
    "description": "Not verified: the same report, with `verified: false` and the errors; "
                   "or, for a request that cannot be read, an error with a message"}}


# The routes answer the report as the service builds it (members appear only where they
# apply, e.g. `trust` for credentials); the models document it.
@router.post("/credentials/verify", response_model=VerificationReport,
             responses=NOT_VERIFIED)
async def credentials_verify(body: VerifyCredentialRequest, ctx: Context) -> JSONResponse:
    report = await run_in_threadpool(verify_credential_report, ctx, body.verifiable_credential,
                                     _options(body.options))
    return _verdict(report)


@router.post("/presentations/verify", response_model=VerificationReport,
             responses=NOT_VERIFIED)
async def presentations_verify(body: VerifyPresentationRequest, ctx: Context) -> JSONResponse:
    report = await run_in_threadpool(verify_presentation_report, ctx,
                                     body.verifiable_presentation, _options(body.options))
    return _verdict(report)


@router.post("/challenges", status_code=201, response_model=Challenge)
async def challenges(ctx: Context) -> JSONResponse:
    challenge = await run_in_threadpool(new_challenge, ctx)
    return JSONResponse(challenge, status_code=201, headers=NO_STORE)


@router.get("/trust-registry", response_model=TrustRegistryDocument)
def trust_registry(ctx: Context) -> dict[str, Any]:
    registry = ctx.registry
    return {"name": registry.name, "source": registry.public_source,
            "issuers": [entry.to_json() for entry in registry.entries.values()]}


def _verdict(report: dict[str, Any]) -> JSONResponse:
    """The report, as 200 when verified and 400 when not."""
    return JSONResponse(report, status_code=200 if report["verified"] else 400,
                        headers=NO_STORE)


def _options(body: VerifyOptionsBody | None) -> VerifyOptions:
    return body.to_options() if body is not None else VerifyOptions()

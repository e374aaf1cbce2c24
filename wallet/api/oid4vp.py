"""Answering a verifier's OpenID4VP request over JSON (owner only): look at what is asked
(`preview`), then send the answer the owner agreed to, or decline."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from sqlmodel import Session

from servicekit.errors import Refused
from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import VpRequestAnswer, VpRequestDecline, VpRequestIn
from wallet.db import session_scope
from wallet.services.oid4vp_client import answer, decline, preview

router = APIRouter(prefix="/api/dossiers/{owner_id}/oid4vp", tags=["oid4vp"])


def _request_uri(body: VpRequestIn) -> str:
    value = body.request
    if not isinstance(value, str) or not value.strip():
        raise Refused('"request" must be the openid4vp:// request (text)')
    return value


@router.post("/preview")
def preview_request(body: VpRequestIn, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    """`{"request": "openid4vp://?..."}` → who asks, for what, and what would answer it."""
    with Session(ctx.engine) as session:
        return preview(ctx, session, actor, _request_uri(body))


@router.post("/answer")
def answer_request(body: VpRequestAnswer, actor: DossierActor,
                   ctx: Context) -> dict[str, Any]:
    """`{"request": uri, "credentials": [ids]}` (default: the first match per question)
    → the verifier's reply."""
    chosen = body.credentials
    if chosen is not None and (not isinstance(chosen, list)
                               or not all(isinstance(c, str) for c in chosen)):
        raise Refused('"credentials" must be a list of ids')
    with session_scope(ctx.engine) as session:
        return answer(ctx, session, actor, _request_uri(body), chosen)


@router.post("/decline")
def decline_request(body: VpRequestDecline, actor: DossierActor,
                    ctx: Context) -> dict[str, Any]:
    reason = "the owner declined" if body.reason is None else body.reason
    if not isinstance(reason, str):
        raise Refused('"reason" must be text')
    with session_scope(ctx.engine) as session:
        return decline(ctx, session, actor, _request_uri(body), reason or "the owner declined")

"""Share links over JSON (owner only): make one, list them with their views, revoke one."""

from __future__ import annotations

import base64
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlmodel import Session

from servicekit.errors import Refused
from servicekit.qr import qr_png
from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import NewShare, json_object
from wallet.db import session_scope
from wallet.models import Share, ShareView, iso
from wallet.services.context import WalletContext
from wallet.services.share_views import ViewLog, view_logs
from wallet.services.shares import (
    create_share,
    get_share,
    parse_duration,
    revoke_share,
    share_state,
    share_url,
    shares_of,
)

router = APIRouter(prefix="/api/dossiers/{owner_id}/shares", tags=["shares"])


def view_json(view: ShareView) -> dict[str, Any]:
    return {"at": iso(view.at), "as": "json" if view.as_json else "html",
            "client": view.client}


def share_json(ctx: WalletContext, share: Share, views: ViewLog, *,
               with_qr: bool = False) -> dict[str, Any]:
    url = share_url(ctx, share)
    out: dict[str, Any] = {
        "id": share.id, "url": url, "qrPngUrl": f"{url}/qr.png", "qrSvgUrl": f"{url}/qr.svg",
        "audience": share.audience, "credentials": share.credential_ids,
        "evidence": share.evidence_ids, "createdAt": iso(share.created_at),
        "expiresAt": iso(share.expires_at), "revokedAt": iso(share.revoked_at),
        "state": share_state(ctx, share),
        # The first views one by one (newest first), the later ones counted per day.
        "views": {"count": views.total, "lastViewedAt": iso(views.last_at),
                  "list": [view_json(v) for v in views.views],
                  "perDay": [{"day": d.day.isoformat(), "count": d.count,
                              "lastViewedAt": iso(d.last_at)} for d in views.days]},
    }
    if with_qr:  # a data: URL, so an app can show it without a second request
        out["qrPng"] = "data:image/png;base64," + base64.b64encode(qr_png(url)).decode()
    return out


def _id_list(value: Any, name: str) -> list[str]:
    value = [] if value is None else value
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Refused(f'"{name}" must be a list of ids')
    return value


@router.post("", status_code=201, response_model=None,
             responses={201: json_object("the share link, with its QR code")})
def new_share(body: NewShare, actor: DossierActor, ctx: Context) -> JSONResponse:
    audience = "" if body.audience is None else body.audience
    if not isinstance(audience, str):
        raise Refused('"audience" must be text')
    expires = body.expires_in
    if expires is not None and not isinstance(expires, str):
        raise Refused('"expiresIn" must be text such as "7d", "12h" or "30m"')
    lifetime = parse_duration(expires) if expires is not None else None
    with session_scope(ctx.engine) as session:
        share = create_share(ctx, session, actor, _id_list(body.credentials, "credentials"),
                             _id_list(body.evidence, "evidence"), audience, lifetime)
        out = share_json(ctx, share, ViewLog(0), with_qr=True)
    return JSONResponse(out, status_code=201)


@router.get("")
def list_shares(actor: DossierActor, ctx: Context) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        shares = shares_of(session, actor)
        views = view_logs(session, shares)
        return [share_json(ctx, s, views[s.id]) for s in shares]


@router.get("/{share_id}")
def one_share(share_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        share = get_share(session, actor, share_id)
        return share_json(ctx, share, view_logs(session, [share])[share.id])


@router.delete("/{share_id}")
def revoke(share_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        share = revoke_share(ctx, session, actor, share_id)
        return share_json(ctx, share, view_logs(session, [share])[share.id])

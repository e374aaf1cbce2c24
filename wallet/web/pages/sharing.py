"""Pages: share links (list with views, new, detail with link and QR, revoke with
confirmation) and the online CV's settings. The OpenID4VP pages are in sharing_oid4vp."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlmodel import Session, col, select

from wallet.api.deps import Context
from wallet.db import session_scope
from wallet.models import Evidence, StoredCredential
from wallet.services.access import Actor
from wallet.services.context import WalletContext, WalletError
from wallet.services.credentials import credentials_of
from wallet.services.cv import cv_json, cv_of, update_cv
from wallet.services.shares import (
    create_share,
    get_share,
    parse_duration,
    revoke_share,
    share_state,
    share_url,
    shares_of,
    views_of,
)
from wallet.web.auth import CheckedForm, PageActor
from wallet.web.pages import sharing_oid4vp
from wallet.web.render import error_status, error_text, render, see_other

router = APIRouter(include_in_schema=False)
router.include_router(sharing_oid4vp.router)

EXPIRY_CHOICES = ("1h", "1d", "7d", "30d", "90d")


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _ids(form: Any, name: str) -> list[str]:
    return [v for v in form.getlist(name) if isinstance(v, str) and v]


def _approved_evidence(session: Session, actor: Actor, kind: str | None = None
                       ) -> list[Evidence]:
    query = select(Evidence).where(Evidence.owner_id == actor.owner_id,
                                   Evidence.status == "approved")
    if kind:
        query = query.where(Evidence.kind == kind)
    return list(session.exec(query.order_by(col(Evidence.created_at).desc())))


# --- share links ------------------------------------------------------------------------
@router.get("/d/{owner_id}/shares", response_class=HTMLResponse)
def shares_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    with Session(ctx.engine) as session:
        shares = shares_of(session, actor)
        views = views_of(session, [s.id for s in shares])
        rows = [{"share": s, "state": share_state(ctx, s), "views": views[s.id],
                 "items": len(s.credential_ids) + len(s.evidence_ids)} for s in shares]
    return render(request, "sharing_list.html", actor=actor, rows=rows)


def _new_form(request: Request, actor: Actor, ctx: WalletContext, *, status: int = 200,
              error: str | None = None, values: dict[str, Any] | None = None) -> HTMLResponse:
    with Session(ctx.engine) as session:
        credentials = [c for c in credentials_of(session, actor)]
        evidence = _approved_evidence(session, actor)
    return render(request, "sharing_new.html", actor=actor, status=status, error=error,
                  credentials=credentials, evidence=evidence, expiry_choices=EXPIRY_CHOICES,
                  values=values or {"expires": "7d", "credential": [], "evidence": []})


@router.get("/d/{owner_id}/shares/new", response_class=HTMLResponse)
def new_share_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    actor.require_owner("share the dossier")
    return _new_form(request, actor, ctx)


@router.post("/d/{owner_id}/shares", response_class=HTMLResponse)
def make_share(request: Request, actor: PageActor, ctx: Context, form: CheckedForm) -> Response:
    values = {"credential": _ids(form, "credential"), "evidence": _ids(form, "evidence"),
              "audience": _text(form, "audience"), "expires": _text(form, "expires") or "7d"}
    try:
        lifetime = parse_duration(values["expires"])
        with session_scope(ctx.engine) as session:
            share = create_share(ctx, session, actor, values["credential"], values["evidence"],
                                 values["audience"], lifetime)
            share_id = share.id
    except WalletError as error:
        return _new_form(request, actor, ctx, status=error_status(error),
                         error=error_text(request, error), values=values)
    return see_other(f"/d/{actor.owner_id}/shares/{share_id}?made=1")


@router.get("/d/{owner_id}/shares/{share_id}", response_class=HTMLResponse)
def share_page(share_id: str, request: Request, actor: PageActor, ctx: Context,
               made: int = 0) -> HTMLResponse:
    with Session(ctx.engine) as session:
        share = get_share(session, actor, share_id)
        views = views_of(session, [share.id])[share.id]
        names = {c.id: c.name for c in session.exec(select(StoredCredential).where(
            col(StoredCredential.id).in_(share.credential_ids)))}
        titles = {e.id: e.title for e in session.exec(select(Evidence).where(
            col(Evidence.id).in_(share.evidence_ids)))}
    return render(request, "sharing_detail.html", actor=actor, share=share,
                  state=share_state(ctx, share), url=share_url(ctx, share), views=views,
                  made=bool(made), credential_names=[names.get(i, i) for i in
                                                     share.credential_ids],
                  evidence_titles=[titles.get(i, i) for i in share.evidence_ids])


@router.get("/d/{owner_id}/shares/{share_id}/revoke", response_class=HTMLResponse)
def confirm_revoke(share_id: str, request: Request, actor: PageActor,
                   ctx: Context) -> HTMLResponse:
    with Session(ctx.engine) as session:
        share = get_share(session, actor, share_id)
    return render(request, "sharing_revoke.html", actor=actor, share=share,
                  url=share_url(ctx, share))


@router.post("/d/{owner_id}/shares/{share_id}/revoke", response_class=HTMLResponse)
def revoke(share_id: str, request: Request, actor: PageActor, ctx: Context,
           form: CheckedForm) -> Response:
    with session_scope(ctx.engine) as session:
        revoke_share(ctx, session, actor, share_id)
    return see_other(f"/d/{actor.owner_id}/shares?revoked=1")


# --- the online CV ----------------------------------------------------------------------
def _cv_form(request: Request, actor: Actor, ctx: WalletContext, *, status: int = 200,
             error: str | None = None, saved: bool = False,
             values: dict[str, Any] | None = None) -> HTMLResponse:
    with session_scope(ctx.engine) as session:  # the first visit makes the (off) page
        page = cv_json(ctx, cv_of(session, actor))
        credentials = [c for c in credentials_of(session, actor) if c.verified]
        photos = _approved_evidence(session, actor, "photo")
    return render(request, "sharing_cv.html", actor=actor, status=status, error=error,
                  saved=saved, cv=page, credentials=credentials, photos=photos,
                  values=values or {"enabled": page["enabled"], "headline": page["headline"],
                                    "about": page["about"], "slug": page["slug"],
                                    "credential": page["credentials"],
                                    "evidence": page["evidence"]})


@router.get("/d/{owner_id}/cv", response_class=HTMLResponse)
def cv_settings(request: Request, actor: PageActor, ctx: Context,
                saved: int = 0) -> HTMLResponse:
    actor.require_owner("edit the online CV")
    return _cv_form(request, actor, ctx, saved=bool(saved))


@router.post("/d/{owner_id}/cv", response_class=HTMLResponse)
def save_cv(request: Request, actor: PageActor, ctx: Context, form: CheckedForm) -> Response:
    values = {"enabled": form.get("enabled") == "on", "headline": _text(form, "headline"),
              "about": _text(form, "about"), "slug": _text(form, "slug"),
              "credential": _ids(form, "credential"), "evidence": _ids(form, "evidence")}
    try:
        with session_scope(ctx.engine) as session:
            update_cv(session, actor, enabled=values["enabled"], headline=values["headline"],
                      about=values["about"], credential_ids=values["credential"],
                      evidence_ids=values["evidence"], slug=values["slug"] or None)
    except WalletError as error:
        return _cv_form(request, actor, ctx, status=error_status(error),
                        error=error_text(request, error), values=values)
    return see_other(f"/d/{actor.owner_id}/cv?saved=1")

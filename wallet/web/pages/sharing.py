"""Pages: share links (list with views, new, detail with link and QR, revoke with
confirmation) and the online CV's settings. The OpenID4VP pages are in sharing_oid4vp."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from servicekit.errors import ServiceError
from wallet.services.access import Actor
from wallet.services.context import WalletContext
from wallet.services.cv import cv_for_editing, save_cv_settings
from wallet.services.shares import (
    find_share,
    list_shares,
    new_share,
    parse_duration,
    share_choices,
    share_details,
    share_state,
    share_url,
    withdraw_share,
)
from wallet.web.auth import CheckedForm, Context, PageActor
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


# --- share links ------------------------------------------------------------------------
@router.get("/d/{owner_id}/shares", response_class=HTMLResponse)
def shares_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    return render(request, "sharing_list.html", actor=actor, rows=list_shares(ctx, actor))


def _new_form(request: Request, actor: Actor, ctx: WalletContext, *, status: int = 200,
              error: str | None = None, values: dict[str, Any] | None = None) -> HTMLResponse:
    choices = share_choices(ctx, actor)
    return render(request, "sharing_new.html", actor=actor, status=status, error=error,
                  credentials=choices.credentials, evidence=choices.evidence,
                  expiry_choices=EXPIRY_CHOICES,
                  values=values or {"expires": "7d", "credential": [], "evidence": []})


@router.get("/d/{owner_id}/shares/new", response_class=HTMLResponse)
def new_share_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    actor.require_owner("share the dossier")
    return _new_form(request, actor, ctx)


@router.post("/d/{owner_id}/shares", response_class=HTMLResponse)
def make_share(request: Request, actor: PageActor, ctx: Context, form: CheckedForm) -> Response:
    credential_ids, evidence_ids = _ids(form, "credential"), _ids(form, "evidence")
    audience, expires = _text(form, "audience"), _text(form, "expires") or "7d"
    values = {"credential": credential_ids, "evidence": evidence_ids, "audience": audience,
              "expires": expires}
    try:
        share = new_share(ctx, actor, credential_ids, evidence_ids, audience,
                          parse_duration(expires))
    except ServiceError as error:
        return _new_form(request, actor, ctx, status=error_status(error),
                         error=error_text(request, error), values=values)
    return see_other(f"/d/{actor.owner_id}/shares/{share.id}?made=1")


@router.get("/d/{owner_id}/shares/{share_id}", response_class=HTMLResponse)
def share_page(share_id: str, request: Request, actor: PageActor, ctx: Context,
               made: int = 0) -> HTMLResponse:
    details = share_details(ctx, actor, share_id)
    share = details.share
    return render(request, "sharing_detail.html", actor=actor, share=share,
                  state=share_state(ctx, share), url=share_url(ctx, share), views=details.views,
                  made=bool(made), credential_names=details.credential_names,
                  evidence_titles=details.evidence_titles)


@router.get("/d/{owner_id}/shares/{share_id}/revoke", response_class=HTMLResponse)
def confirm_revoke(share_id: str, request: Request, actor: PageActor,
                   ctx: Context) -> HTMLResponse:
    share = find_share(ctx, actor, share_id)
    return render(request, "sharing_revoke.html", actor=actor, share=share,
                  url=share_url(ctx, share))


@router.post("/d/{owner_id}/shares/{share_id}/revoke", response_class=HTMLResponse)
def revoke(share_id: str, request: Request, actor: PageActor, ctx: Context,
           form: CheckedForm) -> Response:
    withdraw_share(ctx, actor, share_id)
    return see_other(f"/d/{actor.owner_id}/shares?revoked=1")


# --- the online CV ----------------------------------------------------------------------
def _cv_form(request: Request, actor: Actor, ctx: WalletContext, *, status: int = 200,
             error: str | None = None, saved: bool = False,
             values: dict[str, Any] | None = None) -> HTMLResponse:
    settings = cv_for_editing(ctx, actor)  # the first visit makes the (off) page
    page = settings.page
    return render(request, "sharing_cv.html", actor=actor, status=status, error=error,
                  saved=saved, cv=page, credentials=settings.credentials,
                  photos=settings.photos,
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
    enabled, headline, about, slug = (form.get("enabled") == "on", _text(form, "headline"),
                                      _text(form, "about"), _text(form, "slug"))
    credential_ids, evidence_ids = _ids(form, "credential"), _ids(form, "evidence")
    values = {"enabled": enabled, "headline": headline, "about": about, "slug": slug,
              "credential": credential_ids, "evidence": evidence_ids}
    try:
        save_cv_settings(ctx, actor, enabled=enabled, headline=headline, about=about,
                         credential_ids=credential_ids, evidence_ids=evidence_ids,
                         slug=slug or None)
    except ServiceError as error:
        return _cv_form(request, actor, ctx, status=error_status(error),
                        error=error_text(request, error), values=values)
    return see_other(f"/d/{actor.owner_id}/cv?saved=1")

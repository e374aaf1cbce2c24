"""Pages: credentials (list, import, receive over OpenID4VCI, one credential checked now)
and the competence profile."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import UploadFile

from servicekit.errors import Invalid, ServiceError
from wallet.services.competence_profile import dossier_competence_profile
from wallet.services.competences import add_one_competence, import_framework
from wallet.services.credential_rechecks import check_state
from wallet.services.credential_view import credential_checked_now
from wallet.services.credentials import (
    CredentialRefused,
    list_credentials,
    remove_credential,
    store_credential,
)
from wallet.services.offer_qr import offer_from_qr_image
from wallet.services.oid4vci_client import fetch_offered, read_offer
from wallet.web.auth import CheckedForm, Context, PageActor
from wallet.web.i18n import request_language
from wallet.web.render import error_status, error_text, render, see_other

router = APIRouter(include_in_schema=False)
BASE = "/d/{owner_id}/credentials"


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _file(form: Any, name: str) -> bytes:
    """The uploaded file's bytes, or b"" when none was chosen (browsers send an empty part)."""
    upload = form.get(name)
    if isinstance(upload, UploadFile) and upload.filename:
        return upload.file.read()
    return b""


def _refusal(error: ServiceError) -> list[str]:
    """The verifier's failed checks of a refused credential, to show under the message."""
    if isinstance(error, CredentialRefused):
        return [str(e) for e in error.report.get("errors", [])]
    return []


# --- list and import ------------------------------------------------------------------------
@router.get(BASE, response_class=HTMLResponse)
def credential_list(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    items = list_credentials(ctx, actor)
    return render(request, "credentials_list.html", actor=actor, items=items,
                  states={item.id: check_state(item) for item in items},
                  deleted=request.query_params.get("deleted") == "1")


@router.get(BASE + "/import", response_class=HTMLResponse)
def import_page(request: Request, actor: PageActor) -> HTMLResponse:
    actor.require_owner("add credentials")
    return render(request, "credentials_import.html", actor=actor)


@router.post(BASE + "/import", response_class=HTMLResponse)
def import_credential(request: Request, actor: PageActor, ctx: Context,
                      form: CheckedForm) -> Response:
    actor.require_owner("add credentials")
    pasted = _text(form, "pasted")
    raw = _file(form, "file") or pasted.encode("utf-8")
    try:
        if not raw:
            raise Invalid("choose a file or paste the credential")
        added = store_credential(ctx, actor, raw, "import")
    except ServiceError as error:
        return render(request, "credentials_import.html", actor=actor,
                      status=error_status(error), error=error_text(request, error),
                      problems=_refusal(error), values={"pasted": pasted})
    notice = "duplicate" if added.duplicate else "added"
    return see_other(f"/d/{actor.owner_id}/credentials/{added.credential.id}?notice={notice}")


# --- receive over OpenID4VCI ----------------------------------------------------------------
@router.get(BASE + "/receive", response_class=HTMLResponse)
def receive_page(request: Request, actor: PageActor) -> HTMLResponse:
    actor.require_owner("receive credentials")
    offer = request.query_params.get("offer", "")
    return render(request, "credentials_receive.html", actor=actor, values={"offer": offer})


@router.post(BASE + "/receive", response_class=HTMLResponse)
def preview_offer(request: Request, actor: PageActor, ctx: Context,
                  form: CheckedForm) -> Response:
    """Step 1: the offer (pasted, or read from a photo of its QR code) and what it offers;
    step 2 asks for the transaction code when the offer needs one."""
    actor.require_owner("receive credentials")
    offer_text = _text(form, "offer")
    try:
        photo = _file(form, "qr")
        if photo:
            offer_text = offer_from_qr_image(photo)
        if not offer_text:
            raise Invalid("paste the offer link or choose a photo of the QR code")
        offer = read_offer(ctx, offer_text)
    except ServiceError as error:
        return render(request, "credentials_receive.html", actor=actor,
                      status=error_status(error), error=error_text(request, error),
                      values={"offer": offer_text})
    return render(request, "credentials_offer.html", actor=actor, offer=offer_text,
                  preview=offer.preview(request_language(request)))


@router.post(BASE + "/receive/confirm", response_class=HTMLResponse)
def receive_offer(request: Request, actor: PageActor, ctx: Context,
                  form: CheckedForm) -> Response:
    actor.require_owner("receive credentials")
    offer_text, tx_code = _text(form, "offer"), _text(form, "tx_code")
    try:
        raw = fetch_offered(ctx, actor, offer_text, tx_code or None)
        added = store_credential(ctx, actor, raw, "oid4vci")
    except ServiceError as error:
        try:
            preview = read_offer(ctx, offer_text).preview(request_language(request))
        except ServiceError:
            preview = None  # the offer itself is gone (used, expired): back to step 1
        if preview is None:
            return render(request, "credentials_receive.html", actor=actor,
                          status=error_status(error), error=error_text(request, error),
                          problems=_refusal(error), values={"offer": offer_text})
        return render(request, "credentials_offer.html", actor=actor, offer=offer_text,
                      preview=preview, status=error_status(error),
                      error=error_text(request, error), problems=_refusal(error))
    notice = "duplicate" if added.duplicate else "received"
    return see_other(f"/d/{actor.owner_id}/credentials/{added.credential.id}?notice={notice}")


# --- one credential -------------------------------------------------------------------------
@router.get(BASE + "/{credential_id}", response_class=HTMLResponse)
def credential_page(credential_id: str, request: Request, actor: PageActor,
                    ctx: Context) -> HTMLResponse:
    view = credential_checked_now(ctx, actor, credential_id)
    document = view.stored.content if view.stored.format == "jwt_vc" else \
        json.dumps(json.loads(view.stored.content), indent=2, ensure_ascii=False)
    return render(request, "credentials_view.html", actor=actor, view=view,
                  readable=view.readable, document=document,
                  notice=request.query_params.get("notice"))


@router.post(BASE + "/{credential_id}/delete")
def delete_page(credential_id: str, actor: PageActor, ctx: Context,
                form: CheckedForm) -> Response:
    remove_credential(ctx, actor, credential_id)
    return see_other(f"/d/{actor.owner_id}/credentials?deleted=1")


# --- competence profile ---------------------------------------------------------------------
def _profile(request: Request, actor: Any, ctx: Any, status: int = 200,
             **context: Any) -> HTMLResponse:
    groups = dossier_competence_profile(ctx, actor)
    return render(request, "profile.html", actor=actor, groups=groups, status=status,
                  **context)


@router.get("/d/{owner_id}/profile", response_class=HTMLResponse)
def profile_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    return _profile(request, actor, ctx, notice=request.query_params.get("notice"))


@router.post("/d/{owner_id}/profile/competences", response_class=HTMLResponse)
def add_competence_page(request: Request, actor: PageActor, ctx: Context,
                        form: CheckedForm) -> Response:
    """One competence typed in, or a framework file (a JSON list of {name, url, code,
    framework})."""
    actor.require_owner("add competences")
    values = {name: _text(form, name) for name in ("name", "url", "framework", "code")}
    try:
        framework_file = _file(form, "framework_file")
        if framework_file:
            try:
                items = json.loads(framework_file)
            except (ValueError, RecursionError):
                raise Invalid("the framework file is not JSON: expected a list of "
                              "{name, url, code, framework}") from None
            import_framework(ctx, actor, items if isinstance(items, list) else [items])
        else:
            add_one_competence(ctx, actor, values["name"], values["url"] or None,
                               values["framework"], values["code"])
    except ServiceError as error:
        return _profile(request, actor, ctx, status=error_status(error),
                        error=error_text(request, error), values=values)
    return see_other(f"/d/{actor.owner_id}/profile?notice=added")

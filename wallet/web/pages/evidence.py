"""Pages: evidence (list, add from a phone, detail with preview, the owner's approve/reject,
edit and delete, and the file itself for the cookie session). The work is in
wallet.services.evidence; uploads stream exactly as the API's do.

CSRF on the streamed upload: the form puts its `csrf_token` field FIRST, before the file, and
the token is checked the moment the file part begins, before a single byte of the file is
taken (python_multipart hands us the fields in the order the browser sends them, which is
document order). A post whose token is missing or comes after the file is refused (403) and
leaves nothing. A header or query token would need JavaScript or put the token in URLs and
logs; the field-first order works with a plain HTML form.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, HTMLResponse, Response

from servicekit.errors import ServiceError
from servicekit.http_body import declared_length
from wallet.evidence_store import evidence_store
from wallet.services import evidence as service
from wallet.services.access import Actor
from wallet.services.competences import list_competences
from wallet.services.context import WalletContext
from wallet.services.evidence_upload import check_declared_upload, receive_multipart, save_received
from wallet.web.auth import CSRF_FIELD, CheckedForm, Context, PageActor, check_csrf

if TYPE_CHECKING:
    from wallet.models import Evidence
from wallet.web.i18n import request_language, translator
from wallet.web.render import error_status, error_text, render, see_other

router = APIRouter(include_in_schema=False)
# Messages shown after a redirect (?done=...), by key: nothing from the URL is echoed.
DONE = {"added": "evidence.added", "pending": "evidence.added_pending",
        "approved": "evidence.approved_done", "rejected": "evidence.rejected_done",
        "deleted": "evidence.deleted", "saved": "evidence.saved"}
FORM_FIELDS = ("title", "description", "practice_date", "place")


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _first(values: list[str] | None) -> str | None:
    """The first value a multipart field was sent with, if any."""
    return values[0] if values else None


def _base(actor: Actor) -> str:
    return f"/d/{actor.owner_id}/evidence"


@router.get("/d/{owner_id}/evidence", response_class=HTMLResponse)
def evidence_page(request: Request, actor: PageActor, ctx: Context,
                  done: str | None = None) -> HTMLResponse:
    items = service.list_evidence(ctx, actor)
    return render(request, "evidence_list.html", actor=actor, items=items,
                  pending=sum(1 for item in items if item.status == "pending"),
                  can_add=actor.can("evidence:add"), done=DONE.get(done or ""))


def _form_page(request: Request, actor: Actor, ctx: WalletContext, *, status: int = 200,
               error: str | None = None, values: dict[str, Any] | None = None) -> HTMLResponse:
    competences = list_competences(ctx, actor)
    shown = {"practice_date": ctx.now().date().isoformat(), **(values or {})}
    return render(request, "evidence_new.html", actor=actor, status=status, error=error,
                  values=shown, competences=competences,
                  max_mb=ctx.settings.max_upload_bytes // 1024**2)


@router.get("/d/{owner_id}/evidence/new", response_class=HTMLResponse)
def new_evidence_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    actor.require("evidence:add")
    return _form_page(request, actor, ctx)


@router.post("/d/{owner_id}/evidence", response_class=HTMLResponse)
async def add_evidence(request: Request, actor: PageActor, ctx: Context) -> Response:
    """The form's multipart post, streamed into the store (see the module's note on CSRF)."""
    actor.require("evidence:add")
    seen: dict[str, list[str]] = {}

    def before_file(fields: dict[str, list[str]]) -> None:
        seen.update(fields)
        check_csrf(request, _first(fields.get(CSRF_FIELD)))

    try:
        await run_in_threadpool(check_declared_upload, ctx, actor,
                                declared_length(request.headers.get("content-length")),
                                multipart=True)
        store = evidence_store(ctx.settings.evidence_dir)
        async with receive_multipart(store, request.headers.get("content-type", ""),
                                     request.stream(), ctx.settings.max_upload_bytes,
                                     before_file=before_file) as received:
            seen.update(received.fields)
            # a form without a file part at all (a note) has not been checked yet
            check_csrf(request, _first(received.fields.get(CSRF_FIELD)))
            received.fields.pop(CSRF_FIELD, None)
            item = await run_in_threadpool(save_received, ctx, actor, received)
    except ServiceError as error:
        values: dict[str, Any] = {name: (seen.get(name) or [""])[-1] for name in FORM_FIELDS}
        values["competences"] = seen.get("competence", [])
        return _form_page(request, actor, ctx, status=error_status(error),
                          error=error_text(request, error), values=values)
    return see_other(f"{_base(actor)}?done={'added' if item.status == 'approved' else 'pending'}")


def _detail(request: Request, actor: Actor, ctx: WalletContext, item: Evidence, *,
            status: int = 200, error: str | None = None,
            values: dict[str, Any] | None = None, done: str | None = None) -> HTMLResponse:
    competences = list_competences(ctx, actor)
    names = {c.id: c.name for c in competences}
    shown = values or {
        "title": item.title, "description": item.description, "place": item.place,
        "practice_date": item.practice_date.isoformat() if item.practice_date else "",
        "competences": item.competence_ids}
    return render(request, "evidence_detail.html", actor=actor, status=status, error=error,
                  item=item, values=shown, competences=competences,
                  linked=[names.get(i, i) for i in item.competence_ids],
                  file_url=f"{_base(actor)}/{item.id}/file", done=DONE.get(done or ""))


@router.get("/d/{owner_id}/evidence/{evidence_id}", response_class=HTMLResponse)
def evidence_detail(request: Request, evidence_id: str, actor: PageActor, ctx: Context,
                    done: str | None = None) -> HTMLResponse:
    item = service.evidence_item(ctx, actor, evidence_id)
    return _detail(request, actor, ctx, item, done=done)


@router.get("/d/{owner_id}/evidence/{evidence_id}/file")
def evidence_file(evidence_id: str, actor: PageActor, ctx: Context) -> FileResponse:
    download = service.evidence_download(ctx, actor, evidence_id)
    return FileResponse(download.path, media_type=download.media_type,
                        filename=download.filename,
                        content_disposition_type=download.disposition, headers=download.headers)


@router.post("/d/{owner_id}/evidence/{evidence_id}/edit", response_class=HTMLResponse)
def edit(request: Request, evidence_id: str, actor: PageActor, form: CheckedForm,
         ctx: Context) -> Response:
    values: dict[str, Any] = {name: _text(form, name) for name in FORM_FIELDS}
    values["competences"] = [c for c in form.getlist("competence") if isinstance(c, str)]
    try:
        service.save_evidence_changes(ctx, actor, evidence_id, values)
    except ServiceError as error:
        item = service.evidence_item(ctx, actor, evidence_id)
        return _detail(request, actor, ctx, item, status=error_status(error),
                       error=error_text(request, error), values=values)
    return see_other(f"{_base(actor)}/{evidence_id}?done=saved")


@router.post("/d/{owner_id}/evidence/{evidence_id}/approve")
def approve(evidence_id: str, actor: PageActor, form: CheckedForm, ctx: Context) -> Response:
    service.approve_pending_evidence(ctx, actor, evidence_id)
    return see_other(f"{_base(actor)}?done=approved")


@router.post("/d/{owner_id}/evidence/{evidence_id}/reject")
def reject(evidence_id: str, actor: PageActor, form: CheckedForm, ctx: Context) -> Response:
    service.reject_pending_evidence(ctx, actor, evidence_id)
    return see_other(f"{_base(actor)}?done=rejected")


@router.post("/d/{owner_id}/evidence/{evidence_id}/delete", response_class=HTMLResponse)
def delete(request: Request, evidence_id: str, actor: PageActor, form: CheckedForm,
           ctx: Context) -> Response:
    if _text(form, "confirm") != "yes":
        item = service.evidence_item(ctx, actor, evidence_id)
        return _detail(request, actor, ctx, item, status=422,
                       error=render_key(request, "evidence.confirm_needed"))
    service.remove_evidence(ctx, actor, evidence_id)
    return see_other(f"{_base(actor)}?done=deleted")


def render_key(request: Request, key: str) -> str:
    return translator(request_language(request))(key)

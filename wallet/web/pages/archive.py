"""Pages: moving school (`/d/{owner}/move`): export the dossier (optionally with a password,
typed twice), import an archive (file + optional password) with the result in words, and
download the credentials as a standard bundle (VP or CLR 2.0). Owner only.

The import form is read as a stream (multipart parts spool to disk, never the whole archive
in memory), so it cannot use `CheckedForm` (2 MB); the CSRF token is checked by hand.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from servicekit.errors import ServiceError
from servicekit.http_body import declared_length
from wallet.services import archive_format as fmt
from wallet.services.archive_export import export_archive
from wallet.services.archive_files import archive_name, temp_path
from wallet.services.archive_import import check_declared_archive, import_archive
from wallet.services.bundles import dossier_has_credentials, make_clr_bundle, make_vp_bundle
from wallet.services.context import WalletContext
from wallet.web.auth import CSRF_FIELD, CheckedForm, Context, FormTooLarge, PageActor, check_csrf
from wallet.web.render import error_status, error_text, render

router = APIRouter(include_in_schema=False)
BASE = "/d/{owner_id}/move"
KINDS = ("credentials", "evidence", "competences", "reflections", "internshipReports",
         "shares", "cv")


def _page(request: Request, actor: PageActor, ctx: WalletContext, *, status: int = 200,
          **context: Any) -> HTMLResponse:
    # The bundle links only when there is something to bundle (else they lead to an error).
    return render(request, "archive_move.html", actor=actor, status=status,
                  has_credentials=dossier_has_credentials(ctx, actor),
                  **context)


@router.get(BASE, response_class=HTMLResponse)
def move_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    actor.require_owner("move the dossier")
    return _page(request, actor, ctx)


@router.post(BASE + "/export", response_model=None)
async def export_page(request: Request, actor: PageActor, ctx: Context,
                      form: CheckedForm) -> Response:
    actor.require_owner("export the dossier")
    password = form.get("password") if isinstance(form.get("password"), str) else ""
    repeated = form.get("password_again") if isinstance(form.get("password_again"), str) else ""
    if password != repeated:
        return _page(request, actor, ctx, status=422, export_error="archive.export.mismatch")
    target = temp_path(ctx, ".zip")
    try:
        await run_in_threadpool(export_archive, ctx, actor, target,
                                password=str(password) or None)
    except ServiceError as error:
        target.unlink(missing_ok=True)
        return _page(request, actor, ctx, status=error_status(error),
                     export_error_text=error_text(request, error))
    return FileResponse(target, media_type="application/zip",
                        filename=archive_name(actor.account.email),
                        background=BackgroundTask(target.unlink, missing_ok=True))


@router.post(BASE + "/import", response_class=HTMLResponse)
async def import_page(request: Request, actor: PageActor, ctx: Context) -> HTMLResponse:
    actor.require_owner("import an archive")
    limit = fmt.DEFAULT_MAX_ARCHIVE_BYTES
    declared = declared_length(request.headers.get("content-length"))
    if declared is not None and declared > limit:
        raise FormTooLarge()
    try:
        await run_in_threadpool(check_declared_archive, ctx, actor, declared)
    except ServiceError as error:
        return _page(request, actor, ctx, status=error_status(error),
                     import_error_text=error_text(request, error))
    target = temp_path(ctx, ".upload")
    try:
        async with request.form(max_files=1, max_fields=4) as form:
            check_csrf(request, form.get(CSRF_FIELD))
            upload, password = form.get("archive"), form.get("password")
            if not isinstance(upload, UploadFile) or not upload.filename:
                return _page(request, actor, ctx, status=400, import_error="archive.import.no_file")
            with target.open("wb") as out:
                while chunk := await upload.read(fmt.CHUNK):
                    out.write(chunk)
        result = await run_in_threadpool(
            import_archive, ctx, target, password=password if isinstance(password, str)
            and password else None, actor=actor, max_total_bytes=limit)
    except ServiceError as error:
        return _page(request, actor, ctx, status=error_status(error),
                     import_error_text=error_text(request, error))
    finally:
        target.unlink(missing_ok=True)
    return render(request, "archive_result.html", actor=actor, result=result.to_json(),
                  kinds=KINDS)


def _download(document: dict[str, object], filename: str) -> Response:
    return Response(json.dumps(document, indent=2, ensure_ascii=False),
                    media_type="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get(BASE + "/vp", response_model=None)
def vp_download(request: Request, actor: PageActor, ctx: Context) -> Response:
    try:
        bundle = make_vp_bundle(ctx, actor)
    except ServiceError as error:
        return _page(request, actor, ctx, status=error_status(error),
                     bundle_error_text=error_text(request, error))
    return _download(bundle.document, "presentation.json")


@router.get(BASE + "/clr", response_model=None)
def clr_download(request: Request, actor: PageActor, ctx: Context) -> Response:
    try:
        bundle = make_clr_bundle(ctx, actor)
    except ServiceError as error:
        return _page(request, actor, ctx, status=error_status(error),
                     bundle_error_text=error_text(request, error))
    return _download(bundle.document, "clr.json")

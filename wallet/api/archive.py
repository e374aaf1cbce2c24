"""Moving school over JSON (owner only): the whole dossier as an archive out and in, and
the credentials alone as a standard bundle (VP or CLR 2.0).

Passwords never go in URLs: the export takes `{"password": ...}` in a POST body, the import
the header `X-Archive-Password` (or a multipart field `password` next to `archive`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from servicekit.errors import Invalid, TooLarge
from servicekit.http_body import declared_length
from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import Export, binary, json_object
from wallet.db import session_scope
from wallet.services import archive_format as fmt
from wallet.services.access import Actor
from wallet.services.archive_export import export_archive
from wallet.services.archive_files import archive_name, temp_path
from wallet.services.archive_import import check_declared_archive, import_archive
from wallet.services.bundles import Bundle, clr_bundle, vp_bundle
from wallet.services.context import WalletContext

router = APIRouter(prefix="/api/dossiers/{owner_id}", tags=["move school"])
PASSWORD_HEADER = "x-archive-password"


@router.post("/export", response_class=FileResponse,
             responses={200: binary("the dossier archive", "application/zip")})
async def export_dossier(actor: DossierActor, ctx: Context,
                         body: Export | None = None) -> FileResponse:
    """The whole dossier as a zip. Body (optional): `{"password": "..."}` for an AES-256
    encrypted archive that also carries the holder key."""
    actor.require_owner("export the dossier")
    password = body.password if body else None
    target = temp_path(ctx, ".zip")
    try:
        summary = await run_in_threadpool(export_archive, ctx, actor, target,
                                          password=password or None)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return FileResponse(target, media_type="application/zip",
                        filename=archive_name(actor.account.email),
                        headers={"X-Archive-Encrypted": str(summary.encrypted).lower()},
                        background=BackgroundTask(target.unlink, missing_ok=True))


async def receive_archive(request: Request, ctx: WalletContext, actor: Actor,
                          limit: int) -> tuple[Path, str | None]:
    """The upload streamed to a temporary file (413 past `limit`), and the password.
    A raw body (application/zip) or a multipart form with `archive` and `password`. 413
    before a byte is read when the declared size already says the archive will not fit."""
    declared = declared_length(request.headers.get("content-length"))
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    if not multipart and declared is not None and declared > limit:
        raise TooLarge(f"the archive is larger than {limit} bytes")
    await run_in_threadpool(check_declared_archive, ctx, actor, declared)
    target = temp_path(ctx, ".upload")
    password = request.headers.get(PASSWORD_HEADER)
    try:
        if multipart:
            password = await _receive_form(request, target, limit) or password
        else:
            size = 0
            with target.open("wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise TooLarge(f"the archive is larger than {limit} bytes")
                    out.write(chunk)
        if target.stat().st_size == 0:
            raise Invalid("send the archive (a zip file) as the request body")
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, password


async def _receive_form(request: Request, target: Path, limit: int) -> str | None:
    async with request.form(max_files=1, max_fields=4) as form:
        upload, password = form.get("archive"), form.get("password")
        if upload is None or isinstance(upload, str):
            raise Invalid("the form needs a file field 'archive'")
        size = 0
        with target.open("wb") as out:
            while chunk := await upload.read(fmt.CHUNK):
                size += len(chunk)
                if size > limit:
                    raise TooLarge(f"the archive is larger than {limit} bytes")
                out.write(chunk)
        return password if isinstance(password, str) and password else None


# The archive streams to disk as it arrives, so the route reads the body itself.
ARCHIVE_BODIES: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
    "multipart/form-data": {"schema": {"type": "object", "required": ["archive"], "properties": {
        "archive": {"type": "string", "format": "binary"},
        "password": {"type": "string"}}}},
}}}


@router.post("/import", openapi_extra=ARCHIVE_BODIES,
             responses={200: json_object("counts per kind: added, already there, refused")})
async def import_dossier(request: Request, actor: DossierActor, ctx: Context) -> JSONResponse:
    """Import an archive into this dossier. 200 with counts per kind (added / already there
    / refused), the refused credentials and problems; 422 when the archive is refused
    (nothing changed)."""
    actor.require_owner("import an archive")
    limit = fmt.DEFAULT_MAX_ARCHIVE_BYTES
    path, password = await receive_archive(request, ctx, actor, limit)
    try:
        result = await run_in_threadpool(import_archive, ctx, path, password=password,
                                         actor=actor, max_total_bytes=limit)
    finally:
        path.unlink(missing_ok=True)
    return JSONResponse(result.to_json())


def _bundle_response(bundle: Bundle, filename: str) -> JSONResponse:
    headers = {"Content-Disposition": f'attachment; filename="{filename}"',
               "X-Included-Credentials": ",".join(bundle.included),
               "X-Skipped-Credentials": ",".join(s["id"] for s in bundle.skipped)}
    return JSONResponse(bundle.document, headers=headers)


Chosen = Annotated[list[str] | None, Query(alias="credential")]


@router.get("/export/vp", responses={200: json_object("a presentation signed by the holder")})
def export_vp(actor: DossierActor, ctx: Context, credential: Chosen = None) -> JSONResponse:
    """All (or `?credential=ID&credential=ID`) credentials in one VP signed by the holder."""
    with session_scope(ctx.engine) as session:
        bundle = vp_bundle(ctx, session, actor, credential)
    return _bundle_response(bundle, "presentation.json")


@router.get("/export/clr", responses={200: json_object("a CLR 2.0 credential")})
def export_clr(actor: DossierActor, ctx: Context, credential: Chosen = None) -> JSONResponse:
    """A CLR 2.0 credential, self-issued by the owner, of the AchievementCredentials."""
    with session_scope(ctx.engine) as session:
        bundle = clr_bundle(ctx, session, actor, credential)
    return _bundle_response(bundle, "clr.json")


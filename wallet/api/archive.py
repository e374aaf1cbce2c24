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

from servicekit.http_body import MAX_JSON_BYTES, BodyError, parse_json_object, read_body
from wallet.api.deps import Context, DossierActor
from wallet.db import session_scope
from wallet.services import archive_format as fmt
from wallet.services.archive_export import export_archive
from wallet.services.archive_files import archive_name, temp_path
from wallet.services.archive_import import import_archive
from wallet.services.bundles import Bundle, clr_bundle, vp_bundle
from wallet.services.context import WalletContext, WalletError

router = APIRouter(prefix="/api/dossiers/{owner_id}", tags=["move school"])
PASSWORD_HEADER = "x-archive-password"


@router.post("/export")
async def export_dossier(request: Request, actor: DossierActor, ctx: Context) -> FileResponse:
    """The whole dossier as a zip. Body (optional): `{"password": "..."}` for an AES-256
    encrypted archive that also carries the holder key."""
    actor.require_owner("export the dossier")
    raw = await read_body(request, MAX_JSON_BYTES)
    body: dict[str, Any] = parse_json_object(raw) if raw.strip() else {}
    password = body.get("password")
    if password is not None and not isinstance(password, str):
        raise WalletError("'password' must be text", 400)
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


async def receive_archive(request: Request, ctx: WalletContext,
                          limit: int) -> tuple[Path, str | None]:
    """The upload streamed to a temporary file (413 past `limit`), and the password.
    A raw body (application/zip) or a multipart form with `archive` and `password`."""
    target = temp_path(ctx, ".upload")
    password = request.headers.get(PASSWORD_HEADER)
    try:
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            password = await _receive_form(request, target, limit) or password
        else:
            declared = request.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > limit:
                raise BodyError(f"the archive is larger than {limit} bytes", 413)
            size = 0
            with target.open("wb") as out:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > limit:
                        raise BodyError(f"the archive is larger than {limit} bytes", 413)
                    out.write(chunk)
        if target.stat().st_size == 0:
            raise WalletError("send the archive (a zip file) as the request body", 400)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target, password


async def _receive_form(request: Request, target: Path, limit: int) -> str | None:
    async with request.form(max_files=1, max_fields=4) as form:
        upload, password = form.get("archive"), form.get("password")
        if upload is None or isinstance(upload, str):
            raise WalletError("the form needs a file field 'archive'", 400)
        size = 0
        with target.open("wb") as out:
            while chunk := await upload.read(fmt.CHUNK):
                size += len(chunk)
                if size > limit:
                    raise BodyError(f"the archive is larger than {limit} bytes", 413)
                out.write(chunk)
        return password if isinstance(password, str) and password else None


@router.post("/import")
async def import_dossier(request: Request, actor: DossierActor, ctx: Context) -> JSONResponse:
    """Import an archive into this dossier. 200 with counts per kind (added / already there
    / refused), the refused credentials and problems; 422 when the archive is refused
    (nothing changed)."""
    actor.require_owner("import an archive")
    limit = fmt.DEFAULT_MAX_ARCHIVE_BYTES
    path, password = await receive_archive(request, ctx, limit)
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


@router.get("/export/vp")
def export_vp(actor: DossierActor, ctx: Context, credential: Chosen = None) -> JSONResponse:
    """All (or `?credential=ID&credential=ID`) credentials in one VP signed by the holder."""
    with session_scope(ctx.engine) as session:
        bundle = vp_bundle(ctx, session, actor, credential)
    return _bundle_response(bundle, "presentation.json")


@router.get("/export/clr")
def export_clr(actor: DossierActor, ctx: Context, credential: Chosen = None) -> JSONResponse:
    """A CLR 2.0 credential, self-issued by the owner, of the AchievementCredentials."""
    with session_scope(ctx.engine) as session:
        bundle = clr_bundle(ctx, session, actor, credential)
    return _bundle_response(bundle, "clr.json")


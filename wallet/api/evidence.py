"""Evidence over JSON: add (streamed file upload, or a note), list, one, the file, edit,
approve/reject a delegate's item, delete.

`POST /api/dossiers/{owner_id}/evidence` takes three bodies:
- `multipart/form-data`: fields title, description, kind, practice_date (YYYY-MM-DD), place,
  competence (repeatable) and one `file`; streamed to disk while it arrives;
- `application/json`: a note `{"kind": "note", "title": ..., "description": ...}`;
- anything else: the body IS the file, fields in the query string
  (`?title=...&kind=video&filename=clip.mp4`), for scripts.
Who may add: the owner, or a delegate with `evidence:add` (their items wait for approval).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from pydantic import ValidationError
from sqlmodel import Session

from servicekit.http_body import declared_length, parse_json_object
from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import EvidenceChanges, Note, binary, json_object
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.models import Evidence
from wallet.services.access import Actor
from wallet.services.context import WalletContext
from wallet.services.evidence import (
    add_note,
    approve_evidence,
    delete_evidence,
    evidence_download,
    evidence_json,
    evidence_of,
    fields_from,
    get_evidence,
    reject_evidence,
    update_evidence,
)
from wallet.services.evidence_upload import (
    Received,
    check_declared_upload,
    receive_multipart,
    receive_raw,
    save_received,
)

router = APIRouter(prefix="/api/dossiers/{owner_id}/evidence", tags=["evidence"])


async def receive_and_save(request: Request, ctx: WalletContext, actor: Actor) -> Evidence:
    """A multipart or raw upload, streamed into the store, then the row; nothing is left
    behind when any step refuses."""
    actor.require("evidence:add")  # before a single byte of the file is taken
    max_bytes = ctx.settings.max_upload_bytes
    content_type = request.headers.get("content-type", "")
    multipart = content_type.lower().startswith("multipart/")
    await run_in_threadpool(check_declared_upload, ctx, actor,
                            declared_length(request.headers.get("content-length")),
                            multipart=multipart)
    store = evidence_store(ctx.settings.evidence_dir)
    if multipart:
        async with receive_multipart(store, content_type, request.stream(),
                                     max_bytes) as received:
            return await run_in_threadpool(save_received, ctx, actor, received)
    query = request.query_params
    fields = {name: query.getlist(name) for name in query}
    async with receive_raw(store, request.stream(), max_bytes, query.get("filename", ""),
                           query.get("kind", "").strip().lower()) as upload:
        return await run_in_threadpool(save_received, ctx, actor, Received(fields, upload))


# The three bodies `POST .../evidence` takes; the route reads them itself (a file streams
# to disk while it arrives), so OpenAPI learns of them here.
EVIDENCE_BODIES: dict[str, Any] = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": Note.model_json_schema(by_alias=True)},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"},
        "competence": {"type": "array", "items": {"type": "string"}},
        **{name: {"type": "string"} for name in ("title", "description", "kind",
                                                 "practice_date", "place")}}}},
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"},
                                 "description": "the file itself; fields in the query"},
}}}


async def note_from(request: Request) -> Note:
    # parse_json_object, not request.json(): a body that is not UTF-8 is a 400 that says so
    try:
        return Note.model_validate(parse_json_object(await request.body()))
    except ValidationError as error:
        raise RequestValidationError(error.errors(), body=None) from None


@router.post("", status_code=201, openapi_extra=EVIDENCE_BODIES,
             responses={201: json_object("the evidence item")})
async def add_evidence(request: Request, actor: DossierActor, ctx: Context) -> JSONResponse:
    """201 with the item; 413 too large, 415 a type the wallet does not take, 422 bad
    fields; a refused or broken-off upload leaves no file and no row."""
    if request.headers.get("content-type", "").lower().startswith("application/json"):
        actor.require("evidence:add")
        note = await note_from(request)
        fields = fields_from(note.model_dump(by_alias=True, exclude_unset=True))
        with session_scope(ctx.engine) as session:
            item = add_note(session, actor, fields)
    else:
        item = await receive_and_save(request, ctx, actor)
    return JSONResponse(evidence_json(item), status_code=201)


@router.get("")
def list_evidence(actor: DossierActor, ctx: Context,
                  status: str | None = None) -> list[dict[str, Any]]:
    with Session(ctx.engine) as session:
        return [evidence_json(item) for item in evidence_of(session, actor, status)]


@router.get("/{evidence_id}")
def one_evidence(evidence_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return evidence_json(get_evidence(session, actor, evidence_id))


@router.get("/{evidence_id}/file", response_class=FileResponse,
            responses={200: binary("the stored file, with its sniffed media type",
                                   "application/octet-stream")})
def download_evidence(evidence_id: str, actor: DossierActor, ctx: Context) -> FileResponse:
    download = evidence_download(ctx, actor, evidence_id)
    return FileResponse(download.path, media_type=download.media_type,
                        filename=download.filename,
                        content_disposition_type=download.disposition, headers=download.headers)


@router.patch("/{evidence_id}")
def edit_evidence(evidence_id: str, changes: EvidenceChanges, actor: DossierActor,
                  ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return evidence_json(update_evidence(
            session, actor, evidence_id, changes.model_dump(by_alias=True, exclude_unset=True)))


@router.post("/{evidence_id}/approve")
def approve(evidence_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return evidence_json(approve_evidence(session, actor, evidence_id))


@router.post("/{evidence_id}/reject")
def reject(evidence_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        return evidence_json(reject_evidence(session, actor, evidence_id))


@router.delete("/{evidence_id}")
def remove_evidence(evidence_id: str, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        delete_evidence(ctx, session, actor, evidence_id)
    return {"id": evidence_id, "deleted": True}

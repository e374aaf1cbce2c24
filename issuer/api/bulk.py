"""Bulk issue over the JSON API: upload a CSV of recipients, follow the job, fetch the results.

POST /api/achievements/{id}/bulk    multipart (file field `file`) or a text/csv body → 202
GET  /api/bulk                      the organisation's jobs, newest first (?achievement=)
GET  /api/bulk/{job}                progress: state, total, done, issued, skipped, failed
GET  /api/bulk/{job}/rows           row results as JSON (paged: offset, limit, outcome)
GET  /api/bulk/{job}/rows.csv       row results as a CSV download
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from sqlmodel import Session

from issuer.api.deps import ApiOrganisation, Context
from issuer.api.schemas.base import REFUSALS
from issuer.api.schemas.bulk import JobList, JobProgress, RowPage, StartedJob
from issuer.api.schemas.uploads import csv_upload
from issuer.models import BulkJob, BulkRow, Organisation
from issuer.services.bulk import get_job, job_rows, list_jobs
from issuer.services.bulk_csv import MAX_CSV_BYTES
from issuer.services.bulk_runs import start_bulk_job
from issuer.services.context import IssuerContext
from servicekit.errors import Invalid, UnsupportedType
from servicekit.http_body import BodyError, read_body, uploaded_file

router = APIRouter(prefix="/api", tags=["bulk issue"], responses=REFUSALS)

MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around the file
CSV_TYPES = ("text/csv", "application/csv", "text/plain", "application/octet-stream",
             "application/vnd.ms-excel")
MAX_PAGE = 10_000
OUTCOMES = ("issued", "already_issued", "error")


@router.post("/achievements/{achievement_id}/bulk", status_code=202, response_model=StartedJob,
             openapi_extra={"requestBody": csv_upload(
                 "the recipients' CSV (?filename= names a raw text/csv body)")})
async def upload(achievement_id: str, request: Request, ctx: Context,
                 org: ApiOrganisation) -> JSONResponse:
    filename, data = await _read_csv_upload(request)
    job = await run_in_threadpool(start_bulk_job, ctx, org, achievement_id,
                                  filename=filename, csv_bytes=data)
    return JSONResponse({"job": job.id, "total": job.total}, status_code=202,
                        headers={"Location": f"/api/bulk/{job.id}"})


@router.get("/bulk", response_model=JobList)
def jobs(ctx: Context, org: ApiOrganisation, achievement: str | None = None,
         limit: int = 50) -> dict[str, Any]:
    if not 1 <= limit <= 500:
        raise Invalid("limit must be 1 to 500")
    with Session(ctx.engine) as session:
        found = list_jobs(session, org, achievement_id=achievement, limit=limit)
    return {"items": [job_json(job) for job in found]}


@router.get("/bulk/{job_id}", response_model=JobProgress)
def progress(job_id: str, ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return job_json(get_job(session, org, job_id))


@router.get("/bulk/{job_id}/rows", response_model=RowPage)
def rows(job_id: str, ctx: Context, org: ApiOrganisation, offset: int = 0,
         limit: int = 1000, outcome: str | None = None) -> dict[str, Any]:
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"offset must be 0 or more and limit 1 to {MAX_PAGE}")
    if outcome is not None and outcome not in OUTCOMES:
        raise Invalid(f"outcome must be one of {list(OUTCOMES)}")
    with Session(ctx.engine) as session:
        found = job_rows(session, org, job_id, outcome=outcome, offset=offset, limit=limit)
    return {"job": job_id, "offset": offset, "limit": limit,
            "rows": [row_json(row) for row in found]}


@router.get("/bulk/{job_id}/rows.csv", response_class=StreamingResponse,
            responses={200: {"content": {"text/csv": {}}, "description": "the row results"}})
def rows_csv(job_id: str, ctx: Context, org: ApiOrganisation) -> StreamingResponse:
    with Session(ctx.engine) as session:
        job = get_job(session, org, job_id)
    stem = (job.filename.rsplit(".", 1)[0] or "bulk").replace('"', "")[:100]
    return StreamingResponse(
        _csv_lines(ctx, org, job_id), media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{stem}-results.csv"'})


def job_json(job: BulkJob) -> dict[str, Any]:
    return {"job": job.id, "achievement": job.achievement_id, "filename": job.filename,
            "state": job.state, "total": job.total, "done": job.done, "issued": job.issued,
            "skipped": job.skipped, "failed": job.failed, "message": job.message,
            "created": job.created_at.isoformat(),
            "finished": job.finished_at.isoformat() if job.finished_at else None}


def row_json(row: BulkRow) -> dict[str, Any]:
    return {"row": row.row_number, "recipient": row.recipient, "outcome": row.outcome,
            "credentialId": row.credential_id, "message": row.message}


def _csv_lines(ctx: IssuerContext, org: Organisation, job_id: str) -> Iterator[str]:
    """The results a page at a time (memory stays flat), with a BOM so Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["row", "recipient", "outcome", "credential_id", "message"])
    yield "\ufeff" + buffer.getvalue()
    offset = 0
    while True:
        with Session(ctx.engine) as session:
            page = job_rows(session, org, job_id, offset=offset, limit=MAX_PAGE)
        if not page:
            return
        buffer.seek(0)
        buffer.truncate()
        for row in page:
            writer.writerow([row.row_number, _cell(row.recipient), row.outcome,
                             row.credential_id or "", _cell(row.message or "")])
        yield buffer.getvalue()
        offset += len(page)


def _cell(value: str) -> str:
    # A cell starting with = + - @ is a formula to a spreadsheet; recipients come from an
    # uploaded file, so neutralise them (OWASP "CSV injection").
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


async def _read_csv_upload(request: Request) -> tuple[str, bytes]:
    """(file name, CSV bytes) from a multipart upload (field `file`) or a CSV body. Refused
    with 413 as soon as it is too large, before anything is stored."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    multipart = content_type == "multipart/form-data"
    limit = MAX_CSV_BYTES + (MULTIPART_OVERHEAD if multipart else 0)
    too_large = (f"the file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; "
                 "split it into several files")
    body = await read_body(request, limit, too_large)
    if not multipart:
        if content_type and content_type not in CSV_TYPES:
            raise UnsupportedType("send the CSV as multipart/form-data (field 'file') or as a "
                                  "text/csv body")
        return request.query_params.get("filename", "upload.csv"), body
    filename, data = await uploaded_file(request, body, "the CSV")
    filename = filename or "upload.csv"
    if len(data) > MAX_CSV_BYTES:
        raise BodyError(too_large, 413)
    return filename, data

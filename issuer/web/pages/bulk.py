"""Bulk issue: upload a CSV of recipients for an achievement, follow the progress, see the
result of every row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from issuer.dependencies import Context
from issuer.services import bulk
from issuer.services.achievements import list_achievements
from issuer.services.bulk_csv import COLUMNS, MAX_CSV_BYTES
from issuer.services.bulk_runs import start_bulk_job
from issuer.web.auth import CheckedForm, CurrentStaff, Staff
from issuer.web.forms import FormProblem, text, upload_bytes, values_of
from issuer.web.i18n import Translator, request_language, translator
from issuer.web.render import error_status, error_text, not_found, render, see_other
from servicekit.errors import NotFound, ServiceError

if TYPE_CHECKING:  # entities the services hand out; pages only name them
    from issuer.models import BulkJob

router = APIRouter(prefix="/staff/bulk", include_in_schema=False)
ROWS_PER_PAGE = 200
OUTCOMES = ("issued", "already_issued", "error")
RECENT_JOBS = 20


def _form_page(request: Request, ctx: Context, staff: Staff, *, status: int = 200,
               values: dict[str, Any] | None = None, error: str | None = None) -> HTMLResponse:
    with ctx.reading() as session:
        achievements = list_achievements(session, staff.org)
        jobs = bulk.list_jobs(session, staff.org, limit=RECENT_JOBS)
    names = {achievement.id: achievement.name for achievement in achievements}
    return render(request, "bulk.html", staff=staff, status=status, error=error,
                  achievements=achievements, jobs=jobs, names=names, columns=COLUMNS,
                  values=values or {"achievement": request.query_params.get("achievement", "")})


@router.get("")
def bulk_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    return _form_page(request, ctx, staff)


@router.post("")
def start(request: Request, ctx: Context, staff: CurrentStaff, form: CheckedForm) -> Response:
    try:
        filename, content = upload_bytes(form, "file", MAX_CSV_BYTES)
        job = start_bulk_job(ctx, staff.org, text(form, "achievement"),
                                  filename=filename, csv_bytes=content)
    except (FormProblem, ServiceError) as error:
        return _form_page(request, ctx, staff, status=error_status(error),
                          values=values_of(form), error=error_text(request, error))
    return see_other(f"/staff/bulk/{job.id}")


def progress_text(t: Translator, job: BulkJob) -> str:
    return t.plural("bulk.progress_text", job.total, done=job.done, total=job.total,
                    issued=job.issued, skipped=job.skipped, failed=job.failed)


@router.get("/{job_id}")
def job_page(job_id: str, request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    query = request.query_params
    outcome = query.get("outcome") if query.get("outcome") in OUTCOMES else None
    page = max(1, int(query["page"])) if query.get("page", "").isdigit() else 1
    with ctx.reading() as session:
        try:
            job = bulk.get_job(session, staff.org, job_id)
        except NotFound:
            return not_found(request, staff)
        rows = bulk.job_rows(session, staff.org, job_id, outcome=outcome,
                             offset=(page - 1) * ROWS_PER_PAGE, limit=ROWS_PER_PAGE + 1)
        names = {a.id: a.name for a in list_achievements(session, staff.org)}
    more = len(rows) > ROWS_PER_PAGE
    filters = {"outcome": outcome} if outcome else {}
    t = translator(request_language(request))
    return render(
        request, "bulk_job.html", staff=staff, job=job, rows=rows[:ROWS_PER_PAGE],
        achievement_name=names.get(job.achievement_id, ""), outcome=outcome,
        outcomes=OUTCOMES, progress=progress_text(t, job), page=page,
        previous_url=_page_url(job_id, filters, page - 1) if page > 1 else None,
        next_url=_page_url(job_id, filters, page + 1) if more else None)


def _page_url(job_id: str, filters: dict[str, str], page: int) -> str:
    return f"/staff/bulk/{job_id}?" + urlencode({**filters, "page": page})


@router.get("/{job_id}/progress.json")
def progress(job_id: str, request: Request, ctx: Context, staff: CurrentStaff) -> JSONResponse:
    with ctx.reading() as session:
        try:
            job = bulk.get_job(session, staff.org, job_id)
        except NotFound:
            return JSONResponse({"error": "not_found"}, status_code=404)
    t = translator(request_language(request))
    return JSONResponse({
        "state": job.state, "total": job.total, "done": job.done, "issued": job.issued,
        "skipped": job.skipped, "failed": job.failed, "message": job.message,
        "text": progress_text(t, job),  # in the page's language, so the script has no strings
    })

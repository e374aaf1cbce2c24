"""Competence frameworks: list, view the competences, import from CSV or CASE JSON."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from issuer.dependencies import Context
from issuer.services import frameworks
from issuer.web.auth import CheckedForm, CurrentStaff, Staff
from issuer.web.forms import FormProblem, text, upload_bytes, values_of
from issuer.web.render import error_status, error_text, not_found, render, see_other
from servicekit.errors import NotFound, ServiceError

router = APIRouter(prefix="/staff/frameworks", include_in_schema=False)


def _list_page(request: Request, ctx: Context, staff: Staff, *, status: int = 200,
               **context: Any) -> HTMLResponse:
    with ctx.reading() as session:
        rows = [(framework, frameworks.competence_count(session, framework.id))
                for framework in frameworks.list_frameworks(session, staff.org)]
    return render(request, "frameworks.html", staff=staff, status=status, frameworks=rows,
                  **context)


@router.get("")
def list_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    return _list_page(request, ctx, staff)


@router.post("/import-csv")
def import_csv(request: Request, ctx: Context, staff: CurrentStaff,
               form: CheckedForm) -> Response:
    try:
        _name, content = upload_bytes(form, "file", frameworks.MAX_INPUT_BYTES)
        csv_text = frameworks.decode_csv_bytes(content)
        with ctx.changing() as session:
            framework = frameworks.import_csv(ctx, session, staff.org, title=text(form, "title"),
                                              csv_text=csv_text)
    except (FormProblem, ServiceError) as error:
        return _list_page(request, ctx, staff, status=error_status(error),
                          csv_error=error_text(request, error), values=values_of(form))
    return see_other(f"/staff/frameworks/{framework.id}?imported=1")


@router.post("/import-case")
def import_case(request: Request, ctx: Context, staff: CurrentStaff,
                form: CheckedForm) -> Response:
    try:
        _name, content = upload_bytes(form, "file", frameworks.MAX_INPUT_BYTES)
        try:
            document = json.loads(content)
        except (UnicodeDecodeError, ValueError):
            raise FormProblem("frameworks.bad_json") from None
        if not isinstance(document, dict):
            raise FormProblem("frameworks.bad_json")
        with ctx.changing() as session:
            framework = frameworks.import_case(ctx, session, staff.org, document)
    except (FormProblem, ServiceError) as error:
        return _list_page(request, ctx, staff, status=error_status(error),
                          case_error=error_text(request, error))
    return see_other(f"/staff/frameworks/{framework.id}?imported=1")


@router.get("/{framework_id}")
def framework_page(framework_id: str, request: Request, ctx: Context,
                   staff: CurrentStaff) -> HTMLResponse:
    with ctx.reading() as session:
        try:
            framework = frameworks.get_framework(session, staff.org, framework_id)
        except NotFound:
            return not_found(request, staff)
        competences = frameworks.competences_of(session, framework.id)
    return render(request, "framework.html", staff=staff, framework=framework,
                  competences=competences, imported=request.query_params.get("imported") == "1")

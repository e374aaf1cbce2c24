"""The record of issued credentials: search, detail, download, revoke / suspend / reinstate."""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from issuer.dependencies import Context
from issuer.services import records
from issuer.services.achievements import list_achievements
from issuer.services.status import set_credential_status
from issuer.web.auth import CheckedForm, CurrentStaff, Staff
from issuer.web.forms import FormProblem, day_after, parse_day, start_of, text
from issuer.web.render import error_status, error_text, not_found, render, see_other
from servicekit.errors import NotFound, ServiceError

if TYPE_CHECKING:  # entities the services hand out; pages only name them
    from issuer.models import IssuedCredential

router = APIRouter(prefix="/staff/issued", include_in_schema=False)
PAGE_SIZE = 25
FILTERS = ("recipient", "achievement", "from", "to")


@router.get("")
def list_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in FILTERS}
    page = int(query["page"]) if query.get("page", "").isdigit() else 1
    page = max(page, 1)
    rows: list[IssuedCredential] = []
    total, error, status = 0, None, 200
    with ctx.reading() as session:
        achievements = list_achievements(session, staff.org)
        try:
            issued_from = parse_day(values["from"], "issued.from")
            issued_to = parse_day(values["to"], "issued.to")
            rows, total = records.search_credentials(
                session, staff.org, recipient=values["recipient"] or None,
                achievement_id=values["achievement"] or None,
                issued_from=start_of(issued_from) if issued_from else None,
                issued_to=day_after(issued_to) if issued_to else None,  # the whole last day
                limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
        except (FormProblem, ServiceError) as problem:
            error, status = error_text(request, problem), error_status(problem)
    filters = {name: value for name, value in values.items() if value}
    pages = max(1, -(-total // PAGE_SIZE))
    return render(
        request, "issued.html", staff=staff, status=status, values=values, error=error,
        rows=rows, total=total, page=page, pages=pages, achievements=achievements,
        first=(page - 1) * PAGE_SIZE + 1 if rows else 0, last=(page - 1) * PAGE_SIZE + len(rows),
        previous_url=_page_url(filters, page - 1) if page > 1 else None,
        next_url=_page_url(filters, page + 1) if page < pages else None)


def _page_url(filters: dict[str, str], page: int) -> str:
    return "/staff/issued?" + urlencode({**filters, "page": page})


def status_purpose(record: IssuedCredential) -> str | None:
    """Which list the credential's one status entry is in: revocation or suspension."""
    document: Any = records.signed_document(record)
    if isinstance(document, str):  # a compact JWT: the credential is (in) the payload
        try:
            payload = document.split(".")[1]
            claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        except (IndexError, ValueError):
            return None
        document = claims.get("vc", claims) if isinstance(claims, dict) else {}
    entry = document.get("credentialStatus") if isinstance(document, dict) else None
    entry = entry[0] if isinstance(entry, list) and entry else entry
    purpose = entry.get("statusPurpose") if isinstance(entry, dict) else None
    return purpose if isinstance(purpose, str) else None


def _detail(request: Request, ctx: Context, staff: Staff, record_id: str, *,
            template: str = "credential.html", status: int = 200,
            error: str | None = None) -> HTMLResponse:
    with ctx.reading() as session:
        try:
            record = records.get_record(session, staff.org, record_id)
        except NotFound:
            return not_found(request, staff)
    document = records.signed_document(record)
    pretty = json.dumps(document, indent=2, ensure_ascii=False) \
        if isinstance(document, dict) else document
    return render(request, template, staff=staff, status=status, record=record,
                  purpose=status_purpose(record), document=pretty, error=error,
                  issued=request.query_params.get("issued") == "1",
                  changed=request.query_params.get("changed"))


@router.get("/{record_id}")
def credential_page(record_id: str, request: Request, ctx: Context,
                    staff: CurrentStaff) -> HTMLResponse:
    return _detail(request, ctx, staff, record_id)


@router.get("/{record_id}/download")
def download(record_id: str, request: Request, ctx: Context, staff: CurrentStaff) -> Response:
    with ctx.reading() as session:
        try:
            record = records.get_record(session, staff.org, record_id)
        except NotFound:
            return not_found(request, staff)
    return Response(record.document, media_type=records.MEDIA_TYPES.get(record.format),
                    headers={"Content-Disposition":
                             f'attachment; filename="{records.download_name(record)}"'})


@router.get("/{record_id}/revoke")
def confirm_revoke(record_id: str, request: Request, ctx: Context,
                   staff: CurrentStaff) -> HTMLResponse:
    return _detail(request, ctx, staff, record_id, template="revoke_confirm.html")


@router.post("/{record_id}/status")
def change_status(record_id: str, request: Request, ctx: Context, staff: CurrentStaff,
                  form: CheckedForm) -> Response:
    wanted = text(form, "status")
    if wanted == "revoked" and text(form, "confirm") != "yes":
        # Revocation is permanent: only from the confirmation page.
        return see_other(f"/staff/issued/{record_id}/revoke")
    try:
        with ctx.changing() as session:
            record = records.get_record(session, staff.org, record_id)
            set_credential_status(session, staff.org.id, record.credential_id, wanted)
    except ServiceError as error:
        return _detail(request, ctx, staff, record_id, status=error_status(error),
                       error=error_text(request, error))
    return see_other(f"/staff/issued/{record.id}?changed={wanted}")

"""Endorsements: endorse an achievement, issuer profile or credential of another organisation;
keep one received from elsewhere; list those made and received; withdraw."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from issuer.dependencies import Context
from issuer.services import endorsements
from issuer.web.auth import CheckedForm, CurrentStaff, Staff
from issuer.web.forms import FormProblem, optional, text, values_of
from issuer.web.render import error_status, error_text, not_found, render, see_other
from servicekit.errors import ServiceError

if TYPE_CHECKING:  # entities the services hand out; pages only name them
    from issuer.models import Endorsement

router = APIRouter(prefix="/staff/endorsements", include_in_schema=False)
MAX_RECEIVED_CHARS = 200_000


def _may_withdraw(row: Endorsement, staff: Staff) -> bool:
    # Made here: only the endorser withdraws. Received from elsewhere: the endorsed may.
    return not row.withdrawn and row.endorser_org_id in (staff.org.id, None)


def _page(request: Request, ctx: Context, staff: Staff, *, status: int = 200,
          **context: Any) -> HTMLResponse:
    with ctx.reading() as session:
        rows = endorsements.list_endorsements(session, staff.org)
    made = [row for row in rows if row.endorser_org_id == staff.org.id]
    received = [row for row in rows if row.endorser_org_id != staff.org.id]
    query = request.query_params
    context.setdefault("values", {"target_kind": query.get("kind", "achievement"),
                                  "target_id": query.get("target", "")})
    return render(request, "endorsements.html", staff=staff, status=status, made=made,
                  received=received, kinds=endorsements.TARGET_KINDS,
                  may_withdraw={row.id for row in rows if _may_withdraw(row, staff)},
                  done=query.get("done"), **context)


@router.get("")
def endorsements_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    return _page(request, ctx, staff)


@router.post("")
def endorse(request: Request, ctx: Context, staff: CurrentStaff, form: CheckedForm) -> Response:
    try:
        endorsements.endorse(ctx, staff.org, target_kind=text(form, "target_kind"),
                             target_id=text(form, "target_id"),
                             comment=optional(form, "comment"), name=optional(form, "name"))
    except ServiceError as error:
        return _page(request, ctx, staff, status=error_status(error), values=values_of(form),
                     error=error_text(request, error))
    return see_other("/staff/endorsements?done=made")


@router.post("/receive")
def receive(request: Request, ctx: Context, staff: CurrentStaff, form: CheckedForm) -> Response:
    pasted = text(form, "document")
    try:
        if not pasted:
            raise FormProblem("endorsements.document_missing")
        if len(pasted) > MAX_RECEIVED_CHARS:
            raise FormProblem("endorsements.document_too_large")
        document: dict[str, Any] | str = pasted
        if pasted.startswith("{"):
            try:
                document = json.loads(pasted)
            except ValueError:
                raise FormProblem("endorsements.bad_json") from None
        endorsements.receive_endorsement(ctx, staff.org, document)
    except (FormProblem, ServiceError) as error:
        return _page(request, ctx, staff, status=error_status(error),
                     received_values={"document": pasted},
                     receive_error=error_text(request, error))
    return see_other("/staff/endorsements?done=received")


@router.get("/{endorsement_id}/withdraw")
def confirm_withdraw(endorsement_id: str, request: Request, ctx: Context,
                     staff: CurrentStaff) -> HTMLResponse:
    with ctx.reading() as session:
        rows = endorsements.list_endorsements(session, staff.org)
    row = next((row for row in rows if row.id == endorsement_id), None)
    if row is None or not _may_withdraw(row, staff):
        return not_found(request, staff)
    return render(request, "withdraw_confirm.html", staff=staff, endorsement=row)


@router.post("/{endorsement_id}/withdraw")
def withdraw(endorsement_id: str, request: Request, ctx: Context, staff: CurrentStaff,
             form: CheckedForm) -> Response:
    if text(form, "confirm") != "yes":
        return see_other(f"/staff/endorsements/{endorsement_id}/withdraw")
    try:
        endorsements.withdraw_endorsement(ctx, staff.org, endorsement_id)
    except ServiceError as error:
        return _page(request, ctx, staff, status=error_status(error),
                     error=error_text(request, error))
    return see_other("/staff/endorsements?done=withdrawn")

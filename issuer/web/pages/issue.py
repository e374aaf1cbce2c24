"""Issue one credential: pick an achievement, then fill in recipient, evidence and result."""

from __future__ import annotations

import json
import secrets
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from issuer.dependencies import Context
from issuer.services.achievements import get_achievement, list_achievements
from issuer.services.issuing import FORMATS, IssueRequest, idempotency_key_for, issue_achievement
from issuer.services.status import PURPOSES
from issuer.web.auth import CheckedForm, CurrentStaff, Staff
from issuer.web.forms import FormProblem, optional, parse_day, rfc3339, text, values_of
from issuer.web.render import error_status, error_text, render, see_other
from servicekit.errors import NotFound, ServiceError

if TYPE_CHECKING:  # entities the services hand out; pages only name them
    from issuer.models import Achievement

router = APIRouter(prefix="/staff/issue", include_in_schema=False)


def levels_of(achievement: Achievement) -> list[dict[str, str]]:
    """The rubric levels a result can name: [{"description", "level", "label"}]."""
    choices = []
    for description in achievement.result_descriptions:
        for level in description.get("rubricCriterionLevel", []):
            choices.append({"description": str(description.get("id", "")),
                            "level": str(level.get("id", "")),
                            "label": f"{description.get('name', '')}: {level.get('name', '')}"})
    return choices


def _form_page(request: Request, ctx: Context, staff: Staff, achievement_id: str, *,
               status: int = 200, values: dict[str, Any] | None = None,
               error: str | None = None) -> HTMLResponse:
    with ctx.reading() as session:
        achievements = list_achievements(session, staff.org)
        try:
            achievement = get_achievement(session, staff.org, achievement_id) \
                if achievement_id else None
        except NotFound:
            achievement = None
    if achievement is None:  # step 1: choose the achievement
        return render(request, "issue_pick.html", staff=staff, status=status,
                      achievements=achievements, error=error)
    values = values or {"nonce": secrets.token_urlsafe(16)}
    return render(request, "issue.html", staff=staff, status=status, achievement=achievement,
                  levels=levels_of(achievement), formats=FORMATS, purposes=PURPOSES,
                  values=values, error=error)


@router.get("")
def issue_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    return _form_page(request, ctx, staff, request.query_params.get("achievement", ""))


@router.post("")
def issue(request: Request, ctx: Context, staff: CurrentStaff, form: CheckedForm) -> Response:
    achievement_id = text(form, "achievement")
    try:
        with ctx.reading() as session:
            achievement = get_achievement(session, staff.org, achievement_id)
        issue_request = _issue_request(form, staff, achievement)
        outcome = issue_achievement(ctx, staff.org, issue_request)
    except (FormProblem, ServiceError) as error:
        return _form_page(request, ctx, staff, achievement_id, status=error_status(error),
                          values=values_of(form), error=error_text(request, error))
    return see_other(f"/staff/issued/{outcome.record.id}?issued=1")


def _issue_request(form: FormData, staff: Staff, achievement: Achievement) -> IssueRequest:
    recipient = text(form, "recipient")
    if not recipient:
        raise FormProblem("issue.recipient_missing")
    evidence = {"id": optional(form, "evidence_url"), "name": optional(form, "evidence_name"),
                "narrative": optional(form, "evidence_narrative")}
    results = []
    chosen_level = text(form, "level")
    if chosen_level:
        match = [c for c in levels_of(achievement) if c["level"] == chosen_level]
        if not match:
            raise FormProblem("issue.level_unknown")
        results.append({"type": "Result", "resultDescription": match[0]["description"],
                        "achievedLevel": chosen_level})
    valid_from = rfc3339(parse_day(text(form, "valid_from"), "issue.valid_from"))
    valid_until = rfc3339(parse_day(text(form, "valid_until"), "issue.valid_until"),
                          end_of_day=True)
    fmt = text(form, "format") or "ldp_vc"
    purpose = text(form, "status_purpose") or "revocation"
    # The same form sent twice (a double click, a reload) issues once; the form's content
    # is part of the key so that changing it and sending again does issue.
    key = idempotency_key_for("staff-issue", staff.org.id, text(form, "nonce"), achievement.id,
                              recipient.lower(), json.dumps(evidence), chosen_level,
                              valid_from or "", valid_until or "", fmt, purpose)
    return IssueRequest(
        achievement_id=achievement.id, recipient=recipient,
        recipient_name=optional(form, "recipient_name"),
        evidence=[evidence] if any(evidence.values()) else [], results=results,
        valid_from=valid_from, valid_until=valid_until, format=fmt, status_purpose=purpose,
        idempotency_key=key if text(form, "nonce") else None,
    )

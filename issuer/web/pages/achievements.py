"""Achievement definitions: list, create (aligned to competences, with rubric levels), view."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData

from issuer.dependencies import Context
from issuer.services import endorsements, frameworks
from issuer.services.achievements import (
    ACHIEVEMENT_TYPES,
    AchievementInput,
    achievement_json,
    achievement_url,
    create_achievement,
    get_achievement,
    list_achievements,
)
from issuer.web.auth import CheckedForm, CurrentStaff, Staff
from issuer.web.forms import FormProblem, optional, positive_int, text, values_of
from issuer.web.render import error_status, error_text, not_found, render, see_other
from servicekit.errors import NotFound, ServiceError
from standards.ob3.achievement import ResultDescription, RubricCriterionLevel

router = APIRouter(prefix="/staff/achievements", include_in_schema=False)
MAX_LEVELS = 20


@router.get("")
def list_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    with ctx.reading() as session:
        rows = list_achievements(session, staff.org)
    summaries = [{"row": row, "competences": len(row.competence_ids),
                  "levels": _level_names(row.result_descriptions)} for row in rows]
    return render(request, "achievements.html", staff=staff, achievements=summaries)


def _form_page(request: Request, ctx: Context, staff: Staff, *, status: int = 200,
               values: dict[str, Any] | None = None, error: str | None = None) -> HTMLResponse:
    with ctx.reading() as session:
        groups = [(framework, frameworks.competences_of(session, framework.id))
                  for framework in frameworks.list_frameworks(session, staff.org)]
    chosen = (values or {}).get("competence", [])
    return render(request, "achievement_new.html", staff=staff, status=status,
                  values=values or {}, error=error, groups=groups, types=ACHIEVEMENT_TYPES,
                  chosen=set([chosen] if isinstance(chosen, str) else chosen))


@router.get("/new")
def new_page(request: Request, ctx: Context, staff: CurrentStaff) -> HTMLResponse:
    return _form_page(request, ctx, staff)


@router.post("/new")
def create(request: Request, ctx: Context, staff: CurrentStaff, form: CheckedForm) -> Response:
    try:
        data = _achievement_input(form)
        with ctx.changing() as session:
            achievement = create_achievement(ctx, session, staff.org, data)
    except (FormProblem, ServiceError) as error:
        return _form_page(request, ctx, staff, status=error_status(error),
                          values=values_of(form), error=error_text(request, error))
    return see_other(f"/staff/achievements/{achievement.id}?created=1")


def _achievement_input(form: FormData) -> AchievementInput:
    competence_ids = [value for value in form.getlist("competence") if isinstance(value, str)]
    return AchievementInput(
        name=text(form, "name"),
        description=text(form, "description"),
        criteria_narrative=text(form, "criteria"),
        criteria_url=optional(form, "criteria_url"),
        image_url=optional(form, "image_url"),
        achievement_type=optional(form, "achievement_type"),
        result_descriptions=_rubric(text(form, "rubric_name"), text(form, "levels")),
        competence_ids=competence_ids,
        valid_days=positive_int(text(form, "valid_days"), "achievements.valid_days"),
    )


def _rubric(name: str, lines: str) -> list[dict[str, Any]]:
    """One OB 3.0 ResultDescription (a rubric) from level names, one per line."""
    levels = [line.strip() for line in lines.splitlines() if line.strip()]
    if not levels:
        return []
    if len(levels) > MAX_LEVELS:
        raise FormProblem("achievements.too_many_levels", maximum=MAX_LEVELS)
    if not name:
        raise FormProblem("achievements.rubric_name_missing")
    description = ResultDescription(
        id=f"urn:uuid:{uuid.uuid4()}", name=name, result_type="RubricCriterionLevel",
        rubric_criterion_levels=[RubricCriterionLevel(id=f"urn:uuid:{uuid.uuid4()}", name=level)
                                 for level in levels])
    return [description.to_json()]


def _level_names(result_descriptions: list[dict[str, Any]]) -> list[str]:
    names = []
    for description in result_descriptions:
        for level in description.get("rubricCriterionLevel", []):
            names.append(str(level.get("name", "")))
    return names


@router.get("/{achievement_id}")
def achievement_page(achievement_id: str, request: Request, ctx: Context,
                     staff: CurrentStaff) -> HTMLResponse:
    with ctx.reading() as session:
        try:
            achievement = get_achievement(session, staff.org, achievement_id)
        except NotFound:
            return not_found(request, staff)
        document = achievement_json(ctx, session, achievement, with_endorsements=False)
        public_url = achievement_url(ctx.public_url, achievement.id)
        received = endorsements.list_endorsements(session, staff.org, target_id=public_url)
    return render(request, "achievement.html", staff=staff, achievement=achievement,
                  document=document, public_url=public_url, endorsements=received,
                  created=request.query_params.get("created") == "1")

"""The staff JSON API under /api: frameworks, achievements, issuing, the issued record,
profiles and key rotation. Every endpoint needs the organisation's API token and sees only
that organisation's data (another organisation's ids answer 404).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session, select

from issuer.api.body_refusals import RefusedBodyRoute
from issuer.api.deps import ApiOrganisation, Context
from issuer.api.schemas.base import REFUSALS
from issuer.api.schemas.documents import file_content
from issuer.api.schemas.manage import (
    MAX_IDEMPOTENCY_KEY,
    AchievementBody,
    AchievementList,
    FrameworkDocument,
    FrameworkList,
    IssueBody,
    IssuedCredential,
    ProfileBody,
    ProfileList,
    ProfileSummary,
    RecordDetail,
    RecordPage,
    RotatedKey,
    StoredAchievement,
)
from issuer.api.schemas.uploads import csv_upload
from issuer.db import session_scope
from issuer.models import IssuerProfile, Organisation
from issuer.services import frameworks, records
from issuer.services.achievements import (
    AchievementInput,
    achievement_json,
    create_achievement,
    get_achievement,
    list_achievements,
)
from issuer.services.context import IssuerContext
from issuer.services.issuing import IssueRequest, idempotency_key_for, issue_achievement
from issuer.services.keys import did_document, rotate_key
from issuer.services.organisations import create_profile, profile_of
from servicekit.errors import Invalid, Refused
from servicekit.http_body import read_body, uploaded_file
from standards.dates import parse_datetime
from standards.ob3 import brin_identifier, kvk_identifier

router = APIRouter(prefix="/api", tags=["management"], route_class=RefusedBodyRoute,
                   strict_content_type=False, responses=REFUSALS)



# --- frameworks -----------------------------------------------------------------------------


@router.post("/frameworks/csv", status_code=201, response_model=FrameworkDocument,
             openapi_extra={"requestBody": csv_upload(
                 "the framework's CSV: columns code, name, description, optionally parent "
                 "and uri")})
async def import_framework_csv(request: Request, ctx: Context, org: ApiOrganisation,
                               title: str = "") -> JSONResponse:
    """Body: the CSV itself (text/csv), or multipart/form-data with the file in `file`."""
    data = await read_body(request, frameworks.MAX_INPUT_BYTES)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        filename, data = await uploaded_file(request, data, "the CSV")
        title = title or re.sub(r"\.(csv|txt)$", "", filename, flags=re.IGNORECASE)
    text = frameworks.decode_csv_bytes(data)
    document = await run_in_threadpool(_import, ctx, org, "csv", title, text)
    return JSONResponse(document, status_code=201)


@router.post("/frameworks/case", status_code=201, response_model=FrameworkDocument)
async def import_framework_case(
    package: Annotated[dict[str, Any], Body(description="a CASE 1.0 CFPackage (JSON)")],
    ctx: Context, org: ApiOrganisation,
) -> JSONResponse:
    document = await run_in_threadpool(_import, ctx, org, "case", "", package)
    return JSONResponse(document, status_code=201)


def _import(ctx: IssuerContext, org: Organisation, kind: str, title: str,
            content: Any) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        if kind == "csv":
            framework = frameworks.import_csv(ctx, session, org, title=title, csv_text=content)
        else:
            framework = frameworks.import_case(ctx, session, org, content)
        return frameworks.framework_json(ctx, session, framework)


@router.get("/frameworks", response_model=FrameworkList, response_model_exclude_unset=True)
def list_frameworks(ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return {"items": [frameworks.framework_json(ctx, session, row, with_competences=False)
                          for row in frameworks.list_frameworks(session, org)]}


@router.get("/frameworks/{framework_id}", response_model=FrameworkDocument,
            response_model_exclude_unset=True)
def get_framework(framework_id: str, ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        framework = frameworks.get_framework(session, org, framework_id)
        return frameworks.framework_json(ctx, session, framework)


# --- achievements ---------------------------------------------------------------------------


@router.post("/achievements", status_code=201, response_model=StoredAchievement)
async def create(body: AchievementBody, ctx: Context, org: ApiOrganisation) -> JSONResponse:
    data = AchievementInput(**body.model_dump(exclude_none=True))
    document = await run_in_threadpool(_create_achievement, ctx, org, data)
    return JSONResponse(document, status_code=201)


def _create_achievement(ctx: IssuerContext, org: Organisation,
                        data: AchievementInput) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        achievement = create_achievement(ctx, session, org, data)
        return {"id": achievement.id, "achievement": achievement_json(ctx, session, achievement)}


@router.get("/achievements", response_model=AchievementList)
def achievements(ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        return {"items": [{"id": row.id, "achievement": achievement_json(ctx, session, row)}
                          for row in list_achievements(session, org)]}


@router.get("/achievements/{achievement_id}", response_model=StoredAchievement)
def achievement(achievement_id: str, ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        row = get_achievement(session, org, achievement_id)
        return {"id": row.id, "achievement": achievement_json(ctx, session, row)}


@router.post("/achievements/{achievement_id}/issue", status_code=201,
             response_model=IssuedCredential,
             responses={200: {"model": IssuedCredential,
                              "description": "issued before with this idempotencyKey"}})
async def issue(achievement_id: str, body: IssueBody, ctx: Context,
                org: ApiOrganisation) -> JSONResponse:
    fields = body.model_dump(exclude_none=True)
    if not body.recipient.strip():
        raise Refused("'recipient' (a DID or an e-mail address) is required")
    key = body.idempotency_key
    if key is not None:
        if not key.strip() or len(key) > MAX_IDEMPOTENCY_KEY:
            raise Refused(f"idempotencyKey must be 1 to {MAX_IDEMPOTENCY_KEY} characters")
        # Scoped to the achievement and of fixed length, whatever the caller sends.
        fields["idempotency_key"] = idempotency_key_for("api-issue", achievement_id, key)
    request_data = IssueRequest(achievement_id=achievement_id, **fields)
    outcome = await run_in_threadpool(issue_achievement, ctx, org, request_data)
    return JSONResponse({"record": records.record_summary(outcome.record),
                         "verifiableCredential": outcome.credential},
                        status_code=201 if outcome.created else 200)


# --- the issued record ----------------------------------------------------------------------


@router.get("/credentials", response_model=RecordPage)
def search(ctx: Context, org: ApiOrganisation, recipient: str | None = None,
           achievement: str | None = None,
           issued_from: Annotated[str | None, Query(alias="from")] = None,
           issued_to: Annotated[str | None, Query(alias="to")] = None,
           limit: Annotated[int, Query(ge=1, le=records.MAX_PAGE)] = 50,
           offset: Annotated[int, Query(ge=0)] = 0) -> dict[str, Any]:
    """`from`/`to`: RFC 3339 date-times (from inclusive, to exclusive) or dates (whole days,
    UTC: to=2025-06-30 includes that day)."""
    with Session(ctx.engine) as session:
        rows, total = records.search_credentials(
            session, org, recipient=recipient, achievement_id=achievement,
            issued_from=_moment(issued_from, "from", end_of_day=False),
            issued_to=_moment(issued_to, "to", end_of_day=True), limit=limit, offset=offset)
    return {"total": total, "limit": limit, "offset": offset,
            "items": [records.record_summary(row) for row in rows]}


# The download route comes first: credential ids may hold slashes, so the detail route
# matches any path and would otherwise swallow ".../download".
@router.get("/credentials/{credential_id:path}/download", response_class=Response,
            responses=file_content({"application/vc+ld+json": "object",
                                    "application/vc+jwt": "string"},
                                   "the credential as signed, as a file"))
def download(credential_id: str, ctx: Context, org: ApiOrganisation) -> Response:
    with Session(ctx.engine) as session:
        record = records.get_record(session, org, credential_id)
    return Response(record.document, media_type=records.MEDIA_TYPES[record.format], headers={
        "Content-Disposition": f'attachment; filename="{records.download_name(record)}"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })


@router.get("/credentials/{credential_id:path}", response_model=RecordDetail)
def credential(credential_id: str, ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        record = records.get_record(session, org, credential_id)
    return {**records.record_summary(record),
            "verifiableCredential": records.signed_document(record)}


# --- profiles and keys ----------------------------------------------------------------------


@router.get("/profiles", response_model=ProfileList)
def profiles(ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with Session(ctx.engine) as session:
        rows = session.exec(select(IssuerProfile).where(IssuerProfile.org_id == org.id)
                            .order_by(IssuerProfile.created_at)).all()  # type: ignore[arg-type]
        return {"items": [_profile_summary(session, row) for row in rows]}


@router.post("/profiles/{profile_id}/rotate-key", response_model=RotatedKey)
def rotate(profile_id: str, ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        profile = profile_of(session, org, profile_id)
        key = rotate_key(ctx, session, profile)
        return {"profileId": profile.id, "did": profile.did,
                "verificationMethod": key.verification_method}


@router.post("/profiles", status_code=201, response_model=ProfileSummary)
def new_profile(body: ProfileBody, ctx: Context, org: ApiOrganisation) -> dict[str, Any]:
    """Another issuer profile (e.g. a department or a partnership) with its own DID and key."""
    fields = body.model_dump(exclude_none=True)
    name = fields.pop("name", "").strip()
    if not name:
        raise Refused("a profile needs a name")
    identifiers = [entry.to_json() for entry in (
        *([brin_identifier(fields.pop("brin"))] if fields.get("brin") else []),
        *([kvk_identifier(fields.pop("kvk"))] if fields.get("kvk") else []),
    )]
    fields.pop("brin", None)
    fields.pop("kvk", None)
    with session_scope(ctx.engine) as session:
        profile = create_profile(ctx, session, org, name=name, identifiers=identifiers, **fields)
        return _profile_summary(session, profile)


def _profile_summary(session: Session, profile: IssuerProfile) -> dict[str, Any]:
    document = did_document(session, profile)
    return {"id": profile.id, "did": profile.did, "didMethod": profile.did_method,
            "name": profile.name, "isDefault": profile.is_default,
            "verificationMethods": [method["id"] for method in document["verificationMethod"]]}


# --- request helpers ------------------------------------------------------------------------


def _moment(value: str | None, name: str, *, end_of_day: bool) -> datetime | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"{name}={value!r} is not a date") from None
        start = datetime.combine(day, time(), tzinfo=UTC)
        return start + timedelta(days=1) if end_of_day else start
    try:
        return parse_datetime(value)
    except ValueError:
        raise Invalid(f"{name}={value[:40]!r} is not a date (YYYY-MM-DD) or an RFC 3339 "
                      "date-time") from None

"""The online CV's settings over JSON (owner only): `GET` and `PUT /api/dossiers/{id}/cv`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from servicekit.errors import Refused
from servicekit.http_body import read_json_object
from wallet.api.deps import Context, DossierActor
from wallet.db import session_scope
from wallet.services.cv import cv_json, cv_of, update_cv

router = APIRouter(prefix="/api/dossiers/{owner_id}/cv", tags=["cv"])


def _optional(body: dict[str, Any], name: str, kind: type) -> Any:
    value = body.get(name)
    if value is not None and not isinstance(value, kind):
        raise Refused(f'"{name}" must be {"true or false" if kind is bool else "text"}')
    return value


def _optional_ids(body: dict[str, Any], name: str) -> list[str] | None:
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise Refused(f'"{name}" must be a list of ids')
    return value


@router.get("")
def get_cv(actor: DossierActor, ctx: Context) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:  # the first look makes the (off) page
        return cv_json(ctx, cv_of(session, actor))


@router.put("")
async def put_cv(request: Request, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    """`{"enabled", "headline", "about", "credentials": [ids], "evidence": [ids], "slug"}`;
    what is left out stays as it is."""
    body = await read_json_object(request)
    with session_scope(ctx.engine) as session:
        page = update_cv(session, actor, enabled=_optional(body, "enabled", bool),
                         headline=_optional(body, "headline", str),
                         about=_optional(body, "about", str),
                         credential_ids=_optional_ids(body, "credentials"),
                         evidence_ids=_optional_ids(body, "evidence"),
                         slug=_optional(body, "slug", str))
        return cv_json(ctx, page)


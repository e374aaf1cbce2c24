"""The online CV's settings over JSON (owner only): `GET` and `PUT /api/dossiers/{id}/cv`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from servicekit.errors import Refused
from wallet.api.deps import Context, DossierActor
from wallet.api.schemas import CvChanges
from wallet.db import session_scope
from wallet.services.cv import cv_json, cv_of, update_cv

router = APIRouter(prefix="/api/dossiers/{owner_id}/cv", tags=["cv"])


def _optional(value: Any, name: str, kind: type) -> Any:
    if value is not None and not isinstance(value, kind):
        raise Refused(f'"{name}" must be {"true or false" if kind is bool else "text"}')
    return value


def _optional_ids(value: Any, name: str) -> list[str] | None:
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
def put_cv(body: CvChanges, actor: DossierActor, ctx: Context) -> dict[str, Any]:
    """What is left out stays as it is."""
    with session_scope(ctx.engine) as session:
        page = update_cv(session, actor, enabled=_optional(body.enabled, "enabled", bool),
                         headline=_optional(body.headline, "headline", str),
                         about=_optional(body.about, "about", str),
                         credential_ids=_optional_ids(body.credentials, "credentials"),
                         evidence_ids=_optional_ids(body.evidence, "evidence"),
                         slug=_optional(body.slug, "slug", str))
        return cv_json(ctx, page)


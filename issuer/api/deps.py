"""Request dependencies: the issuer context and the calling organisation (API token)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from issuer.dependencies import Context
from issuer.models import Organisation
from issuer.services.organisations import organisation_for_token

__all__ = ["ApiOrganisation", "Context"]


def api_organisation(request: Request, ctx: Context) -> Organisation:
    """The organisation whose API token came in `Authorization: Bearer ...` (401 otherwise)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(401, "an API token is required: Authorization: Bearer <token>",
                            headers={"WWW-Authenticate": "Bearer"})
    with ctx.reading() as session:
        org = organisation_for_token(session, token.strip())
    if org is None:
        raise HTTPException(401, "the API token is not valid or was revoked",
                            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    return org


ApiOrganisation = Annotated[Organisation, Depends(api_organisation)]

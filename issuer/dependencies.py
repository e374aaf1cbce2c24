"""The issuer context of a request: a FastAPI dependency both the API and the pages use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from issuer.services.context import IssuerContext


def get_context(request: Request) -> IssuerContext:
    context: IssuerContext = request.app.state.issuer
    return context


Context = Annotated[IssuerContext, Depends(get_context)]

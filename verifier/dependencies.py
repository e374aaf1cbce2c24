"""The verifier context of a request: a FastAPI dependency both the API and the pages use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from verifier.services.context import VerifierContext


async def _context(request: Request) -> VerifierContext:
    return request.app.state.verifier  # type: ignore[no-any-return]


Context = Annotated[VerifierContext, Depends(_context)]

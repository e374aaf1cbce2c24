"""The wallet context of a request: a FastAPI dependency both the API and the pages use."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from wallet.services.context import WalletContext


def get_context(request: Request) -> WalletContext:
    context: WalletContext = request.app.state.wallet
    return context


Context = Annotated[WalletContext, Depends(get_context)]

"""`install_web(app, ctx)`: sessions, language, static files and the page routers."""

from __future__ import annotations

from fastapi import FastAPI

from wallet.services.context import WalletContext


def install_web(app: FastAPI, ctx: WalletContext) -> None:
    """Pages come in the next step."""

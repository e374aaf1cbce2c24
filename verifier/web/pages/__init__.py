"""The page routers, one module per page."""

from __future__ import annotations

from fastapi import APIRouter

from verifier.web.pages import check, wallet

ROUTERS: list[APIRouter] = [check.router, wallet.router]

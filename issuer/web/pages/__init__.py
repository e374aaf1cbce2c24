"""The staff page routers, one module per area."""

from __future__ import annotations

from fastapi import APIRouter

from issuer.web.pages import (
    account,
    achievements,
    bulk,
    endorsements,
    frameworks,
    home,
    issue,
    issued,
    offers,
)

ROUTERS: list[APIRouter] = [
    home.router, frameworks.router, achievements.router, issue.router, bulk.router,
    issued.router, endorsements.router, offers.router, account.router,
]

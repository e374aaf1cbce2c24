"""The issuer's FastAPI application: routers are thin, the work is in issuer.services."""

from __future__ import annotations

from fastapi import FastAPI

from issuer.api import public, vc_api
from issuer.api.errors import install_error_handlers
from issuer.config import IssuerSettings
from issuer.services.context import IssuerContext


def create_app(settings: IssuerSettings | None = None, *,
               context: IssuerContext | None = None) -> FastAPI:
    ctx = context or IssuerContext.open(settings or IssuerSettings())
    app = FastAPI(title="OpenDossier issuer", version="0.1.0",
                  summary="Issue, endorse and revoke Open Badges 3.0 credentials")
    app.state.issuer = ctx
    install_error_handlers(app)
    app.include_router(vc_api.router)
    app.include_router(public.router)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app

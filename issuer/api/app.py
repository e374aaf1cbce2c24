"""The issuer's FastAPI application: routers are thin, the work is in issuer.services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from issuer.api import public, vc_api
from issuer.api.body_limit import IssuerBodyLimit
from issuer.api.bulk import router as bulk_router
from issuer.api.competences import router as competences_router
from issuer.api.endorsements import router as endorsements_router
from issuer.api.manage import router as manage_router
from issuer.api.oid4vci import oauth_router
from issuer.api.oid4vci import router as oid4vci_router
from issuer.config import IssuerSettings
from issuer.services.bulk_runs import JobWatcher
from issuer.services.context import IssuerContext
from issuer.services.frameworks import MAX_INPUT_BYTES as MAX_FRAMEWORK_BYTES
from issuer.web.setup import install_web
from servicekit.api_errors import install_error_handlers
from servicekit.body_limit import OWN_LIMIT

# Routes whose JSON or form bodies are not held to `max_request_bytes` (servicekit.body_limit).
BODY_LIMITS: dict[str, int | None] = {
    "/api/frameworks/case": MAX_FRAMEWORK_BYTES,  # a whole CASE package
    "/oid4vci/token": OWN_LIMIT,  # a small form, refused in OAuth's error shape
}


def create_app(settings: IssuerSettings | None = None, *,
               context: IssuerContext | None = None) -> FastAPI:
    ctx = context or IssuerContext.open(settings or IssuerSettings())

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Bulk jobs a crash interrupted (here or on another instance) are resumed; when the
        # service stops, its runs let go of their jobs.
        watcher = JobWatcher(ctx).start()
        try:
            yield
        finally:
            await run_in_threadpool(watcher.stop)

    app = FastAPI(title="OpenDossier issuer", version="0.1.0",
                  summary="Issue, endorse and revoke Open Badges 3.0 credentials",
                  lifespan=lifespan)
    app.state.issuer = ctx
    # JSON and form bodies are read whole by FastAPI; uploads (CSV files) stream under their
    # own limits.
    app.add_middleware(IssuerBodyLimit, max_bytes=ctx.settings.max_request_bytes,
                       route_limits=BODY_LIMITS)
    install_error_handlers(app)
    app.include_router(vc_api.router)
    app.include_router(public.router)
    app.include_router(manage_router)
    app.include_router(competences_router)
    app.include_router(endorsements_router)
    app.include_router(oid4vci_router)
    app.include_router(oauth_router)
    app.include_router(bulk_router)
    install_web(app, ctx)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app

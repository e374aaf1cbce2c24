"""The wallet's FastAPI application: routers are thin, the work is in wallet.services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool

from servicekit.api_errors import install_error_handlers
from servicekit.body_limit import OWN_LIMIT, BodyLimitMiddleware
from servicekit.login_limiter import LoginLimiter
from wallet.api import (
    accounts,
    archive,
    competences,
    credentials,
    cv,
    evidence,
    oid4vp,
    public,
    reflections,
    reports,
    shares,
)
from wallet.config import WalletSettings
from wallet.evidence_store import evidence_store
from wallet.services.archive_files import archive_scratch
from wallet.services.context import WalletContext
from wallet.services.credential_rechecks import PeriodicRecheck
from wallet.services.orphan_blobs import sweep_orphan_blobs
from wallet.web.setup import install_web

# Routes whose JSON bodies are smaller or larger than `max_json_bytes` (servicekit.body_limit).
BODY_LIMITS: dict[str, int | None] = {
    "/api/accounts": 64 * 1024,
    "/api/session": 64 * 1024,
    "/api/me/password": 64 * 1024,
    "/api/me/delete": 64 * 1024,
    "/api/dossiers/{owner_id}/delegations": 64 * 1024,
    "/api/invitations/{token}/accept": 64 * 1024,
    "/api/dossiers/{owner_id}/credentials/offers": 64 * 1024,
    "/api/dossiers/{owner_id}/credentials/offers/preview": 64 * 1024,
    # 20,000 characters of text, several bytes each, plus the ids
    "/api/dossiers/{owner_id}/reflections": 256 * 1024,
    "/api/dossiers/{owner_id}/reports": 256 * 1024,
    "/api/dossiers/{owner_id}/competences": 2 * 1024 * 1024,  # a whole framework
    # JSON, a JWT or a baked image, read under max_credential_bytes
    "/api/dossiers/{owner_id}/credentials": OWN_LIMIT,
}

ROUTERS = [accounts.router, credentials.router, competences.router, evidence.router,
           reflections.router, reports.router, shares.router, cv.router, oid4vp.router,
           archive.router, public.router]


def create_app(settings: WalletSettings | None = None, *,
               context: WalletContext | None = None) -> FastAPI:
    ctx = context or WalletContext.open(settings or WalletSettings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Credentials kept "not checked yet" are checked again while the service runs.
        interval = ctx.settings.recheck_interval_seconds
        rechecks = PeriodicRecheck(ctx, interval).start() if interval > 0 else None
        app.state.rechecks = rechecks
        try:
            yield
        finally:
            if rechecks is not None:
                await run_in_threadpool(rechecks.stop)

    # A JSON body without a Content-Type is read as JSON, as the API always did: its routes
    # authenticate with a Bearer token, never a cookie, so such a body is no cross-site
    # forgery; the pages (cookie sessions) take forms only.
    app = FastAPI(title="OpenDossier wallet", version="0.1.0",
                  summary="The owner's competence dossier: evidence, reflections, credentials",
                  strict_content_type=False, lifespan=lifespan)
    app.state.wallet = ctx
    # What processes that died left on its way in or out (uploads, archives) goes; what
    # processes still running (other instances) are writing stays. So do evidence files
    # placed for a row that a crash kept from being committed, once past the grace.
    evidence_store(ctx.settings.evidence_dir).sweep_temp()
    archive_scratch(ctx).sweep()
    sweep_orphan_blobs(ctx)
    app.state.login_limiter = LoginLimiter()
    install_error_handlers(app)
    # JSON bodies are read by FastAPI into the models of wallet.api.schemas; this caps their
    # size first. Evidence, credential and archive uploads stream under their own limits.
    app.add_middleware(BodyLimitMiddleware, max_bytes=ctx.settings.max_json_bytes,
                       route_limits=BODY_LIMITS)
    for router in ROUTERS:
        app.include_router(router)
    install_web(app, ctx)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app

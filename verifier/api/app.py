"""The verifier's FastAPI application: routers are thin, the work is in verifier.services."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
from fastapi import FastAPI

from servicekit.api_errors import install_error_handlers
from verifier.api import oid4vp, vc_api
from verifier.api.body_limit import BODY_LIMITS, VerifierBodyLimit
from verifier.config import VerifierSettings
from verifier.services.context import VerifierContext
from verifier.web.setup import install_web

SETTINGS_ENV = "OPENDOSSIER_VERIFIER_SETTINGS"


def create_app(settings: VerifierSettings | None = None, *,
               context: VerifierContext | None = None) -> FastAPI:
    ctx = context or VerifierContext.open(settings or VerifierSettings())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        limiter = anyio.to_thread.current_default_thread_limiter()
        limiter.total_tokens = ctx.settings.verification_threads
        yield

    app = FastAPI(title="OpenDossier verifier", version="0.1.0",
                  summary="Check Open Badges 3.0 credentials and presentations",
                  lifespan=lifespan)
    app.state.verifier = ctx
    app.add_middleware(VerifierBodyLimit, max_bytes=ctx.settings.max_request_bytes,
                       route_limits=BODY_LIMITS)
    install_error_handlers(app)
    app.include_router(vc_api.router)
    app.include_router(oid4vp.router)
    install_web(app, ctx)

    @app.get("/health", include_in_schema=False)
    def health() -> dict[str, str]:
        return {"status": "ok"}

    return app


def app_from_environment() -> FastAPI:
    """For `uvicorn --factory` with several worker processes: settings come as JSON in the
    environment (see `verifier.cli`)."""
    return create_app(settings_from_json(os.environ[SETTINGS_ENV]))


def settings_to_json(settings: VerifierSettings) -> str:
    return settings.model_dump_json()


def settings_from_json(text: str) -> VerifierSettings:
    """Exactly the settings the parent process had (its environment is not read again)."""
    return VerifierSettings.model_validate_json(text)

"""The verifier's FastAPI application: routers are thin, the work is in verifier.services."""

from __future__ import annotations

import json
import os

from fastapi import FastAPI

from servicekit.api_errors import install_error_handlers
from verifier.api import oid4vp, vc_api
from verifier.api.body_limit import VerifierBodyLimit
from verifier.config import VerifierSettings, fetch_policy_for
from verifier.services.context import VerifierContext
from verifier.web.setup import install_web

SETTINGS_ENV = "OPENDOSSIER_VERIFIER_SETTINGS"


def create_app(settings: VerifierSettings | None = None, *,
               context: VerifierContext | None = None) -> FastAPI:
    ctx = context or VerifierContext.open(settings or VerifierSettings())
    app = FastAPI(title="OpenDossier verifier", version="0.1.0",
                  summary="Check Open Badges 3.0 credentials and presentations")
    app.state.verifier = ctx
    app.add_middleware(VerifierBodyLimit, max_bytes=ctx.settings.max_request_bytes)
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
    policy = settings.fetch_policy
    return json.dumps({
        "data_dir": str(settings.data_dir), "public_url": settings.public_url,
        "trust_registry": settings.trust_registry,
        "allow_local_hosts": policy.allow_private_for, "denied_hosts": policy.denied_hosts,
        "challenge_lifetime_seconds": settings.challenge_lifetime_seconds,
        "max_request_bytes": settings.max_request_bytes,
    })


def settings_from_json(text: str) -> VerifierSettings:
    values = json.loads(text)
    return VerifierSettings(
        data_dir=values["data_dir"], public_url=values["public_url"],
        trust_registry=values["trust_registry"],
        fetch_policy=fetch_policy_for(values["allow_local_hosts"], values["denied_hosts"]),
        challenge_lifetime_seconds=values["challenge_lifetime_seconds"],
        max_request_bytes=values["max_request_bytes"])

"""The issuer's JSON error answers: servicekit.api_errors with IssuerError as refusal."""

from __future__ import annotations

from fastapi import FastAPI

from issuer.services.context import IssuerError
from servicekit import api_errors


def install_error_handlers(app: FastAPI) -> None:
    api_errors.install_error_handlers(app, IssuerError)

"""The issuer's JSON error answers: opendossier.api_errors with IssuerError as refusal."""

from __future__ import annotations

from fastapi import FastAPI

from issuer.services.context import IssuerError
from opendossier import api_errors


def install_error_handlers(app: FastAPI) -> None:
    api_errors.install_error_handlers(app, IssuerError)

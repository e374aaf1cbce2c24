"""One error shape for the JSON API: {"error": <code>, "message": <text>}."""

from __future__ import annotations

import json

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from issuer.services.context import IssuerError
from opendossier.http_body import BodyError

_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
          409: "conflict", 410: "gone", 413: "too_large", 422: "unprocessable", 500: "server_error"}


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(IssuerError)
    async def issuer_error(request: Request, error: IssuerError) -> JSONResponse:
        return _error(error.status, str(error))

    @app.exception_handler(BodyError)
    async def body_error(request: Request, error: BodyError) -> JSONResponse:
        return _error(error.status, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return _error(error.status_code, str(error.detail), dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
            for e in error.errors()[:5]
        )
        return _error(400, f"malformed request: {problems}")

    @app.exception_handler(json.JSONDecodeError)
    async def json_error(request: Request, error: json.JSONDecodeError) -> JSONResponse:
        return _error(400, f"malformed JSON: {error.msg} at position {error.pos}")


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": _CODES.get(status, "error"), "message": message},
                        status_code=status, headers=headers)

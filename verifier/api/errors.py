"""One error shape for the verifier's JSON API: {"error": <code>, "message": <text>}."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit.api_errors import not_found_page
from servicekit.http_body import BodyError
from verifier.services.context import VerifierError

_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 409: "conflict",
          410: "gone", 413: "too_large", 415: "unsupported_media_type", 422: "unprocessable",
          500: "server_error"}


def error_response(status: int, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": _CODES.get(status, "error"), "message": message},
                        status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(VerifierError)
    async def verifier_error(request: Request, error: VerifierError) -> JSONResponse:
        return error_response(error.status, str(error))

    @app.exception_handler(BodyError)
    async def body_error(request: Request, error: BodyError) -> JSONResponse:
        return error_response(error.status, str(error))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        page = not_found_page(request, error.status_code)
        if page is not None:
            return page
        return error_response(error.status_code, str(error.detail), dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = "; ".join(f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
                             for e in error.errors()[:5])
        return error_response(400, f"malformed request: {problems}")

"""One error shape for the services' JSON APIs: {"error": <code>, "message": <text>}.

A person whose browser asks for a page that is not there gets a page, not JSON: a service
with pages sets `app.state.not_found_page` (request -> response, or None to answer JSON)."""

from __future__ import annotations

import json
from collections.abc import Callable

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicekit import errors
from servicekit.http_body import BodyError

CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "too_large",
         415: "unsupported_media_type", 422: "unprocessable", 429: "too_many_requests",
         500: "server_error"}


NotFoundPage = Callable[[Request], Response | None]

# Domain error → HTTP status. The most specific class wins (subclasses are looked up along
# their method resolution order).
STATUS_OF_ERROR: dict[type[errors.ServiceError], int] = {
    errors.Invalid: 400, errors.Unauthorized: 401, errors.Forbidden: 403, errors.NotFound: 404,
    errors.Conflict: 409, errors.Gone: 410, errors.TooLarge: 413, errors.UnsupportedType: 415,
    errors.Refused: 422, errors.TooManyAttempts: 429, errors.Inconsistent: 500,
    errors.UpstreamFailed: 502,
    errors.ServiceError: 400,
}


def status_of(error: errors.ServiceError) -> int:
    """The HTTP status that answers `error`."""
    for kind in type(error).__mro__:
        if kind in STATUS_OF_ERROR:
            return STATUS_OF_ERROR[kind]  # type: ignore[index]
    return 400


def wants_page(request: Request) -> bool:
    """A browser navigating (it asks for HTML first), not an API client."""
    return request.method == "GET" and "text/html" in request.headers.get("accept", "")


def not_found_page(request: Request, status: int) -> Response | None:
    """The service's page for a 404 when a browser asked, else None (answer JSON)."""
    make: NotFoundPage | None = getattr(request.app.state, "not_found_page", None)
    if status != 404 or make is None or not wants_page(request):
        return None
    return make(request)


def install_error_handlers(app: FastAPI) -> None:
    """JSON answers for domain errors (`servicekit.errors`), unreadable bodies, HTTP errors
    and request validation."""

    async def unreadable_body(request: Request, error: Exception) -> JSONResponse:
        return error_response(getattr(error, "status", 400), str(error))

    async def domain_error(request: Request, error: Exception) -> JSONResponse:
        status = status_of(error) if isinstance(error, errors.ServiceError) else 400
        return error_response(status, str(error))

    app.add_exception_handler(errors.ServiceError, domain_error)
    app.add_exception_handler(BodyError, unreadable_body)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        page = not_found_page(request, error.status_code)
        if page is not None:
            return page
        return error_response(error.status_code, str(error.detail), dict(error.headers or {}))

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        unreadable = next((e for e in error.errors() if e.get("type") == "json_invalid"), None)
        if unreadable is not None:  # FastAPI could not parse the body: say so, and where
            return error_response(400, f"malformed JSON: {unreadable['ctx']['error']} at "
                                       f"position {unreadable['loc'][-1]}")
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ()))}: {e.get('msg')}"
            for e in error.errors()[:5]
        )
        return error_response(400, f"malformed request: {problems}")

    @app.exception_handler(json.JSONDecodeError)
    async def json_error(request: Request, error: json.JSONDecodeError) -> JSONResponse:
        return error_response(400, f"malformed JSON: {error.msg} at position {error.pos}")


def error_response(status: int, message: str,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": CODES.get(status, "error"), "message": message},
                        status_code=status, headers=headers)

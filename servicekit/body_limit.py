"""A size limit on small request bodies, applied before any route reads them.

Routes declare their JSON bodies as Pydantic models, so FastAPI reads and parses the body and
OpenAPI documents it. FastAPI itself sets no size limit; this middleware does: a JSON or
form body (or one with no content type, which FastAPI reads as JSON) longer than `max_bytes`
is answered 413 before the route runs. File uploads (multipart, raw files, archives) pass
through untouched: their routes stream them to disk under their own, larger limits.

The JSON of such a body is also read here with the standards' strict reader
(`standards.json_text`): what Python's `json` would take but JSON does not have (NaN,
Infinity, a number too long to convert) is answered 400 with the reason, instead of failing
deep inside FastAPI or a route.

Routes whose bodies are smaller or larger than the app's limit are named in `route_limits`
(path template as the route declares it → bytes); `OWN_LIMIT` marks a route that reads and
limits its body itself, to answer in a shape of its own (an OAuth error, a page).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from starlette.routing import compile_path
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from standards import json_text

MAX_JSON_BYTES = 1024 * 1024
OWN_LIMIT = None  # the route reads its body itself, under a limit of its own


def is_small_body(content_type: str) -> bool:
    """Bodies this limit applies to: JSON, urlencoded forms, and bodies without a type."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    return (media_type in ("", "application/json", "application/x-www-form-urlencoded")
            or media_type.endswith("+json"))


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, max_bytes: int = MAX_JSON_BYTES,
                 route_limits: Mapping[str, int | None] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.route_limits: list[tuple[re.Pattern[str], int | None]] = [
            (compile_path(path)[0], limit) for path, limit in (route_limits or {}).items()]

    def limit_for(self, path: str) -> int | None:
        """The limit of the route at `path`: its own, or the app's."""
        for pattern, limit in self.route_limits:
            if pattern.match(path):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1")
                   for key, value in scope.get("headers", [])}
        max_bytes = self.limit_for(scope["path"])
        if max_bytes is None or not is_small_body(headers.get("content-type", "")):
            await self.app(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            await self._refuse(scope, send, max_bytes)
            return
        # Read the whole (small) body here, so an over-long one is refused before the route
        # starts; then hand the route the same messages.
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > max_bytes:
                await self._refuse(scope, send, max_bytes)
                return
            if not message.get("more_body", False):
                break
        problem = json_problem(headers.get("content-type", ""),
                               b"".join(m.get("body", b"") for m in messages))
        if problem is not None:
            await self.answer(scope, send, 400, "bad_request", problem)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope: Scope, send: Send, max_bytes: int) -> None:
        await self.answer(scope, send, 413, "too_large",
                          f"request body is larger than {max_bytes} bytes")

    def refusal(self, scope: Scope, error: str, message: str) -> dict[str, str]:
        """The body of a refusal: the services' error shape. A role whose routes answer in
        another shape (OAuth's) overrides this for them."""
        return {"error": error, "message": message}

    def refusal_headers(self, scope: Scope) -> list[tuple[bytes, bytes]]:
        """Headers a refusal on this route carries besides its type and length."""
        return []

    async def answer(self, scope: Scope, send: Send, status: int, error: str,
                     message: str) -> None:
        body = json.dumps(self.refusal(scope, error, message)).encode()
        await send({"type": "http.response.start", "status": status,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                *self.refusal_headers(scope)]})
        await send({"type": "http.response.body", "body": body})


def json_problem(content_type: str, body: bytes) -> str | None:
    """Why a body FastAPI would read as JSON is not JSON, or None (also for other bodies)."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    is_json = media_type == "application/json" or media_type.endswith("+json")
    if not is_json and not (media_type == "" and body.lstrip()[:1] in (b"{", b"[")):
        return None
    if not body.strip():
        return None  # no body: the route says what it misses
    try:
        json_text.loads(body)
    except json.JSONDecodeError as error:
        return f"malformed JSON: {error.msg} at position {error.pos}"
    except UnicodeDecodeError:
        return "request body is not UTF-8 JSON"
    except json_text.JsonTextError as error:
        return f"malformed JSON: {error}"
    except RecursionError:
        return "JSON is nested too deeply"
    return None

"""Reading HTTP request bodies within limits (size, JSON syntax, nesting), for every service.

Errors are `BodyError`s carrying the HTTP status to answer with; each service maps them onto
its own error shape.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from standards import json_text

MAX_JSON_BYTES = 1024 * 1024


class BodyError(Exception):
    """A request body that cannot be accepted, with the HTTP status to answer."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_json_object(body: bytes) -> dict[str, Any]:
    """`body` as a JSON object; BodyError(400) saying why when it is not one."""
    try:
        value = json_text.loads(body)
    except json.JSONDecodeError as error:
        raise BodyError(f"malformed JSON: {error.msg} at position {error.pos}") from None
    except UnicodeDecodeError:
        raise BodyError("request body is not UTF-8 JSON") from None
    except json_text.JsonTextError as error:
        raise BodyError(f"malformed JSON: {error}") from None
    except RecursionError:
        raise BodyError("JSON is nested too deeply") from None
    if not isinstance(value, dict):
        raise BodyError("request body must be a JSON object")
    return value


def declared_length(content_length: str | None) -> int | None:
    """The body size a request declares (its Content-Length header), or None when it
    declares none or no number (a chunked upload: only what arrives can be judged)."""
    digits = (content_length or "").strip()
    return int(digits) if digits.isascii() and digits.isdigit() else None


async def read_json_object(request: Request, max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The body as a JSON object; 413 when too large, 400 with the reason when malformed."""
    return parse_json_object(await read_body(request, max_bytes))


async def read_body(request: Request, max_bytes: int, too_large: str | None = None) -> bytes:
    """The whole body, refused with 413 (message `too_large`) as soon as it passes
    `max_bytes`."""
    message = too_large or f"request body is larger than {max_bytes} bytes"
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise BodyError(message, 413)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise BodyError(message, 413)
    return bytes(body)


async def uploaded_file(request: Request, body: bytes, what: str = "the file",
                        field: str = "file") -> tuple[str, bytes]:
    """(file name, content) of the file field `field` of a multipart body already read into
    memory (and so already size-checked)."""
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, stream(), max_files=1, max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise BodyError(f"malformed multipart body: {error.message}") from None
    try:
        upload = form.get(field)
        if not isinstance(upload, UploadFile):
            raise BodyError(f"the multipart body needs {what} in a file field named '{field}'")
        return upload.filename or "", await upload.read()
    finally:
        await form.close()

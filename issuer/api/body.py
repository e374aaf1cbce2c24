"""Reading request bodies within limits: size, JSON syntax, nesting."""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from issuer.services.context import IssuerError

MAX_JSON_BYTES = 1024 * 1024


async def read_json_object(request: Request, max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The body as a JSON object; 413 when too large, 400 with the reason when malformed."""
    body = await read_body(request, max_bytes)
    try:
        value = json.loads(body)
    except json.JSONDecodeError as error:
        raise IssuerError(f"malformed JSON: {error.msg} at position {error.pos}", 400) from None
    except UnicodeDecodeError:
        raise IssuerError("request body is not UTF-8 JSON", 400) from None
    except RecursionError:
        raise IssuerError("JSON is nested too deeply", 400) from None
    if not isinstance(value, dict):
        raise IssuerError("request body must be a JSON object", 400)
    return value


async def read_body(request: Request, max_bytes: int, too_large: IssuerError | None = None
                    ) -> bytes:
    """The whole body, refused (413, or `too_large`) as soon as it passes `max_bytes`."""
    refusal = too_large or IssuerError(f"request body is larger than {max_bytes} bytes", 413)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise refusal
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise refusal
    return bytes(body)


async def uploaded_file(request: Request, body: bytes, what: str = "the file"
                        ) -> tuple[str, bytes]:
    """(file name, content) of the field `file` of a multipart body already read into memory
    (and so already size-checked)."""
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(request.headers, stream(), max_files=1, max_fields=10)
    try:
        form = await parser.parse()
    except MultiPartException as error:
        raise IssuerError(f"malformed multipart body: {error.message}", 400) from None
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise IssuerError(f"the multipart body needs {what} in a file field named 'file'",
                              400)
        return upload.filename or "", await upload.read()
    finally:
        await form.close()

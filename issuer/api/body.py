"""Reading request bodies within limits: size, JSON syntax, nesting."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from issuer.services.context import IssuerError

MAX_JSON_BYTES = 1024 * 1024


async def read_json_object(request: Request, max_bytes: int = MAX_JSON_BYTES) -> dict[str, Any]:
    """The body as a JSON object; 413 when too large, 400 with the reason when malformed."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise IssuerError(f"request body is larger than {max_bytes} bytes", 413)
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > max_bytes:
            raise IssuerError(f"request body is larger than {max_bytes} bytes", 413)
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

"""OpenAPI descriptions of the bodies that are files, not JSON: the routes stream them with
servicekit.http_body under their own size limits, so no model reads them; these documents
say what to send."""

from __future__ import annotations

from typing import Any


def csv_upload(description: str) -> dict[str, Any]:
    """A CSV file: the file itself as the body, or multipart/form-data with it in `file`."""
    return {
        "required": True,
        "description": description,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }},
        },
    }

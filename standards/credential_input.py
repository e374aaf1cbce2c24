"""Reading a credential or presentation as people hand it over: JSON, a compact JWT, or a
badge image (PNG/SVG) with the credential baked in."""

from __future__ import annotations

import json
from typing import Any

from standards import baking, jose, json_text
from standards.errors import StandardsError


class CredentialInputError(StandardsError):
    """The bytes hold neither JSON, a JWT nor a baked badge."""


def parse_credential_input(data: bytes, source: str = "the input") -> dict[str, Any] | str:
    """A JSON object, or a compact JWT string, from `data`."""
    stripped = data.lstrip()
    if data.startswith(b"\x89PNG") or stripped.startswith(b"<"):
        try:
            baked = baking.unbake(data)
        except StandardsError as exc:
            raise CredentialInputError(f"{source}: {exc}") from exc
        stripped = (baked if isinstance(baked, str) else json.dumps(baked)).encode("utf-8")
    try:
        text = stripped.decode("utf-8").strip()
    except UnicodeDecodeError as exc:
        raise CredentialInputError(f"{source} is neither JSON, a JWT nor a baked PNG/SVG") \
            from exc
    if jose.looks_like_jwt(text):
        return text
    try:
        value = json_text.loads(text)
    except RecursionError as exc:
        raise CredentialInputError(f"{source} is nested too deeply") from exc
    except ValueError as exc:
        raise CredentialInputError(f"{source} is not valid JSON: {exc}") from exc
    if isinstance(value, str) and jose.looks_like_jwt(value):
        return value
    if not isinstance(value, dict):
        raise CredentialInputError(f"{source} must hold a JSON object, a JWT or a baked badge")
    return value


def is_presentation(document: Any) -> bool:
    """A presentation as JSON, or JWT-secured (a compact JWT or an enveloped one)."""
    from standards.jwt_presentations import presentation_token  # it imports verification

    if presentation_token(document) is not None:
        return True
    if not isinstance(document, dict):
        return False
    types = document.get("type")
    return "VerifiablePresentation" in (types if isinstance(types, list) else [types])

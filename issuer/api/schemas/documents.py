"""Documents the issuer publishes whose shape a standard defines, not this service: DID
documents, Open Badges 3.0 profiles and achievements, status list credentials, OpenID4VCI
and OAuth metadata. OpenAPI names them; their standards describe their members."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel


class DidDocument(RootModel[dict[str, Any]]):
    """A DID document (W3C DID Core 1.0) of a did:web issuer profile."""


class ProfileDocument(RootModel[dict[str, Any]]):
    """An issuer profile: an Open Badges 3.0 Profile (JSON-LD)."""


class AchievementDocument(RootModel[dict[str, Any]]):
    """An Open Badges 3.0 Achievement (JSON-LD), with the endorsements it has received."""


class CompetenceDocument(RootModel[dict[str, Any]]):
    """The public description of a competence: code, name, description and its framework."""


class IssuerMetadata(RootModel[dict[str, Any]]):
    """Credential Issuer Metadata (OpenID4VCI 1.0 §12.2)."""


class AuthorizationServerMetadata(RootModel[dict[str, Any]]):
    """OAuth 2.0 Authorization Server Metadata (RFC 8414)."""


def document_content(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    """`responses` for a route that answers a JSON document under its own media type."""
    return {200: {"description": description,
                  "content": {media_type: {"schema": {"type": "object"}}}}}


FILE_SCHEMAS: dict[str, dict[str, Any]] = {
    "binary": {"type": "string", "format": "binary"},
    "string": {"type": "string"},
    # A JSON document (a media type ending in +json): clients parse it, so OpenAPI describes
    # the parsed value, not its text.
    "object": {"type": "object"},
}


def file_content(media_types: dict[str, str], description: str) -> dict[int | str, Any]:
    """`responses` for a route that answers a file: media type → "binary", "string" or
    "object" (`FILE_SCHEMAS`)."""
    return {200: {"description": description, "content": {
        media_type: {"schema": dict(FILE_SCHEMAS[kind])}
        for media_type, kind in media_types.items()}}}

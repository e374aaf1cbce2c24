"""Vocabulary and small helpers shared by the Open Badges 3.0 / CLR 2.0 builders.

The builders produce plain JSON dicts (unsigned). Value objects below are frozen dataclasses
with a `to_json()` method; builders accept either those or ready-made dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from standards.errors import StandardsError

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"

OB_CREDENTIAL_CONTEXTS = (VC_V2_CONTEXT, OB_CONTEXT)
# CLR 2.0 puts its own context second, then the OB context for the embedded OB classes.
CLR_CREDENTIAL_CONTEXTS = (VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT)

JSON = dict[str, Any]


class CredentialInputError(StandardsError, ValueError):
    """A builder was given an argument that cannot make a valid credential."""


class JsonValue(Protocol):
    def to_json(self) -> JSON: ...


def as_json(value: JsonValue | Mapping[str, Any]) -> JSON:
    """A value object's JSON form, or a shallow copy of a dict given directly."""
    if isinstance(value, Mapping):
        return dict(value)
    return value.to_json()


def as_json_list(values: Sequence[JsonValue | Mapping[str, Any]]) -> list[JSON]:
    return [as_json(value) for value in values]


def format_datetime(value: datetime | str, *, field: str) -> str:
    """An XML Schema dateTimeStamp in UTC (`2024-08-30T00:00:00Z`), as VCDM 2.0 asks.

    Strings pass through unchanged (the schema checks them as RFC 3339 date-times).
    A naive datetime is refused: a credential date without a time zone is ambiguous.
    """
    if isinstance(value, str):
        return value
    if value.tzinfo is None or value.utcoffset() is None:
        raise CredentialInputError(f"{field} must be a timezone-aware datetime, got {value!r}")
    timespec = "seconds" if value.microsecond == 0 else "milliseconds"
    return value.astimezone(UTC).isoformat(timespec=timespec).replace("+00:00", "Z")


def drop_empty(document: JSON) -> JSON:
    """Leave out optional properties that were not given (None, empty lists/strings)."""
    return {key: value for key, value in document.items() if value not in (None, [], "", {})}


def credential_envelope(
    *,
    contexts: Sequence[str],
    id: str,
    types: Sequence[str],
    name: str,
    issuer: str | Mapping[str, Any],
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    description: str | None = None,
    image: JsonValue | Mapping[str, Any] | None = None,
    credential_status: Mapping[str, Any] | None = None,
) -> JSON:
    """The VCDM 2.0 properties every OB 3.0 / CLR 2.0 credential has, in the spec's order."""
    return drop_empty(
        {
            "@context": list(contexts),
            "id": id,
            "type": list(types),
            "name": name,
            "description": description,
            "image": as_json(image) if image is not None else None,
            "issuer": issuer if isinstance(issuer, str) else dict(issuer),
            "validFrom": format_datetime(valid_from, field="valid_from"),
            "validUntil": (
                format_datetime(valid_until, field="valid_until") if valid_until else None
            ),
            "credentialStatus": dict(credential_status) if credential_status else None,
        }
    )

"""Date-times as credentials carry them (XML Schema dateTime / RFC 3339)."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_datetime(value: object) -> datetime:
    """Parse a date-time; one without a time zone is read as UTC. ValueError names the value."""
    if not isinstance(value, str):
        raise ValueError(f"not a date-time: {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ValueError(f"not a valid date-time: {value!r}") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def now_iso() -> str:
    """The current time in UTC to the second, as proofs and credentials write it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

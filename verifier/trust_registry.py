"""A registry of known issuers, loaded from a JSON file or URL.

    {"name": "Register van onderwijsinstellingen (voorbeeld)",
     "issuers": [{"id": "did:web:...", "name": "OBS De Linde", "country": "NL",
                  "sector": "primary education",
                  "registryIdentifiers": [{"type": "BRIN", "value": "12AB"}],
                  "validFrom": "2024-01-01T00:00:00Z", "validUntil": null}]}

A lookup says whether an issuer is known, to which registry, and whether the entry is valid at
the time asked. An issuer that is not listed is *unknown*: shown as such, never an error.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from standards.dates import parse_datetime
from standards.fetcher import Fetcher

MAX_REGISTRY_BYTES = 5 * 1024 * 1024


class TrustRegistryError(ValueError):
    """The registry file or URL cannot be read or is malformed."""


@dataclass(frozen=True)
class RegistryEntry:
    id: str
    name: str
    country: str | None = None
    sector: str | None = None
    registry_identifiers: tuple[tuple[str, str], ...] = ()
    valid_from: datetime | None = None
    valid_until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id, "name": self.name, "country": self.country, "sector": self.sector,
            "registryIdentifiers": [{"type": t, "value": v}
                                    for t, v in self.registry_identifiers],
            "validFrom": self.valid_from.isoformat() if self.valid_from else None,
            "validUntil": self.valid_until.isoformat() if self.valid_until else None,
        }


@dataclass
class TrustRegistry:
    name: str = "no trust registry configured"
    source: str | None = None
    entries: dict[str, RegistryEntry] = field(default_factory=dict)

    @property
    def public_source(self) -> str | None:
        """Where the registry came from, when that is a URL; a file path on the server is
        nobody else's business."""
        return self.source if self.source and self.source.startswith(("https://", "http://")) \
            else None

    def lookup(self, issuer_id: str | None, at: datetime) -> dict[str, Any]:
        """{"status": "trusted" | "unknown" | "outside-valid-period", "registry", "message",
        "entry"} for the issuer, at time `at`."""
        base: dict[str, Any] = {"issuer": issuer_id, "registry": self.name,
                                "registryConfigured": self.source is not None,
                                "registrySource": self.public_source}
        entry = self.entries.get(issuer_id or "")
        if entry is None:
            who = f"the issuer {issuer_id}" if issuer_id else "a credential that names no issuer"
            return {**base, "status": "unknown", "entry": None,
                    "message": f"{who} is not in the trust registry ({self.name})"}
        outside = ((entry.valid_from and at < entry.valid_from)
                   or (entry.valid_until and at > entry.valid_until))
        if outside:
            return {**base, "status": "outside-valid-period", "entry": entry.to_json(),
                    "message": f"{entry.name} is in {self.name}, but its entry is not valid "
                               f"at {at.isoformat()}"}
        return {**base, "status": "trusted", "entry": entry.to_json(),
                "message": f"{entry.name} is a known issuer in {self.name}"}


def load_trust_registry(source: str | None, fetcher: Fetcher) -> TrustRegistry:
    """The registry at `source` (a file path, or an http(s) URL fetched under the fetcher's
    policy); an empty registry when `source` is None."""
    if not source:
        return TrustRegistry()
    if source.startswith(("https://", "http://")):
        try:
            document = fetcher.fetch_json(source)
        except Exception as error:  # the fetcher's FetchError or a JSON error
            raise TrustRegistryError(f"cannot load the trust registry {source}: {error}") \
                from None
    else:
        path = Path(source)
        try:
            if path.stat().st_size > MAX_REGISTRY_BYTES:
                raise TrustRegistryError(f"{source} is larger than {MAX_REGISTRY_BYTES} bytes")
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise TrustRegistryError(f"cannot read the trust registry {source}: {error}") \
                from None
    return parse_trust_registry(document, source)


def parse_trust_registry(document: Any, source: str | None = None) -> TrustRegistry:
    if not isinstance(document, dict) or not isinstance(document.get("issuers"), list):
        raise TrustRegistryError('a trust registry is a JSON object with an "issuers" list')
    name = document.get("name")
    registry = TrustRegistry(name=name if isinstance(name, str) else (source or "registry"),
                             source=source)
    for index, item in enumerate(document["issuers"]):
        entry = _entry(item, f"issuers[{index}]")
        registry.entries[entry.id] = entry
    return registry


def _entry(item: Any, where: str) -> RegistryEntry:
    if not isinstance(item, dict):
        raise TrustRegistryError(f"{where} is not a JSON object")
    issuer_id, name = item.get("id"), item.get("name")
    if not isinstance(issuer_id, str) or not issuer_id:
        raise TrustRegistryError(f'{where} needs an "id" (the issuer\'s DID or URL)')
    if not isinstance(name, str) or not name:
        raise TrustRegistryError(f'{where} needs a "name"')
    identifiers = []
    for identifier in item.get("registryIdentifiers") or []:
        if not (isinstance(identifier, dict) and isinstance(identifier.get("type"), str)
                and isinstance(identifier.get("value"), str)):
            raise TrustRegistryError(f'{where}: a registry identifier is {{"type", "value"}}')
        identifiers.append((identifier["type"], identifier["value"]))
    return RegistryEntry(
        id=issuer_id, name=name, country=_text(item, "country", where),
        sector=_text(item, "sector", where), registry_identifiers=tuple(identifiers),
        valid_from=_date(item, "validFrom", where), valid_until=_date(item, "validUntil", where))


def _text(item: dict[str, Any], name: str, where: str) -> str | None:
    value = item.get(name)
    if value is not None and not isinstance(value, str):
        raise TrustRegistryError(f"{where}.{name} must be text")
    return value


def _date(item: dict[str, Any], name: str, where: str) -> datetime | None:
    value = item.get(name)
    if value is None:
        return None
    try:
        return parse_datetime(value)
    except (TypeError, ValueError) as error:
        raise TrustRegistryError(f"{where}.{name}: {error}") from None

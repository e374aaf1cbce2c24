"""OB 3.0 Profile: the issuer (or creator, or endorser) of a credential.

`otherIdentifier` holds IdentifierEntry objects. Their `identifierType` is one of the OB
IdentifierTypeEnum values (`name`, `sourcedId`, `systemId`, `identifier`, ...) or an
extension value matching `ext:...`. Dutch registry numbers have no enum value; the
nl-edubadges examples (SURF/educredentials) use `ext:BRIN` for the BRIN code, and we follow
that convention with `ext:KvK` for a Chamber of Commerce number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from standards.ob3.common import JSON, as_json, as_json_list, drop_empty

BRIN_IDENTIFIER_TYPE = "ext:BRIN"
KVK_IDENTIFIER_TYPE = "ext:KvK"


@dataclass(frozen=True)
class Image:
    """An OB Image: `id` is the image URL or a data: URI; the schema allows no other fields."""

    id: str
    caption: str | None = None

    def to_json(self) -> JSON:
        return drop_empty({"id": self.id, "type": "Image", "caption": self.caption})


@dataclass(frozen=True)
class IdentifierEntry:
    identifier: str
    identifier_type: str

    def to_json(self) -> JSON:
        return {
            "type": "IdentifierEntry",
            "identifier": self.identifier,
            "identifierType": self.identifier_type,
        }


def brin_identifier(code: str) -> IdentifierEntry:
    """The BRIN code of a Dutch educational institution (e.g. `42NB`)."""
    return IdentifierEntry(code, BRIN_IDENTIFIER_TYPE)


def kvk_identifier(number: str) -> IdentifierEntry:
    """A Dutch Chamber of Commerce (KvK) registration number."""
    return IdentifierEntry(number, KVK_IDENTIFIER_TYPE)


@dataclass(frozen=True)
class Address:
    street_address: str | None = None
    postal_code: str | None = None
    address_locality: str | None = None
    address_region: str | None = None
    address_country: str | None = None
    address_country_code: str | None = None

    def to_json(self) -> JSON:
        return drop_empty(
            {
                "type": ["Address"],
                "streetAddress": self.street_address,
                "postalCode": self.postal_code,
                "addressLocality": self.address_locality,
                "addressRegion": self.address_region,
                "addressCountry": self.address_country,
                "addressCountryCode": self.address_country_code,
            }
        )


def build_profile(
    *,
    id: str,
    name: str,
    url: str | None = None,
    email: str | None = None,
    image: Image | Mapping[str, Any] | None = None,
    description: str | None = None,
    other_identifiers: Sequence[IdentifierEntry | Mapping[str, Any]] = (),
    phone: str | None = None,
    address: Address | Mapping[str, Any] | None = None,
) -> JSON:
    """A Profile dict (`type: ["Profile"]`). `id` is the issuer's DID or HTTPS URL."""
    return drop_empty(
        {
            "id": id,
            "type": ["Profile"],
            "name": name,
            "url": url,
            "email": email,
            "phone": phone,
            "description": description,
            "image": as_json(image) if image is not None else None,
            "otherIdentifier": as_json_list(other_identifiers),
            "address": as_json(address) if address is not None else None,
        }
    )

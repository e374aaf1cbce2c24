"""OB 3.0 Evidence, with an integrity digest of the evidence file.

OB 3.0's Evidence class (and its JSON-LD context) has no digest property. VCDM 2.0 defines
two for exactly this, "Integrity of Related Resources" (section 5.3): `digestSRI` (a
Subresource Integrity hash expression, e.g. `sha384-<base64>`) and `digestMultibase`, both
top-level protected terms of the VC 2.0 context (https://www.w3.org/ns/credentials/v2), which
every OB 3.0 credential loads first, along with `mediaType`. So they expand to defined IRIs
(`https://www.w3.org/2018/credentials#digestSRI`, `https://schema.org/encodingFormat`) and
pass JSON-LD undefined-term checks, and the OB Evidence schema allows additional properties.
We use `digestSRI`: plain base64 of a SHA-2 digest, checkable by anyone with the file and no
multihash tooling. SHA-384 is the default, as in the SRI and VCDM 2.0 examples.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass

from standards.ob3.common import JSON, CredentialInputError, drop_empty

SRI_ALGORITHMS = ("sha256", "sha384", "sha512")


def digest_sri(content: bytes, algorithm: str = "sha384") -> str:
    """The Subresource Integrity hash expression of `content`, e.g. `sha384-oqVu...`."""
    if algorithm not in SRI_ALGORITHMS:
        raise CredentialInputError(f"SRI algorithm {algorithm!r} is not one of {SRI_ALGORITHMS}")
    digest = hashlib.new(algorithm, content).digest()
    return f"{algorithm}-{base64.b64encode(digest).decode('ascii')}"


def matches_digest_sri(content: bytes, expression: str) -> bool:
    """Whether `content` matches an SRI expression. As in SRI, several space-separated
    hashes may be given and only those of the strongest known algorithm count."""
    parsed = [part.split("?")[0].partition("-") for part in expression.split()]
    known = [(algorithm, value) for algorithm, _, value in parsed if algorithm in SRI_ALGORITHMS]
    if not known:
        return False
    strongest = max((algorithm for algorithm, _ in known), key=SRI_ALGORITHMS.index)
    expected = digest_sri(content, strongest).partition("-")[2].encode()
    return any(
        hmac.compare_digest(expected, value.encode())
        for algorithm, value in known
        if algorithm == strongest
    )


@dataclass(frozen=True)
class Evidence:
    """Evidence of the achievement: a URL (`id`) and/or a narrative, with optional digest."""

    id: str | None = None
    name: str | None = None
    narrative: str | None = None
    description: str | None = None
    genre: str | None = None
    audience: str | None = None
    digest_sri: str | None = None
    media_type: str | None = None

    @classmethod
    def for_file(
        cls, *, id: str, content: bytes, media_type: str | None = None, **fields: str
    ) -> Evidence:
        """Evidence for a file published at `id`, with the SRI digest of its bytes."""
        return cls(id=id, digest_sri=digest_sri(content), media_type=media_type, **fields)

    def to_json(self) -> JSON:
        if self.id is None and self.narrative is None:
            raise CredentialInputError("evidence needs an id (URL) or a narrative")
        return drop_empty(
            {
                "id": self.id,
                "type": ["Evidence"],
                "name": self.name,
                "narrative": self.narrative,
                "description": self.description,
                "genre": self.genre,
                "audience": self.audience,
                "digestSRI": self.digest_sri,
                "mediaType": self.media_type,
            }
        )

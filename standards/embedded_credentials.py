"""Where credentials carry other credentials: OB 3.0 endorsements and CLR 2.0 transcripts.

Endorsements (EndorsementCredentials, embedded as objects or as compact JWTs) can sit on the
credential itself, on its issuer profile, on the achievement and on the achievement's creator
(OB 3.0 sections 8.1, 8.5, 8.7). A ClrCredential bundles AchievementCredentials in
`credentialSubject.verifiableCredential` (CLR 2.0 section 8.5). Each found item comes with a
JSON path, so a result can say exactly which one failed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

Found = tuple[str, dict[str, Any] | str]


@dataclass(frozen=True)
class EmbeddedEndorsement:
    """An endorsement found in a credential: its JSON path, the endorsement (a credential or
    a JWT), and what carries it: `carrier` is "credential", "issuer", "achievement" or
    "creator" (the achievement's creator), `carrier_node` that object itself."""

    path: str
    credential: dict[str, Any] | str
    carrier: str
    carrier_node: dict[str, Any]


def embedded_endorsements(document: dict[str, Any]) -> list[EmbeddedEndorsement]:
    """Every endorsement embedded in `document`, with what carries it."""
    found: list[EmbeddedEndorsement] = []
    _collect(document, "$", "credential", found)
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        _collect(issuer, "$.issuer", "issuer", found)
    for s_path, subject in _subjects(document):
        achievement = subject.get("achievement")
        if isinstance(achievement, dict):
            _collect(achievement, f"{s_path}.achievement", "achievement", found)
            creator = achievement.get("creator")
            if isinstance(creator, dict):
                _collect(creator, f"{s_path}.achievement.creator", "creator", found)
    return found


def endorsements_in(document: dict[str, Any]) -> list[Found]:
    """Every endorsement embedded in `document`, as (path, credential or JWT)."""
    return [(e.path, e.credential) for e in embedded_endorsements(document)]


def clr_credentials_in(document: dict[str, Any]) -> list[Found]:
    """The credentials a ClrCredential bundles, as (path, credential or JWT)."""
    types = document.get("type")
    if "ClrCredential" not in (types if isinstance(types, list) else [types]):
        return []
    found: list[Found] = []
    for s_path, subject in _subjects(document):
        inner = subject.get("verifiableCredential")
        for index, item in enumerate(inner if isinstance(inner, list) else [inner]):
            if isinstance(item, dict | str):
                found.append((f"{s_path}.verifiableCredential[{index}]", item))
    return found


def _subjects(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    subject = document.get("credentialSubject")
    if isinstance(subject, dict):
        return [("$.credentialSubject", subject)]
    if isinstance(subject, list):
        return [(f"$.credentialSubject[{i}]", s) for i, s in enumerate(subject)
                if isinstance(s, dict)]
    return []


def _collect(carrier_node: dict[str, Any], path: str, carrier: str,
             found: list[EmbeddedEndorsement]) -> None:
    for name in ("endorsement", "endorsementJwt"):
        value = carrier_node.get(name)
        items = value if isinstance(value, list) else [] if value is None else [value]
        for index, item in enumerate(items):
            if isinstance(item, dict | str):
                found.append(EmbeddedEndorsement(f"{path}.{name}[{index}]", item, carrier,
                                                 carrier_node))

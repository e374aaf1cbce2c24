"""Where credentials carry other credentials: OB 3.0 endorsements and CLR 2.0 transcripts.

Endorsements (EndorsementCredentials, embedded as objects or as compact JWTs) can sit on the
credential itself, on its issuer profile, on the achievement and on the achievement's creator
(OB 3.0 sections 8.1, 8.5, 8.7). A ClrCredential bundles AchievementCredentials in
`credentialSubject.verifiableCredential` (CLR 2.0 section 8.5). Each found item comes with a
JSON path, so a result can say exactly which one failed.
"""

from __future__ import annotations

from typing import Any

Found = tuple[str, dict[str, Any] | str]


def endorsements_in(document: dict[str, Any]) -> list[Found]:
    """Every endorsement embedded in `document`, as (path, credential or JWT)."""
    found: list[Found] = []
    _collect(document, "$", found)
    issuer = document.get("issuer")
    if isinstance(issuer, dict):
        _collect(issuer, "$.issuer", found)
    for s_path, subject in _subjects(document):
        achievement = subject.get("achievement")
        if isinstance(achievement, dict):
            _collect(achievement, f"{s_path}.achievement", found)
            creator = achievement.get("creator")
            if isinstance(creator, dict):
                _collect(creator, f"{s_path}.achievement.creator", found)
    return found


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


def _collect(holder: dict[str, Any], path: str, found: list[Found]) -> None:
    for name in ("endorsement", "endorsementJwt"):
        value = holder.get(name)
        items = value if isinstance(value, list) else [] if value is None else [value]
        for index, item in enumerate(items):
            if isinstance(item, dict | str):
                found.append((f"{path}.{name}[{index}]", item))

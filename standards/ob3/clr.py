"""The CLR 2.0 ClrCredential: a transcript bundling signed OB 3.0 AchievementCredentials of
one learner, unsigned.

Contexts are VC 2.0, CLR 2.0.1, then OB 3.0.3 (the OB classes inside need it), as in the
1EdTech implementation guide's CLR vector. The embedded credentials are copied unchanged,
since their own proofs cover them. See `validate_clr_credential` for how a CLR is checked
(1EdTech publishes no current CLR 2.0 JSON Schema).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from standards.ob3.common import (
    CLR_CREDENTIAL_CONTEXTS,
    JSON,
    CredentialInputError,
    JsonValue,
    as_json_list,
    credential_envelope,
)
from standards.ob3.schema import SchemaViolationError
from standards.ob3.validate import validate_clr_credential

CLR_CREDENTIAL_TYPES = ("VerifiableCredential", "ClrCredential")
ASSOCIATION_TYPES = (
    "exactMatchOf",
    "isChildOf",
    "isParentOf",
    "isPartOf",
    "isPeerOf",
    "isRelatedTo",
    "precedes",
    "replacedBy",
)


@dataclass(frozen=True)
class Association:
    """A relation between two achievements in the CLR, e.g. a course `isChildOf` a programme."""

    association_type: str
    source_id: str
    target_id: str

    def to_json(self) -> JSON:
        return {
            "type": "Association",
            "associationType": self.association_type,
            "sourceId": self.source_id,
            "targetId": self.target_id,
        }


def build_clr_credential(
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    subject_id: str,
    name: str,
    credentials: Sequence[Mapping[str, Any]],
    valid_from: datetime | str,
    associations: Sequence[Association | Mapping[str, Any]] = (),
    achievements: Sequence[Mapping[str, Any]] | None = None,
    partial: bool = False,
    valid_until: datetime | str | None = None,
    description: str | None = None,
    image: JsonValue | Mapping[str, Any] | None = None,
    credential_status: Mapping[str, Any] | None = None,
) -> JSON:
    """An unsigned ClrCredential for the learner `subject_id` (their DID).

    `credentials` are signed AchievementCredentials, embedded as they are. `achievements`
    defaults to the distinct achievements of those credentials (by id). `partial=True` says
    the CLR holds only part of the learner's record. Raises SchemaViolationError naming the
    path of anything wrong, embedded credentials included.
    """
    if not credentials:
        raise CredentialInputError("a ClrCredential needs at least one AchievementCredential")
    if achievements is None:
        achievements = _distinct_achievements(credentials)
    credential = credential_envelope(
        contexts=CLR_CREDENTIAL_CONTEXTS,
        id=id,
        types=CLR_CREDENTIAL_TYPES,
        name=name,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        description=description,
        image=image,
        credential_status=credential_status,
    )
    credential["partial"] = partial
    subject: JSON = {
        "id": subject_id,
        "type": ["ClrSubject"],
        "verifiableCredential": [dict(embedded) for embedded in credentials],
    }
    if achievements:
        subject["achievement"] = [dict(achievement) for achievement in achievements]
    if associations:
        subject["association"] = as_json_list(associations)
    credential["credentialSubject"] = subject
    # received=True: the embedded credentials come from issuers and may use JSON-LD compacted
    # forms (a single proof object); our own envelope is built in array form regardless.
    errors = validate_clr_credential(credential, received=True)
    if errors:
        raise SchemaViolationError(f"CLR {id!r}", errors)
    return credential


def _distinct_achievements(credentials: Sequence[Mapping[str, Any]]) -> list[JSON]:
    by_id: dict[str, JSON] = {}
    for embedded in credentials:
        subject = embedded.get("credentialSubject")
        achievement = subject.get("achievement") if isinstance(subject, Mapping) else None
        if isinstance(achievement, Mapping) and isinstance(achievement.get("id"), str):
            by_id.setdefault(achievement["id"], dict(achievement))
    return list(by_id.values())

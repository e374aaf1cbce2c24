"""The OB 3.0 EndorsementCredential: a third party vouching for a Profile, an Achievement or
an AchievementCredential (the `endorsed_id`), unsigned."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from standards.ob3.common import JSON, OB_CREDENTIAL_CONTEXTS, JsonValue, credential_envelope
from standards.ob3.schema import ENDORSEMENT_CREDENTIAL_SCHEMA, ensure_conforms

ENDORSEMENT_CREDENTIAL_TYPES = ("VerifiableCredential", "EndorsementCredential")


def build_endorsement_credential(
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    endorsed_id: str,
    endorsement_comment: str | None,
    name: str,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    description: str | None = None,
    image: JsonValue | Mapping[str, Any] | None = None,
    credential_status: Mapping[str, Any] | None = None,
) -> JSON:
    """An unsigned EndorsementCredential whose EndorsementSubject is `endorsed_id`, with the
    endorser's `endorsementComment` (Markdown). Checked against the OB 3.0 schema."""
    credential = credential_envelope(
        contexts=OB_CREDENTIAL_CONTEXTS,
        id=id,
        types=ENDORSEMENT_CREDENTIAL_TYPES,
        name=name,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        description=description,
        image=image,
        credential_status=credential_status,
    )
    subject: JSON = {"id": endorsed_id, "type": ["EndorsementSubject"]}
    if endorsement_comment:
        subject["endorsementComment"] = endorsement_comment
    credential["credentialSubject"] = subject
    ensure_conforms(credential, ENDORSEMENT_CREDENTIAL_SCHEMA, f"endorsement {id!r}")
    return credential

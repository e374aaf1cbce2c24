"""The OB 3.0 OpenBadgeCredential (alias AchievementCredential), unsigned.

`type` is `["VerifiableCredential", "OpenBadgeCredential"]` as in the spec's examples; the
schema accepts either name. Signing is done by `standards.data_integrity`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from standards.ob3.common import (
    JSON,
    OB_CREDENTIAL_CONTEXTS,
    JsonValue,
    as_json_list,
    credential_envelope,
    format_datetime,
)
from standards.ob3.evidence import Evidence
from standards.ob3.schema import ACHIEVEMENT_CREDENTIAL_SCHEMA, ensure_conforms

ACHIEVEMENT_CREDENTIAL_TYPES = ("VerifiableCredential", "OpenBadgeCredential")


def build_achievement_credential(
    *,
    id: str,
    issuer: str | Mapping[str, Any],
    subject: Mapping[str, Any],
    name: str,
    valid_from: datetime | str,
    valid_until: datetime | str | None = None,
    evidence: Sequence[Evidence | Mapping[str, Any]] = (),
    credential_status: Mapping[str, Any] | None = None,
    endorsements: Sequence[Mapping[str, Any]] = (),
    description: str | None = None,
    image: JsonValue | Mapping[str, Any] | None = None,
    awarded_date: datetime | str | None = None,
    extra_contexts: Sequence[str] = (),
) -> JSON:
    """An unsigned OpenBadgeCredential, checked against the OB 3.0 schema.

    `issuer` is a Profile dict (`build_profile`) or its id; `subject` an AchievementSubject
    (`build_achievement_subject`); `endorsements` complete EndorsementCredentials;
    `credential_status` e.g. a BitstringStatusListEntry. `extra_contexts` are appended after
    the OB context for extensions (their terms must be defined there).
    Raises SchemaViolationError naming the path of anything the schema refuses.
    """
    credential = credential_envelope(
        contexts=[*OB_CREDENTIAL_CONTEXTS, *extra_contexts],
        id=id,
        types=ACHIEVEMENT_CREDENTIAL_TYPES,
        name=name,
        issuer=issuer,
        valid_from=valid_from,
        valid_until=valid_until,
        description=description,
        image=image,
        credential_status=credential_status,
    )
    credential["credentialSubject"] = dict(subject)
    if awarded_date is not None:
        credential["awardedDate"] = format_datetime(awarded_date, field="awarded_date")
    if evidence:
        credential["evidence"] = as_json_list(evidence)
    if endorsements:
        credential["endorsement"] = [dict(endorsement) for endorsement in endorsements]
    ensure_conforms(credential, ACHIEVEMENT_CREDENTIAL_SCHEMA, f"credential {id!r}")
    return credential

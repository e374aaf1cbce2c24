"""Validating OB 3.0 / CLR 2.0 documents. Each function returns a list of human-readable
errors, each starting with the JSON path of the problem (`$.credentialSubject.achievement.name:
required property is missing`); an empty list means the document conforms.

`received=True` is for credentials that arrive from elsewhere (wallet import, verifier):
the document is first normalised (single `proof`/`credentialSchema`/`type` values become
arrays, see `standards.ob3.normalise`), and VCDM 1.1-era credentials (`issuanceDate`,
`https://www.w3.org/2018/credentials/v1`) are validated as their VCDM 2.0 view, with errors
reported under the 1.1 names. Without it, documents are checked exactly as written, which is
what an issuer must produce.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from standards.content_cache import ContentCache
from standards.ob3.normalise import (
    VCDM11_RENAMES,
    normalise_received_credential,
    received_view,
)
from standards.ob3.schema import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    CLR_CREDENTIAL_SCHEMA,
    ENDORSEMENT_CREDENTIAL_SCHEMA,
    PROFILE_SCHEMA,
    SchemaViolationError,
    compiled_schemas,
    json_path,
    schema_errors,
)

ACHIEVEMENT_CREDENTIAL_TYPES = frozenset({"AchievementCredential", "OpenBadgeCredential"})


def validate_achievement_credential(doc: Any, *, received: bool = False) -> list[str]:
    """Errors of an OpenBadgeCredential / AchievementCredential against the OB 3.0 schema."""
    return _validate(doc, ACHIEVEMENT_CREDENTIAL_SCHEMA, received)


def validate_endorsement_credential(doc: Any, *, received: bool = False) -> list[str]:
    """Errors of an EndorsementCredential against the OB 3.0 schema."""
    return _validate(doc, ENDORSEMENT_CREDENTIAL_SCHEMA, received)


def validate_profile(doc: Any, *, received: bool = False) -> list[str]:
    """Errors of a Profile (issuer, creator, endorser) against the OB 3.0 Profile schema."""
    return _validate(doc, PROFILE_SCHEMA, received)


def validate_clr_credential(doc: Any, *, received: bool = False) -> list[str]:
    """Errors of a CLR 2.0 ClrCredential, checked structurally by OpenDossier's own schema.

    1EdTech publishes no current JSON Schema for CLR 2.0 (only a draft-4, VCDM 1.1-era
    conversion), so `standards/schemas/clr_v2p0/opendossier_clr_v2p0_clrcredential.json`
    checks what the CLR 2.0 data model requires: the contexts (VC 2.0 first, CLR second),
    types VerifiableCredential + ClrCredential, id, name, issuer, validFrom, a ClrSubject with
    at least one `verifiableCredential`, Associations (type, associationType enum, sourceId,
    targetId), and every OB class through the OB 3.0 schema. Each embedded credential is
    validated as an OB 3.0 AchievementCredential. Proofs are not checked here.
    """
    return _validate(doc, CLR_CREDENTIAL_SCHEMA, received)


def validate_credential(doc: Any, *, received: bool = False) -> list[str]:
    """Errors of any supported credential, choosing the schema from its `type`."""
    if not isinstance(doc, Mapping):
        return [f"$: expected a JSON object, got {type(doc).__name__}"]
    types = doc.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list):
        return ["$.type: required property is missing or not an array of strings"]
    if "ClrCredential" in types:
        return validate_clr_credential(doc, received=received)
    if "EndorsementCredential" in types:
        return validate_endorsement_credential(doc, received=received)
    if ACHIEVEMENT_CREDENTIAL_TYPES.intersection(types):
        return validate_achievement_credential(doc, received=received)
    return [
        f"$.type: {types!r} names no supported credential type (OpenBadgeCredential, "
        "AchievementCredential, EndorsementCredential, ClrCredential)"
    ]


def ensure_valid_credential(doc: Any, *, received: bool = False) -> dict[str, Any]:
    """Raise SchemaViolationError (a SchemaValidationError) unless `doc` validates.

    Returns the document that was validated: the normalised copy when `received`.
    """
    errors = validate_credential(doc, received=received)
    if errors:
        raise SchemaViolationError(f"credential {_name_of(doc)}", errors)
    return normalise_received_credential(doc) if received else dict(doc)


def _validate(doc: Any, schema_uri: str, received: bool) -> list[str]:
    """The compiled fast path first (valid: no errors); the reference's errors otherwise,
    memoised by content: a verifier sees the same credential many times, and they are dear.
    A valid document is not memoised: checking it again is cheaper than the content key."""
    view, relabelled = _received_view(doc) if received else (doc, set())
    if compiled_schemas().accepts(view, schema_uri):
        return []
    return list(_RESULTS.get_or_compute(
        (schema_uri, received), doc,
        lambda: tuple(_with_vcdm11_names(error, relabelled)
                      for error in schema_errors(view, schema_uri))))


_RESULTS: ContentCache[tuple[str, ...]] = ContentCache(maxsize=2048)


def _received_view(doc: Any) -> tuple[Any, set[tuple[Any, ...]]]:
    if not isinstance(doc, Mapping):
        return doc, set()
    return received_view(doc)


def _with_vcdm11_names(error: str, relabelled: set[tuple[Any, ...]]) -> str:
    """Report `validFrom` as `issuanceDate` (etc.) inside credentials that were VCDM 1.1."""
    for credential_path in relabelled:
        prefix = json_path(credential_path)
        for old, new in VCDM11_RENAMES.items():
            renamed = f"{prefix}.{new}"
            if error.startswith(renamed + ":") or error.startswith(renamed + "."):
                return f"{prefix}.{old} (VCDM 1.1){error[len(renamed) :]}"
    return error


def _name_of(doc: Any) -> str:
    return repr(doc.get("id")) if isinstance(doc, Mapping) and "id" in doc else "(without id)"

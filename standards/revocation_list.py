"""Reading the 1EdTech Revocation List status method (Open Badges 3.0 / CLR 2.0, "vcrl v1p0").

A credential names its list as `credentialStatus: {"id": <list URL>, "type":
"1EdTechRevocationList"}`; the term comes from
https://purl.imsglobal.org/spec/ob/v3p0/extensions.json. The list document at that URL holds
`revokedCredentials`, each with the `id` of a revoked credential, an optional `revoked` flag
and an optional `revocationReason`. A credential is revoked when its id is listed and `revoked`
is true or omitted (the rule the 1EdTech validator applies).

Fetching the list is the caller's job; this module only reads it.
"""

from __future__ import annotations

from typing import Any

from standards.status_list import (
    MALFORMED_VALUE_ERROR,
    STATUS_VERIFICATION_ERROR,
    StatusCheck,
    StatusListError,
)

REVOCATION_LIST_TYPE = "1EdTechRevocationList"
MAX_REVOKED_ENTRIES = 1_000_000


class RevocationListError(StatusListError):
    """A 1EdTech Revocation List entry or document is malformed or does not match."""


def check_revocation_list(
    credential_id: str, entry: dict[str, Any], list_document: dict[str, Any]
) -> StatusCheck:
    """Whether `credential_id` is revoked according to `list_document`.

    `entry` is the credential's `credentialStatus` object. Returns a StatusCheck with purpose
    "revocation", index None, and the revocation reason as message when one is given.
    """
    if not isinstance(credential_id, str) or not credential_id:
        raise RevocationListError(
            "a 1EdTechRevocationList can only be checked for a credential with an id"
        )
    if not isinstance(entry, dict) or entry.get("type") != REVOCATION_LIST_TYPE:
        found = entry.get("type") if isinstance(entry, dict) else type(entry).__name__
        raise RevocationListError(
            f"credentialStatus type must be {REVOCATION_LIST_TYPE!r}, got {found!r}"
        )
    list_url = entry.get("id")
    if not isinstance(list_url, str) or not list_url:
        raise RevocationListError("the 1EdTechRevocationList credentialStatus needs an id (URL)")
    if not isinstance(list_document, dict):
        raise RevocationListError(f"the revocation list at {list_url} is not a JSON object")
    list_id = list_document.get("id")
    if list_id is not None and list_id != list_url:
        raise RevocationListError(
            f"the revocation list's id {list_id!r} is not the credentialStatus id {list_url!r}",
            STATUS_VERIFICATION_ERROR,
        )
    revoked = list_document.get("revokedCredentials", [])
    if isinstance(revoked, dict):
        revoked = [revoked]
    if not isinstance(revoked, list):
        raise RevocationListError(
            f"revokedCredentials in the list at {list_url} must be an array", MALFORMED_VALUE_ERROR
        )
    if len(revoked) > MAX_REVOKED_ENTRIES:
        raise RevocationListError(f"the revocation list at {list_url} is too long")

    for item in revoked:
        if not isinstance(item, dict):
            raise RevocationListError("each revokedCredentials entry must be an object")
        if item.get("id") != credential_id:
            continue
        flag = item.get("revoked", True)
        if not isinstance(flag, bool):
            raise RevocationListError(f"revoked must be true or false, got {flag!r}")
        if not flag:
            continue
        reason = item.get("revocationReason")
        message = f"revoked: {reason}" if isinstance(reason, str) and reason else "revoked"
        return StatusCheck(
            purpose="revocation", index=None, status_set=True, message=message, status=1
        )
    return StatusCheck(purpose="revocation", index=None, status_set=False, message="not revoked")

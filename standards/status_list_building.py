"""Building Bitstring Status List documents (the issuer's side of standards.status_list): the
published BitstringStatusListCredential and the BitstringStatusListEntry a credential carries.

An entry may be wider than one bit (`statusSize`, for purpose "message"): the list then holds
statusSize bits per entry, and keeps the spec's herd-privacy floor of 131,072 *entries*. The
entry's `statusMessage` says what each value means, and `statusReference` where to read more;
the list credential itself names neither (the status/v1 context defines them on the entry only).
"""

from __future__ import annotations

from typing import Any

from standards.status_list import (
    MIN_ENTRIES,
    STATUS_LIST_LENGTH_ERROR,
    VC_V2_CONTEXT,
    StatusList,
    StatusListError,
    check_status_reference,
    check_status_size,
    status_messages,
)

# "refresh" is not issued: it needs a refresh service this issuer does not run.
ISSUABLE_PURPOSES = frozenset({"revocation", "suspension", "message"})


def build_status_list_credential(
    *,
    id: str,
    issuer: str | dict[str, Any],
    status_purpose: str,
    status_list: StatusList,
    valid_from: str,
    valid_until: str | None = None,
    status_size: int = 1,
) -> dict[str, Any]:
    """An unsigned VCDM 2.0 BitstringStatusListCredential (spec §2.2, Example 3)."""
    if status_purpose not in ISSUABLE_PURPOSES:
        raise StatusListError(
            f"cannot issue a status list for purpose {status_purpose!r}; "
            f"expected one of {sorted(ISSUABLE_PURPOSES)}"
        )
    check_status_size(status_size)
    if status_list.length // status_size < MIN_ENTRIES:
        raise StatusListError(
            f"a published status list needs at least {MIN_ENTRIES} entries (16 KB of single "
            f"bits), got {status_list.length // status_size} of {status_size} bit(s)",
            STATUS_LIST_LENGTH_ERROR,
        )
    if not isinstance(id, str) or not id:
        raise StatusListError("the status list credential needs an id (its URL)")
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
    }
    if valid_until is not None:
        credential["validUntil"] = valid_until
    credential["credentialSubject"] = {
        "id": f"{id}#list",
        "type": "BitstringStatusList",
        "statusPurpose": status_purpose,
        "encodedList": status_list.encode(),
    }
    return credential


def build_status_entry(
    *,
    list_credential_url: str,
    index: int,
    purpose: str,
    status_size: int = 1,
    status_message: list[dict[str, Any]] | None = None,
    status_reference: str | list[str] | None = None,
) -> dict[str, Any]:
    """A BitstringStatusListEntry for a credential's `credentialStatus` (spec §2.1).

    `statusSize` is written when it is not the default 1; `status_message` is required when
    it is greater than 1 (2^statusSize objects, see standards.status_list.status_messages)."""
    if purpose not in ISSUABLE_PURPOSES:
        raise StatusListError(
            f"unsupported status purpose {purpose!r}; expected one of {sorted(ISSUABLE_PURPOSES)}"
        )
    if isinstance(index, bool) or not isinstance(index, int) or index < 0:
        raise StatusListError(f"statusListIndex must be a non-negative integer, got {index!r}")
    if not isinstance(list_credential_url, str) or not list_credential_url:
        raise StatusListError("statusListCredential must be a URL")
    check_status_size(status_size)
    status_messages(status_message, status_size)
    if status_reference is not None:
        check_status_reference(status_reference)
    entry: dict[str, Any] = {
        "id": f"{list_credential_url}#{index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_credential_url,
    }
    if status_size != 1:
        entry["statusSize"] = status_size
    if status_message is not None:
        entry["statusMessage"] = status_message
    if status_reference is not None:
        entry["statusReference"] = status_reference
    return entry

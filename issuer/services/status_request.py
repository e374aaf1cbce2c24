"""What status entry a VC-API caller asks for: `options.credentialStatus` (VC-API
IssueCredentialOptions) or the older `options.statusPurpose`.

`{"type": "BitstringStatusListEntry", "statusPurpose"?: ..., "statusSize"?: ...,
"statusMessage"?: [...], "statusReference"?: ...}`: revocation when no purpose is named.
A statusSize above 1 is for purpose "message" only (a revocation or suspension entry is one
bit: set or not), and then needs a statusMessage for every value (Bitstring Status List §2.1);
statusMessage and statusReference are checked as a verifier will check them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from issuer.services.status import MESSAGE_PURPOSE
from servicekit.errors import Refused
from standards.status_list import (
    StatusListError,
    check_status_reference,
    check_status_size,
    status_messages,
)

STATUS_ENTRY_TYPE = "BitstringStatusListEntry"


@dataclass(frozen=True)
class StatusRequest:
    purpose: Any = "revocation"  # checked by issuing.check_options
    status_size: int = 1
    status_message: list[dict[str, Any]] | None = None
    status_reference: str | list[str] | None = None


def requested_status(options: dict[str, Any]) -> StatusRequest:
    requested = options.get("credentialStatus")
    if requested is None:
        return StatusRequest(purpose=options.get("statusPurpose", "revocation"))
    if not isinstance(requested, dict) or requested.get("type") != STATUS_ENTRY_TYPE:
        raise Refused(f"options.credentialStatus: this issuer allocates only entries of type "
                      f"{STATUS_ENTRY_TYPE}")
    purpose = requested.get("statusPurpose", options.get("statusPurpose", "revocation"))
    status_size = requested.get("statusSize", 1)
    status_message = requested.get("statusMessage")
    status_reference = requested.get("statusReference")
    try:
        check_status_size(status_size)
        status_messages(status_message, status_size)
        if status_reference is not None:
            check_status_reference(status_reference)
    except StatusListError as error:
        raise Refused(f"options.credentialStatus: {error}") from None
    if status_size != 1 and purpose != MESSAGE_PURPOSE:
        raise Refused(f"options.credentialStatus: statusSize {status_size} is for statusPurpose "
                      f"'message'; a {purpose!r:.40} entry is one bit")
    return StatusRequest(purpose, status_size, status_message, status_reference)

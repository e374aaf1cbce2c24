"""Checking a credential's `credentialStatus`: fetch the list, verify it, look up the entry.

A list that cannot be fetched or does not verify gives status *unknown*, which is reported as
a failed check: a verifier must never call a credential valid when it could not see its status.
A list issued by someone other than the credential's issuer still counts (Bitstring Status
List v1.0, 2.2: the two issuers MAY differ), with a warning that its issuer is to be trusted.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, NamedTuple

from standards.errors import StandardsError
from standards.fetcher import Fetcher
from standards.revocation_list import check_revocation_list
from standards.status_list import check_status_entry

BITSTRING_TYPES = {"BitstringStatusListEntry", "StatusList2021Entry"}
REVOCATION_LIST_TYPE = "1EdTechRevocationList"

# How the warning starts when the list's issuer is not the credential's (a trust question,
# not an error: BSL v1.0 2.2 lets the two differ and leaves trusting both to the verifier).
STATUS_LIST_ISSUER_NOT_CONFIRMED = "status list issuer not confirmed"

# Verifies a fetched list credential and returns its errors (empty when it is valid).
ListVerifier = Callable[[dict[str, Any]], list[str]]


class StatusFinding(NamedTuple):
    ok: bool
    message: str
    warning: str | None = None


def check_credential_status(document: dict[str, Any], fetcher: Fetcher,
                            verify_list: ListVerifier) -> Iterator[StatusFinding]:
    """Yield a finding (ok, message, warning) for each status entry of `document`."""
    entries = document.get("credentialStatus")
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict):
            yield StatusFinding(False, "credentialStatus entry is not a JSON object")
            continue
        entry_type = entry.get("type")
        if not isinstance(entry_type, str):
            yield StatusFinding(False, f"status unknown: credentialStatus type must be a "
                                       f"string, got {type(entry_type).__name__}")
            continue
        try:
            if entry_type in BITSTRING_TYPES:
                yield _check_bitstring(document, entry, fetcher, verify_list)
            elif entry_type == REVOCATION_LIST_TYPE:
                yield StatusFinding(*_check_revocation_list(document, entry, fetcher))
            else:
                yield StatusFinding(False, f"status unknown: unsupported credentialStatus type "
                                           f"{entry_type!r}")
        except StandardsError as exc:
            yield StatusFinding(False, f"status unknown: {exc}")


def _check_bitstring(document: dict[str, Any], entry: dict[str, Any], fetcher: Fetcher,
                     verify_list: ListVerifier) -> StatusFinding:
    url = entry.get("statusListCredential")
    if not isinstance(url, str):
        return StatusFinding(False, "status unknown: the entry has no statusListCredential URL")
    list_credential = fetcher.fetch_json(url)
    if not isinstance(list_credential, dict):
        return StatusFinding(False, f"status unknown: {url} is not a JSON object")
    errors = verify_list(list_credential)
    if errors:
        return StatusFinding(False, f"status unknown: the status list {url} does not verify "
                                    f"({errors[0]})")
    outcome = check_status_entry(entry, list_credential)
    issuer, list_issuer = _id_of(document.get("issuer")), _id_of(list_credential.get("issuer"))
    # The credential's issuer chose (and signed) the list URL, so the list speaks for it; but
    # whoever signed the list is someone else to trust, which the report has to say.
    warning = None if issuer == list_issuer else (
        f"{STATUS_LIST_ISSUER_NOT_CONFIRMED}: the status list {url} is issued by "
        f"{list_issuer}, not by the credential's issuer {issuer} (Bitstring Status List "
        f"allows this); the status holds only as far as {list_issuer} is trusted")
    if outcome.status_set and outcome.purpose in ("revocation", "suspension"):
        word = "revoked" if outcome.purpose == "revocation" else "suspended"
        return StatusFinding(False, f"{word} (entry {outcome.index} of {url})", warning)
    if outcome.purpose in ("revocation", "suspension"):
        return StatusFinding(True, f"not {_purpose_word(outcome.purpose)} "
                                   f"(entry {outcome.index} of {url})", warning)
    # message and refresh entries never invalidate: say what the status is
    return StatusFinding(True, f"{outcome.purpose} status {outcome.status:#x}: "
                               f"{outcome.message!r:.200} (entry {outcome.index} of {url})",
                         warning)


def _check_revocation_list(document: dict[str, Any], entry: dict[str, Any],
                           fetcher: Fetcher) -> tuple[bool, str]:
    url = entry.get("id")
    if not isinstance(url, str):
        return False, "status unknown: the 1EdTechRevocationList entry has no id URL"
    outcome = check_revocation_list(str(document.get("id") or ""), entry, fetcher.fetch_json(url))
    if outcome.status_set:
        return False, f"revoked according to {url}" + (
            f": {outcome.message}" if outcome.message else "")
    return True, f"not revoked according to {url}"


def _purpose_word(purpose: str) -> str:
    return {"revocation": "revoked", "suspension": "suspended"}[purpose]


def _id_of(value: Any) -> str | None:
    return value.get("id") if isinstance(value, dict) else value

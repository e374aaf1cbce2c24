"""Checking a credential's `credentialStatus`: fetch the list, verify it, look up the entry.

A list that cannot be fetched or does not verify gives status *unknown*, which is reported as
a failed check: a verifier must never call a credential valid when it could not see its status.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from standards.errors import StandardsError
from standards.fetcher import Fetcher
from standards.revocation_list import check_revocation_list
from standards.status_list import check_status_entry

BITSTRING_TYPES = {"BitstringStatusListEntry", "StatusList2021Entry"}
REVOCATION_LIST_TYPE = "1EdTechRevocationList"

# Verifies a fetched list credential and returns its errors (empty when it is valid).
ListVerifier = Callable[[dict[str, Any]], list[str]]


def check_credential_status(document: dict[str, Any], fetcher: Fetcher,
                            verify_list: ListVerifier) -> Iterator[tuple[bool, str]]:
    """Yield (ok, message) for each status entry of `document`."""
    entries = document.get("credentialStatus")
    for entry in entries if isinstance(entries, list) else [entries]:
        if not isinstance(entry, dict):
            yield False, "credentialStatus entry is not a JSON object"
            continue
        entry_type = entry.get("type")
        if not isinstance(entry_type, str):
            yield False, f"status unknown: credentialStatus type must be a string, got " \
                         f"{type(entry_type).__name__}"
            continue
        try:
            if entry_type in BITSTRING_TYPES:
                yield _check_bitstring(document, entry, fetcher, verify_list)
            elif entry_type == REVOCATION_LIST_TYPE:
                yield _check_revocation_list(document, entry, fetcher)
            else:
                yield False, f"status unknown: unsupported credentialStatus type {entry_type!r}"
        except StandardsError as exc:
            yield False, f"status unknown: {exc}"


def _check_bitstring(document: dict[str, Any], entry: dict[str, Any], fetcher: Fetcher,
                     verify_list: ListVerifier) -> tuple[bool, str]:
    url = entry.get("statusListCredential")
    if not isinstance(url, str):
        return False, "status unknown: the entry has no statusListCredential URL"
    list_credential = fetcher.fetch_json(url)
    if not isinstance(list_credential, dict):
        return False, f"status unknown: {url} is not a JSON object"
    errors = verify_list(list_credential)
    if errors:
        return False, f"status unknown: the status list {url} does not verify ({errors[0]})"
    issuer, list_issuer = _id_of(document.get("issuer")), _id_of(list_credential.get("issuer"))
    if issuer != list_issuer:
        return False, (f"status unknown: the status list is issued by {list_issuer}, "
                       f"not by the credential's issuer {issuer}")
    outcome = check_status_entry(entry, list_credential)
    if outcome.status_set and outcome.purpose in ("revocation", "suspension"):
        word = "revoked" if outcome.purpose == "revocation" else "suspended"
        return False, f"{word} (entry {outcome.index} of {url})"
    if outcome.purpose in ("revocation", "suspension"):
        return True, f"not {_purpose_word(outcome.purpose)} (entry {outcome.index} of {url})"
    # message and refresh entries never invalidate: say what the status is
    return True, (f"{outcome.purpose} status {outcome.status:#x}: {outcome.message!r:.200} "
                  f"(entry {outcome.index} of {url})")


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

"""Verifying what enters the wallet with the same checks the verifier runs
(`standards.verification`): proof, issuer key, validity, status, OB 3.0 schema, embedded
endorsements and CLR members. Fetches go through the wallet's fetcher and its policy.

A report has one of three verdicts for the wallet (`verdict`): "verified"; "not checked yet"
when nothing in it was found false but a status list or key could not be fetched now (an
issuer offline, an address the fetcher refuses, a school that closed): such a credential is
kept and checked again later; "refused" when something was found false (a proof that does
not match, a wrong key, revoked, expired)."""

from __future__ import annotations

from typing import Any

from standards.ob3.summary import summarize_credential
from standards.verification import UNDETERMINED_PREFIXES, verify_credential
from wallet.services.context import WalletContext

VERIFIED = "verified"
NOT_CHECKED = "not_checked"
REFUSED = "refused"


def _failed(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for c in report.get("checks", []) if isinstance(c, dict) and not c.get("ok")]


def verdict(report: dict[str, Any]) -> str:
    """VERIFIED, NOT_CHECKED (only what could not be fetched now failed) or REFUSED."""
    if report.get("verified"):
        return VERIFIED
    failed = _failed(report)
    if failed and all(str(c.get("message", "")).startswith(UNDETERMINED_PREFIXES)
                      for c in failed):
        return NOT_CHECKED
    return REFUSED


def not_checked_reason(report: dict[str, Any]) -> str:
    """Why a report's credential could not be checked (its failed checks' messages)."""
    return "; ".join(str(c.get("message", "")) for c in _failed(report)[:3])


def check_credential(ctx: WalletContext, credential: dict[str, Any] | str, *,
                     check_status: bool = True) -> dict[str, Any]:
    """The verifier's report shape: {"verified", "checks", "warnings", "errors", "summary",
    "checkedAt"}."""
    return checked_document(ctx, credential, check_status=check_status)[0]


def checked_document(ctx: WalletContext, credential: dict[str, Any] | str, *,
                     check_status: bool = True,
                     fresh: bool = False) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report, and the credential as a JSON object (a JWT's payload credential), which
    the wallet reads alignments and endorsements from. The object is {} when the input was
    not readable as a credential.

    `fresh`: fetch status lists and keys again instead of using the shared fetcher's cache.
    Issuers let status lists be cached for a while (max-age); a person looking at their
    credential wants to know whether it was revoked, not whether it was a minute ago."""
    if fresh:
        with ctx.new_fetcher(max_cache_ttl=0) as fetcher:
            result = verify_credential(credential, now=ctx.now(), fetcher=fetcher,
                                       check_status=check_status)
    else:
        result = verify_credential(credential, now=ctx.now(), fetcher=ctx.fetcher,
                                   check_status=check_status)
    report = result.to_json()
    document = result.document if isinstance(result.document, dict) else {}
    report["summary"] = summarize_credential(document)
    report["checkedAt"] = ctx.now().isoformat().replace("+00:00", "Z")
    return report, document

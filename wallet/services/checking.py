"""Verifying what enters the wallet with the same checks the verifier runs
(`standards.verification`): proof, issuer key, validity, status, OB 3.0 schema, embedded
endorsements and CLR members. Fetches go through the wallet's fetcher and its policy."""

from __future__ import annotations

from typing import Any

from standards.ob3.summary import summarize_credential
from standards.verification import verify_credential
from wallet.services.context import WalletContext


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

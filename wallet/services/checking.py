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
    result = verify_credential(credential, now=ctx.now(), fetcher=ctx.fetcher,
                               check_status=check_status)
    report = result.to_json()
    report["summary"] = summarize_credential(result.document or {})
    report["checkedAt"] = ctx.now().isoformat().replace("+00:00", "Z")
    return report

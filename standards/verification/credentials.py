"""Verify a credential, given as JSON (Data Integrity) or as a compact JWT."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.fetcher import Fetcher
from standards.verification.context import VerificationContext
from standards.verification.data_integrity_credentials import verify_di_credential
from standards.verification.jwt_credentials import verify_jwt_credential
from standards.verification.results import VerificationResult


def verify_credential(document: dict[str, Any] | str, *, now: datetime | None = None,
                      fetcher: Fetcher | None = None, loader: DocumentLoader = DEFAULT_LOADER,
                      check_status: bool = True) -> VerificationResult:
    """Verify a credential given as JSON (Data Integrity) or as a compact JWT."""
    return verify_any_credential(document,
                                 VerificationContext(now, fetcher, loader, check_status))


def verify_any_credential(document: dict[str, Any] | str, ctx: VerificationContext
                          ) -> VerificationResult:
    if isinstance(document, str):
        return verify_jwt_credential(document, ctx)
    return verify_di_credential(document, ctx)

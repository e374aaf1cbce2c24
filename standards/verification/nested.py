"""The credentials inside a credential: each credential of a CLR and each embedded
endorsement is verified in turn, down to MAX_NESTING levels.

A CLR credential that fails makes the CLR fail. An endorsement whose proof, key or format is
wrong fails the endorsed credential (it carries a forged claim); an endorsement that is
merely expired, withdrawn or off-schema is a warning: the endorsed credential stands. An
authentic endorsement of something else than this credential, its issuer or the issuer's
achievement (a copy, see standards.endorsement_scope) is not counted: its `scope` says what
it covers, and a warning says it does not vouch for this issuer.
"""

from __future__ import annotations

from typing import Any

from standards.embedded_credentials import clr_credentials_in, embedded_endorsements
from standards.endorsement_scope import endorsement_scope
from standards.fetcher import Fetcher
from standards.verification.context import VerificationContext
from standards.verification.documents import issuer_id
from standards.verification.results import (
    AUTHENTICITY_CHECKS,
    CANNOT_CHECK_NOW,
    MAX_NESTING,
    Check,
    VerificationResult,
)


def verify_inner(document: dict[str, Any] | str, ctx: VerificationContext
                 ) -> VerificationResult:
    """Verify a credential found inside another one (a status list, a CLR member, an
    endorsement) by the same dispatch as the outer one."""
    # standards.verification.credentials imports this module: import it when needed
    from standards.verification.credentials import verify_any_credential

    return verify_any_credential(document, ctx)


def check_clr_credentials(document: dict[str, Any], result: VerificationResult,
                          ctx: VerificationContext) -> None:
    found = clr_credentials_in(document)
    if found and ctx.depth >= MAX_NESTING:
        result.add("clr", False, f"credentials nested deeper than {MAX_NESTING} levels")
        return
    for path, credential in found:
        inner = verify_inner(credential, ctx.deeper())
        result.credentials.append((path, inner))
        if inner.undetermined:
            result.add("clr-credential", False,
                       f"{CANNOT_CHECK_NOW}: {path}: {'; '.join(inner.errors)}")
            continue
        result.add("clr-credential", inner.verified, f"{path} is valid" if inner.verified
                   else f"{path} is not valid: {'; '.join(inner.errors)}")


def check_endorsements(document: dict[str, Any], result: VerificationResult,
                       ctx: VerificationContext) -> None:
    found = embedded_endorsements(document)
    if found and ctx.depth >= MAX_NESTING:
        result.warnings.append(f"{len(found)} endorsement(s) nested deeper than {MAX_NESTING} "
                               "levels were not verified")
        return
    fetcher = ctx.fetcher or Fetcher.offline()

    def served(url: str) -> Any:
        return fetcher.fetch_json(url, accept="application/ld+json, application/json")

    for embedded in found:
        path = embedded.path
        inner = verify_inner(embedded.credential, ctx.deeper())
        result.endorsements.append((path, inner))
        types = (inner.document or {}).get("type")
        # A key that could not be fetched now does not make an endorsement forged.
        forged = [c for c in inner.failed(AUTHENTICITY_CHECKS) if not c.undetermined]
        if "EndorsementCredential" not in (types if isinstance(types, list) else [types]):
            forged = forged or [Check("format", False, "not an EndorsementCredential")]
        if forged:
            result.add("endorsement", False, f"{path} is not authentic: "
                       + "; ".join(f"{c.check}: {c.message}" for c in forged))
            continue
        inner.scope = endorsement_scope(embedded, inner.document or {}, document, served)
        if not inner.scope.applies:
            result.warnings.append(f"endorsement {path} by {issuer_id(inner.document or {})} "
                                   f"is not counted: {inner.scope.message}")
        elif inner.verified:
            result.add("endorsement", True, f"{path} by {issuer_id(inner.document or {})} "
                       "is valid")
        else:
            result.warnings.append(f"endorsement {path} is authentic but not valid now: "
                                   + "; ".join(inner.errors))

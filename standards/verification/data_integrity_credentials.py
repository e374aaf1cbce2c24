"""Credentials secured with Data Integrity proofs: the proofs (each key controlled by the
issuer for assertionMethod), the JSON-LD safety check, and the issuer binding."""

from __future__ import annotations

from typing import Any

from standards.data_integrity import KeyResolver, ProofResult, verify_document_proofs
from standards.errors import ProofError, StandardsError
from standards.keys import KeyPair
from standards.verification.context import VerificationContext
from standards.verification.credential_checks import common_checks
from standards.verification.documents import (
    caused_by_fetch,
    check_jsonld,
    controller,
    issuer_id,
    issuer_key_not_confirmed,
    publishes_no_keys,
    structure_ok,
)
from standards.verification.results import (
    JSONLD_OK,
    KEY_UNKNOWN,
    NO_ISSUER,
    VerificationResult,
)


def verify_di_credential(document: dict[str, Any], ctx: VerificationContext
                         ) -> VerificationResult:
    result = VerificationResult(format="data-integrity")
    if not structure_ok(document, result, "VerifiableCredential"):
        return result
    proofs = verify_proofs(document, result, ctx)
    issuer = issuer_id(document)
    signers = [p for p in proofs if p.verified]
    if issuer is None:
        result.add("issuer", False, NO_ISSUER)
    elif signers:
        by_issuer = [p for p in signers if controller(p.verification_method) == issuer]
        if by_issuer:
            result.add("issuer", True, f"signed by a key of the issuer {issuer}")
        elif publishes_no_keys(issuer):
            issuer_key_not_confirmed(result, issuer)
        else:
            result.add("issuer", False, "no valid proof is made with a key controlled by the "
                       f"issuer {issuer}")
    common_checks(document, result, ctx)
    return result


def verify_self_asserted_credential(document: dict[str, Any], holder: str,
                                    ctx: VerificationContext) -> VerificationResult:
    """A credential in a presentation that has no proof of its own: issued by the
    presentation's holder, it is secured by the presentation's proof (VCDM 2.0 §4.13.4; the
    caller has checked that proof and that the holder made it). Everything but the proof is
    checked as for any credential."""
    result = VerificationResult(format="data-integrity")
    if not structure_ok(document, result, "VerifiableCredential"):
        return result
    check_jsonld(document, result, ctx.loader)
    result.add("proof", True, "self-asserted: secured by the proof of the presentation, "
               f"made by its holder {holder}")
    result.add("issuer", True, f"issued by the presentation's holder {holder}")
    common_checks(document, result, ctx)
    return result


def verify_proofs(document: dict[str, Any], result: VerificationResult,
                  ctx: VerificationContext, **options: Any) -> list[ProofResult]:
    """Verify the proofs, and report the JSON-LD safety check once.

    RDF-canonicalising suites expand the document in safe mode anyway; their outcome is the
    json-ld check. Only when no proof got that far (or the suites do not expand, like JCS)
    is the document expanded separately.
    """
    unreachable: set[str] = set()
    try:
        proofs = (verify_document_proofs(document, _key_resolver(ctx, result, unreachable),
                                         now=ctx.clock(), loader=ctx.loader, **options)
                  if "proof" in document else [])
    except ProofError as exc:  # `proof` is not a proof object or a list of them
        check_jsonld(document, result, ctx.loader)
        result.add("proof", False, str(exc))
        return []
    document_errors = [p.error for p in proofs if p.document_error]
    if document_errors:
        result.add("json-ld", False, document_errors[0] or "invalid JSON-LD")
    elif any(p.document_checked for p in proofs):
        result.add("json-ld", True, JSONLD_OK)
    else:
        check_jsonld(document, result, ctx.loader)
    _report_proofs([p for p in proofs if not p.document_error], result, unreachable)
    return proofs


def _key_resolver(ctx: VerificationContext, result: VerificationResult,
                  unreachable: set[str]) -> KeyResolver:
    """Resolves proof keys; the verification methods whose key could not be fetched (as
    opposed to found wrong) are added to `unreachable`."""
    resolver = ctx.resolver()

    def resolve(vm: str, purpose: str) -> KeyPair:
        try:
            method = resolver.resolve_verification_method(vm, purpose)
        except StandardsError as exc:
            if caused_by_fetch(exc):
                unreachable.add(vm)
            raise
        if method.key_from_fragment:
            result.warnings.append(
                f"key for {vm} taken from the URL fragment (1EdTech style), not a DID document")
        return method.key

    return resolve


def _report_proofs(proofs: list[ProofResult], result: VerificationResult,
                   unreachable: set[str]) -> None:
    if not proofs and not any(c.check == "json-ld" and not c.ok for c in result.checks):
        result.add("proof", False, "the document has no proof")
    for proof in proofs:
        message = proof.describe()
        # verificationMethod is whatever the document says (an object too): only a URL
        # can have been the key that could not be fetched.
        method = proof.verification_method
        if not proof.verified and isinstance(method, str) and method in unreachable:
            message = f"{KEY_UNKNOWN}: {message}"
        result.add("proof", proof.verified, message)

"""Credentials secured as a compact JWT (VC-JWT, VC-JOSE): the JWS, its key (a DID URL, a
bare did:key or a `jwk` header), and the issuer binding."""

from __future__ import annotations

from typing import Any

from standards import jose
from standards.dids import key_from_verification_method, single_key_method
from standards.errors import StandardsError
from standards.jsonld import check_document_limits
from standards.verification.context import VerificationContext
from standards.verification.credential_checks import common_checks
from standards.verification.documents import (
    caused_by_fetch,
    check_jsonld,
    controller,
    issuer_id,
    issuer_key_not_confirmed,
)
from standards.verification.results import KEY_UNKNOWN, NO_ISSUER, VerificationResult


def verify_jwt_credential(token: str, ctx: VerificationContext) -> VerificationResult:
    result = VerificationResult(format="jwt")
    resolver = ctx.resolver()
    unreachable: set[str] = set()

    def resolve(kid: str) -> jose.VerificationKey:
        try:
            return resolver.resolve_verification_method(jwt_vm(kid), "assertionMethod").key
        except StandardsError as exc:
            if caused_by_fetch(exc):
                unreachable.add(kid)
            raise

    try:
        # Verifying walks the decoded JSON recursively (copies, JSON-LD, schema): refuse
        # hostile nesting first, as structure_ok does for a credential sent as JSON.
        for part in jose.decode_compact_jws(token.strip()):
            check_document_limits(part)
        outcome = jose.verify_jwt(token, resolve, now=ctx.clock())
    except StandardsError as exc:  # not a compact JWS at all, or nested too deeply
        result.add("format", False, str(exc))
        return result
    result.format = outcome.format
    result.document = outcome.document
    if outcome.document is None:
        result.add("format", False, "; ".join(outcome.errors) or "not a JWT credential")
        return result
    result.add("format", True, f"{outcome.format} credential")
    message = "JWS signature valid" if outcome.verified else "; ".join(outcome.errors)
    # Only the key could not be fetched (a failure of its own is one "key:" error).
    if unreachable and len(outcome.errors) == 1 and outcome.errors[0].startswith("key:"):
        message = f"{KEY_UNKNOWN}: {message}"
    result.add("proof", outcome.verified, message)
    issuer = issuer_id(outcome.document)
    kid = outcome.kid or ""
    if issuer is None:
        result.add("issuer", False, NO_ISSUER)
    elif outcome.key_source == "jwk":
        _check_header_key_issuer(result, issuer, outcome, ctx)
    else:
        ok = controller(kid) == issuer
        result.add("issuer", ok, f"signed by a key of the issuer {issuer}" if ok
                   else f"key {kid} is not controlled by the issuer {issuer}")
    check_jsonld(outcome.document, result, ctx.loader)
    common_checks(outcome.document, result, ctx)
    return result


def jwt_vm(kid: str) -> str:
    """A JWT `kid` may be a bare did:key / did:jwk; those name exactly one key."""
    return single_key_method(kid)


def _check_header_key_issuer(result: VerificationResult, issuer: str,
                             outcome: jose.JwtVerificationResult,
                             ctx: VerificationContext) -> None:
    """A JWT whose key sits in its `jwk` header (the 1EdTech validator accepts these): the
    issuer check holds when the issuer's DID document lists that very key; otherwise the
    proof still counts, with the "issuer's key not confirmed" warning."""
    if not outcome.verified:
        return
    if outcome.jwk is not None and issuer.startswith("did:"):
        try:
            document = ctx.resolver().resolve(issuer)
        except StandardsError:
            document = {}
        entries = document.get("verificationMethod")
        for entry in entries if isinstance(entries, list) else []:
            try:
                listed = key_from_verification_method(entry).public_jwk()
            except (StandardsError, KeyError, TypeError, ValueError, AttributeError):
                continue
            if _same_public_key(listed, outcome.jwk):
                result.add("issuer", True, f"signed by a key of the issuer {issuer} "
                           "(given in the JWT header, listed by the issuer)")
                return
    issuer_key_not_confirmed(result, issuer, "does not publish the key in the JWT header")


def _same_public_key(one: dict[str, Any], other: dict[str, Any]) -> bool:
    members = ("kty", "crv", "x", "y", "n", "e")
    return all(one.get(m) == other.get(m) for m in members)

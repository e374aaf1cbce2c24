"""Verify a presentation: its proof (authentication, challenge, domain), the holder binding,
and every credential in it. Enveloped JWT credentials are opened here too."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.fetcher import Fetcher
from standards.vcdm_structure import presentation_structure_problems
from standards.verification.context import VerificationContext
from standards.verification.credentials import verify_any_credential
from standards.verification.data_integrity_credentials import (
    verify_proofs,
    verify_self_asserted_credential,
)
from standards.verification.documents import controller, id_of, structure_ok, subject_ids
from standards.verification.results import VerificationResult

ENVELOPED_JWT_PREFIXES = ("data:application/vc+jwt,", "data:application/vc+ld+json+jwt,")


def verify_presentation(document: dict[str, Any] | str, *, challenge: str | None = None,
                        domain: str | None = None, now: datetime | None = None,
                        fetcher: Fetcher | None = None,
                        loader: DocumentLoader = DEFAULT_LOADER,
                        check_status: bool = True,
                        require_holder_binding: bool = False) -> VerificationResult:
    """Verify a presentation: its proof (authentication, challenge, domain), the holder
    binding, and every credential in it (their status too, unless `check_status` is off).

    VCDM 2.0 lets a holder present a credential about someone else: a credential that is not
    about whoever signed the presentation is a failed `holder-binding` check only when the
    caller requires holder binding (the employer page, a share), a warning otherwise."""
    ctx = VerificationContext(now, fetcher, loader, check_status)
    result = VerificationResult(format="presentation")
    from standards import jwt_presentations  # imports this module: import it when needed

    token = jwt_presentations.presentation_token(document)
    if token is not None:
        return jwt_presentations.verify_jwt_presentation(
            token, ctx, challenge=challenge, domain=domain,
            require_holder_binding=require_holder_binding)
    if isinstance(document, str):
        result.add("format", False, "a string presentation must be a JWT-secured presentation")
        return result
    if not structure_ok(document, result, "VerifiablePresentation"):
        return result
    problems = presentation_structure_problems(document)
    result.add("structure", not problems, "; ".join(problems) if problems
               else "a conforming VCDM presentation")
    proofs = verify_proofs(document, result, ctx, expected_purpose="authentication",
                           challenge=challenge, domain=domain)
    if challenge is None:
        result.warnings.append("no challenge was required: this presentation proves who made "
                               "it, not that it was made for this verification (replayable)")
    holder = document.get("holder")
    holder_id = id_of(holder)
    signers = {controller(p.verification_method) for p in proofs if p.verified}
    if holder is not None and holder_id is None:
        result.add("holder", False, "holder must be a URL or an object with an id")
    elif holder_id is not None:
        result.add("holder", holder_id in signers,
                   f"presentation signed by its holder {holder_id}" if holder_id in signers
                   else f"presentation is not signed by its holder {holder_id}")
    bound_to = {holder_id} if holder_id in signers else signers
    credentials = document.get("verifiableCredential", [])
    for index, credential in enumerate(credentials if isinstance(credentials, list)
                                       else [credentials]):
        label = f"credential[{index}]"
        if self_asserted(credential, holder_id, signers):
            inner = verify_self_asserted_credential(credential, holder_id or "", ctx.deeper())
        else:
            inner = verify_any_credential(enveloped_jwt(credential) or credential,
                                          ctx.deeper())
        result.credentials.append((f"$.verifiableCredential[{index}]", inner))
        message = "valid" if inner.verified else "; ".join(inner.errors)
        if (not inner.verified and holder_id is None and isinstance(credential, dict)
                and "proof" not in credential and id_of(credential.get("issuer")) in signers):
            message += ("; a self-asserted credential is secured by the presentation's proof "
                        "only when the presentation names its holder (VCDM 2.0 §4.13.4)")
        result.add(label, inner.verified, message)
        check_holder_binding(label, subject_ids(inner.document or {}), bound_to, result,
                             required=require_holder_binding)
    return result


def self_asserted(credential: Any, holder_id: str | None, signers: set[str]) -> bool:
    """A credential without a proof of its own, issued by the presentation's holder, whose
    valid proof secures it (VCDM 2.0 §4.13.4: such a presentation MUST name its holder)."""
    return (isinstance(credential, dict) and "proof" not in credential
            and holder_id is not None and holder_id in signers
            and id_of(credential.get("issuer")) == holder_id)


def enveloped_jwt(credential: Any) -> str | None:
    """The compact JWT inside a VCDM 2.0 EnvelopedVerifiableCredential
    (`"id": "data:application/vc+jwt,<jwt>"`), or None for anything else."""
    if not isinstance(credential, dict):
        return None
    types = credential.get("type")
    if "EnvelopedVerifiableCredential" not in (types if isinstance(types, list) else [types]):
        return None
    value = credential.get("id")
    for prefix in ENVELOPED_JWT_PREFIXES:
        if isinstance(value, str) and value.startswith(prefix):
            return value[len(prefix):]
    return None


def envelope_jwt(token: str) -> dict[str, Any]:
    """A compact JWT credential as an EnvelopedVerifiableCredential for a VCDM 2.0
    presentation."""
    return {"@context": "https://www.w3.org/ns/credentials/v2",
            "id": ENVELOPED_JWT_PREFIXES[0] + token, "type": "EnvelopedVerifiableCredential"}


def check_holder_binding(label: str, subjects: set[str], bound_to: set[str],
                         result: VerificationResult, *, required: bool) -> None:
    """Whether a presented credential is about whoever signed the presentation; a failure
    only when `required`."""
    if not subjects:
        result.warnings.append(f"{label} names no subject id, so it cannot be bound to the "
                               "holder (it may identify its subject by e-mail or another "
                               "identifier)")
        return
    if subjects & bound_to:
        result.add(f"{label}.holder-binding", True,
                   f"the presentation is signed by the subject {sorted(subjects & bound_to)[0]}")
        return
    who = ", ".join(sorted(bound_to)) or "nobody (no valid proof)"
    message = (f"the holder who signed the presentation ({who}) is not the subject of this "
               f"credential ({', '.join(sorted(subjects))})")
    if required:
        result.add(f"{label}.holder-binding", False, message)
    else:
        result.warnings.append(f"{label}.holder-binding: {message} (allowed: holder binding "
                               "was not required)")

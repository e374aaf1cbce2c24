"""Small checks and readings shared by every path: the document's shape and JSON-LD, who
issued or holds it, whom it is about, and whether a failure only came from a fetch."""

from __future__ import annotations

from typing import Any

from standards.document_loader import DocumentLoader
from standards.errors import FetchError, StandardsError
from standards.jsonld import check_document_limits, engine_for
from standards.verification.results import (
    ISSUER_KEY_NOT_CONFIRMED,
    JSONLD_OK,
    VerificationResult,
)


def structure_ok(document: Any, result: VerificationResult, kind: str) -> bool:
    """Whether the document is a JSON object within the limits whose type includes `kind`
    (VerifiableCredential or VerifiablePresentation); reported as the `format` check."""
    if not isinstance(document, dict):
        result.add("format", False, "expected a JSON object")
        return False
    result.document = document
    try:
        check_document_limits(document)
    except StandardsError as exc:
        result.add("format", False, str(exc))
        return False
    types = document.get("type")
    types = types if isinstance(types, list) else [types]
    if not all(isinstance(t, str) for t in types):
        result.add("format", False, "type must be a string or a list of strings")
        return False
    if kind not in types:
        result.add("format", False, f"type does not include {kind}")
        return False
    result.add("format", True, f"{kind} ({', '.join(t for t in types if t != kind) or kind})")
    return True


def check_jsonld(document: dict[str, Any], result: VerificationResult,
                 loader: DocumentLoader) -> None:
    """The JSON-LD safety check (safe mode) for documents no RDF-canonicalising proof
    processed (JCS proofs, JWTs, self-asserted credentials): the same processing as those
    proofs, so a document of a known shape is answered by its shape template
    (standards.shape_templates: a template accepts only documents that pass safe mode
    exactly as the one it was compiled from), and any other goes through pyld."""
    try:
        engine_for(loader).to_dataset(document)
    except StandardsError as exc:
        result.add("json-ld", False, str(exc))
        return
    result.add("json-ld", True, JSONLD_OK)


def caused_by_fetch(error: BaseException) -> bool:
    """Whether a failure comes from a fetch that did not succeed (host down, refused,
    HTTP error): nothing about the document is known to be wrong then."""
    seen: BaseException | None = error
    for _ in range(8):  # a chain of causes is short; never loop on a cycle
        if seen is None:
            return False
        if isinstance(seen, FetchError):
            return True
        seen = seen.__cause__
    return False


def publishes_no_keys(issuer: str) -> bool:
    """An issuer named by a URL that is not a DID (https, or a URN such as urn:uuid): keys are
    looked up only where a proof's verificationMethod points, so an issuer no proof names shows
    no key of its own. A DID issuer does publish its keys, and a proof by any other key is wrong.
    """
    return not issuer.startswith("did:")


def issuer_key_not_confirmed(result: VerificationResult, issuer: str,
                             why: str = "publishes no key that made a proof here") -> None:
    result.issuer_key_confirmed = False
    result.warnings.append(f"{ISSUER_KEY_NOT_CONFIRMED}: the issuer {issuer} {why}; the proof "
                           "holds, but does not show that the issuer made it")


def issuer_id(document: dict[str, Any]) -> str | None:
    return id_of(document.get("issuer"))


def id_of(value: Any) -> str | None:
    """The id of an issuer or holder given as a URL or as an object with an id."""
    value = value.get("id") if isinstance(value, dict) else value
    return value if isinstance(value, str) else None


def subject_ids(document: dict[str, Any]) -> set[str]:
    subject = document.get("credentialSubject")
    subjects = subject if isinstance(subject, list) else [subject]
    return {s["id"] for s in subjects if isinstance(s, dict) and isinstance(s.get("id"), str)}


def controller(vm: str | None) -> str:
    return (vm or "").split("#", 1)[0]

"""Adding and verifying Data Integrity proofs: single proofs, proof sets and proof chains.

A proof set is a `proof` array whose members were made independently over the unsecured
document. A proof chain links a proof to earlier ones with `previousProof`: that proof
covers the document *with* the proofs it names (W3C VC Data Integrity 1.0, 4.2 / 4.4).
Which key may make a proof, and for which purpose, is decided by the caller's resolver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from standards.data_integrity.cryptosuites import (
    JCS_SUITES,
    SIGNING_SUITES,
    default_suite_for,
    suite_for_proof,
)
from standards.data_integrity.ecdsa_sd import EcdsaSdSuite
from standards.dates import now_iso, parse_datetime
from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.errors import (
    CanonicalizationError,
    DocumentLoaderError,
    DocumentTooLargeError,
    ProofError,
    StandardsError,
    UnsafeDocumentError,
)
from standards.json_text import json_copy
from standards.jsonld import JsonLdEngine, engine_for
from standards.keys import KeyPair

DOCUMENT_ERRORS = (UnsafeDocumentError, DocumentLoaderError, DocumentTooLargeError,
                   CanonicalizationError)

# Resolves a verification method id for a proof purpose to a public key, or raises.
KeyResolver = Callable[[str, str], KeyPair]


def _proofs_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    proof = document.get("proof")
    if proof is None:
        return []
    proofs = proof if isinstance(proof, list) else [proof]
    if not all(isinstance(p, dict) for p in proofs):
        raise ProofError("every proof must be a JSON object")
    return proofs


def _unsecured(document: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in document.items() if k != "proof"}


def _with_previous(document: dict[str, Any], proofs: list[dict[str, Any]],
                   previous: Any) -> dict[str, Any]:
    """The unsecured document plus the proofs named by `previousProof` (for a chain)."""
    wanted = [previous] if isinstance(previous, str) else previous
    if not isinstance(wanted, list) or not all(isinstance(w, str) for w in wanted):
        raise ProofError("previousProof must be a proof id or a list of proof ids")
    by_id = {p.get("id"): p for p in proofs if p.get("id")}
    missing = [w for w in wanted if w not in by_id]
    if missing:
        raise ProofError(f"previousProof names proof(s) not in the document: {missing}")
    chained = _unsecured(document)
    chained["proof"] = [by_id[w] for w in wanted]
    return chained


def sign_document(
    document: dict[str, Any],
    key: KeyPair,
    *,
    suite: str | None = None,
    verification_method: str | None = None,
    created: str | None = None,
    proof_purpose: str = "assertionMethod",
    proof_id: str | None = None,
    previous_proof: str | list[str] | None = None,
    challenge: str | None = None,
    domain: str | None = None,
    expires: str | None = None,
    loader: DocumentLoader = DEFAULT_LOADER,
) -> dict[str, Any]:
    """A copy of `document` with one more proof (added to a set, or chained by previous_proof).

    Refuses (UnsafeDocumentError) documents with undefined terms or relative IRIs. Without a
    `suite`, the key's own suite signs (Ed25519: eddsa-rdfc-2022, P-256/P-384: ecdsa-rdfc-2019).
    """
    suite = suite or default_suite_for(key)
    cryptosuite = SIGNING_SUITES.get(suite)
    if cryptosuite is None:
        raise ProofError(f"cannot sign with {suite!r}; choose one of {sorted(SIGNING_SUITES)}")
    vm = verification_method or key.id
    if not vm:
        raise ProofError("a verification method id is needed to sign")
    existing = _proofs_of(document)
    document = _with_context(document, cryptosuite.required_context)
    config: dict[str, Any] = {"type": cryptosuite.proof_type}
    if proof_id:
        config["id"] = proof_id
    if cryptosuite.proof_type == "DataIntegrityProof":
        config["cryptosuite"] = cryptosuite.name
    config.update(created=created or now_iso(), verificationMethod=vm,
                  proofPurpose=proof_purpose)
    for name, value in (("expires", expires), ("challenge", challenge), ("domain", domain),
                        ("previousProof", previous_proof)):
        if value is not None:
            config[name] = value
    if suite in JCS_SUITES:
        config["@context"] = document.get("@context")

    covered = (_with_previous(document, existing, previous_proof) if previous_proof
               else _unsecured(document))
    engine = engine_for(loader)
    if not cryptosuite.expands_document:
        # Never sign terms that no context defines: the safe-mode check of the dataset
        # (from a shape template when the shape is known, else pyld's expansion).
        engine.to_dataset(covered)
    data = cryptosuite.hash_data(covered, config, engine, key)
    proof = {**config, "proofValue": cryptosuite.sign(data, key)}
    signed: dict[str, Any] = json_copy(_unsecured(document))  # the document was checked
    signed["proof"] = [*existing, proof] if existing else proof
    return signed


def _with_context(document: dict[str, Any], context: str | None) -> dict[str, Any]:
    """`document` with `context` appended to its @context when it is missing."""
    current = document.get("@context")
    contexts = current if isinstance(current, list) else [current]
    if context is None or context in contexts:
        return document
    return {**document, "@context": [*contexts, context]}


@dataclass
class ProofResult:
    """The verdict on one proof of a document."""

    index: int
    type: str | None
    cryptosuite: str | None
    verification_method: str | None
    proof_purpose: str | None
    verified: bool
    error: str | None = None
    key: KeyPair | None = field(default=None, repr=False)
    # Whether the document went through this suite's JSON-LD processing (safe mode), and
    # whether the failure, if any, came from that processing (undefined term, context…).
    document_checked: bool = False
    document_error: bool = False

    def describe(self) -> str:
        name = self.cryptosuite or self.type or "proof"
        if self.verified:
            return f"{name} proof by {self.verification_method} is valid"
        return f"{name} proof {self.index + 1} is not valid: {self.error}"


def verify_document_proofs(
    document: dict[str, Any],
    resolve_key: KeyResolver,
    *,
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    now: datetime | None = None,
    loader: DocumentLoader = DEFAULT_LOADER,
) -> list[ProofResult]:
    """Verify every proof of `document`; one ProofResult each (an empty list: no proof)."""
    proofs = _proofs_of(document)
    return [
        _verify_one(document, proofs, i, resolve_key, expected_purpose, challenge, domain,
                    now, loader)
        for i in range(len(proofs))
    ]


def _verify_one(document: dict[str, Any], proofs: list[dict[str, Any]], index: int,
                resolve_key: KeyResolver, expected_purpose: str, challenge: str | None,
                domain: str | None, now: datetime | None,
                loader: DocumentLoader) -> ProofResult:
    proof = proofs[index]
    result = ProofResult(index, proof.get("type"), proof.get("cryptosuite"),
                         proof.get("verificationMethod"), proof.get("proofPurpose"), False)
    try:
        _check_proof_options(proof, expected_purpose, challenge, domain, now)
        suite = suite_for_proof(proof)
        vm = proof["verificationMethod"]
        key = resolve_key(vm, expected_purpose)
        result.key = key
        config = {k: v for k, v in proof.items() if k != "proofValue"}
        previous = proof.get("previousProof")
        covered = (_with_previous(document, proofs, previous) if previous
                   else _unsecured(document))
        if suite.name in JCS_SUITES:
            covered = _jcs_document(covered, config)
        if isinstance(suite, EcdsaSdSuite):
            _verify_derived(suite, covered, proof, engine_for(loader), key, result)
        else:
            try:
                data = suite.hash_data(covered, config, engine_for(loader), key)
            except DOCUMENT_ERRORS:
                result.document_error = True
                raise
            result.document_checked = suite.expands_document
            if not suite.verify(data, proof.get("proofValue", ""), key):
                raise ProofError("signature does not match the document (changed or wrong key)")
        result.verified = True
    except StandardsError as exc:
        result.error = str(exc)
    return result


def _verify_derived(suite: EcdsaSdSuite, covered: dict[str, Any], proof: dict[str, Any],
                    engine: JsonLdEngine, key: KeyPair, result: ProofResult) -> None:
    """A selective disclosure proof: rebuild the signed statements, then check them (raises
    ProofError with the reason)."""
    try:
        data = suite.create_verify_data(covered, proof, engine, key)
    except DOCUMENT_ERRORS:
        result.document_error = True
        raise
    result.document_checked = suite.expands_document
    suite.verify(data, key)


def _jcs_document(document: dict[str, Any], config: dict[str, Any]) -> dict[str, Any]:
    """The JCS suites: a proof @context must be a prefix of the document's @context."""
    proof_ctx = config.get("@context")
    if proof_ctx is None:
        return document
    doc_ctx = document.get("@context")
    doc_list = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
    proof_list = proof_ctx if isinstance(proof_ctx, list) else [proof_ctx]
    if doc_list[: len(proof_list)] != proof_list:
        raise ProofError("the proof's @context does not match the start of the document's")
    return {**document, "@context": proof_ctx}


def _check_proof_options(proof: dict[str, Any], purpose: str, challenge: str | None,
                         domain: str | None, now: datetime | None) -> None:
    for name in ("type", "verificationMethod", "proofPurpose", "proofValue"):
        if not isinstance(proof.get(name), str):
            raise ProofError(f"proof lacks {name!r}")
    if proof["proofPurpose"] != purpose:
        raise ProofError(
            f"proof purpose is {proof['proofPurpose']!r}, expected {purpose!r}"
        )
    if challenge is not None and proof.get("challenge") != challenge:
        raise ProofError("proof challenge does not match the expected challenge")
    if domain is not None:
        proof_domain = proof.get("domain")
        domains = proof_domain if isinstance(proof_domain, list) else [proof_domain]
        if domain not in domains:
            raise ProofError("proof domain does not match the expected domain")
    when = now or datetime.now(UTC)
    for name in ("created", "expires"):
        if name in proof:
            stamp = _parse_datetime(proof[name], name)
            if name == "expires" and stamp < when:
                raise ProofError(f"proof expired at {proof[name]}")


def _parse_datetime(value: Any, name: str) -> datetime:
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise ProofError(f"proof {name}: {exc}") from exc

"""JSON-LD safety: undefined terms, relative IRIs, unknown contexts, hostile sizes."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from standards.data_integrity import sign_document, verify_document_proofs
from standards.document_loader import DEFAULT_LOADER, DocumentLoader
from standards.errors import DocumentLoaderError, DocumentTooLargeError, UnsafeDocumentError
from standards.jsonld import check_document_limits, engine_for
from standards.keys import KeyPair, generate_key
from standards.verification import verify_credential
from tests.ob3_sample import realistic_ob3_credential

KEY = generate_key("ed25519")


def _vm() -> str:
    from standards.dids import did_key_from_key_pair

    did = did_key_from_key_pair(KEY)
    return f"{did}#{did.removeprefix('did:key:')}"


def _credential() -> dict[str, Any]:
    credential = realistic_ob3_credential("did:example:learner", 1)
    credential["issuer"]["id"] = _vm().split("#")[0]
    return credential


def _unsafe_variants() -> list[tuple[str, Any, str]]:
    """(label, mutation, expected words in the message)."""

    def add_term(c: dict[str, Any]) -> None:
        c["credentialSubject"]["shoeSize"] = 44

    def add_type(c: dict[str, Any]) -> None:
        c["type"] = [*c["type"], "ExcellentCredential"]

    def relative_id(c: dict[str, Any]) -> None:
        c["id"] = "credentials/42"

    def relative_evidence(c: dict[str, Any]) -> None:
        c["evidence"][0]["id"] = "../evidence.pdf"

    def top_level_term(c: dict[str, Any]) -> None:
        c["favouriteColour"] = "blue"

    return [
        ("undefined subject term", add_term, "shoeSize"),
        ("undefined type", add_type, "ExcellentCredential"),
        ("relative id", relative_id, "credentials/42"),
        ("relative evidence IRI", relative_evidence, "../evidence.pdf"),
        ("undefined top-level term", top_level_term, "favouriteColour"),
    ]


@pytest.mark.parametrize("label,mutate,named", _unsafe_variants(),
                         ids=[v[0] for v in _unsafe_variants()])
@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_unsafe_documents_are_refused_when_signing(label: str, mutate: Any, named: str,
                                                   suite: str) -> None:
    credential = _credential()
    mutate(credential)
    with pytest.raises(UnsafeDocumentError, match=named.replace(".", r"\.")):
        sign_document(credential, KEY, suite=suite, verification_method=_vm())


@pytest.mark.parametrize("label,mutate,named", _unsafe_variants(),
                         ids=[v[0] for v in _unsafe_variants()])
@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
def test_unsafe_documents_are_refused_when_verifying(label: str, mutate: Any, named: str,
                                                     suite: str) -> None:
    """Even when the signature covers the unsafe content, verification refuses it."""
    credential = _credential()
    mutate(credential)
    # Sign through the proof layer with safety bypassed the only way an attacker could:
    # by computing the proof themselves. We emulate that with the unsafe engine mode.
    signed = _sign_unsafely(credential, suite)
    result = verify_credential(signed)
    assert not result.verified
    [jsonld_check] = [c for c in result.checks if c.check == "json-ld"]
    assert not jsonld_check.ok and named in jsonld_check.message


def _sign_unsafely(document: dict[str, Any], suite: str) -> dict[str, Any]:
    from standards.data_integrity.cryptosuites import SIGNING_SUITES

    cryptosuite = SIGNING_SUITES[suite]
    config = {"type": "DataIntegrityProof", "cryptosuite": suite,
              "created": "2026-01-01T00:00:00Z", "verificationMethod": _vm(),
              "proofPurpose": "assertionMethod"}
    if suite == "eddsa-jcs-2022":
        config["@context"] = document["@context"]
        data = cryptosuite.hash_data(document, config, engine_for(), KEY)
    else:
        import hashlib

        engine = engine_for()
        proof_config = {**config, "@context": document["@context"]}
        data = (hashlib.sha256(engine.canonicalize(proof_config).encode()).digest()
                + hashlib.sha256(engine.canonicalize(document, safe=False).encode()).digest())
    return {**document, "proof": {**config, "proofValue": cryptosuite.sign(data, KEY)}}


def test_unknown_context_is_refused_naming_the_url() -> None:
    credential = _credential()
    credential["@context"] = [*credential["@context"], "https://evil.example/context.jsonld"]
    with pytest.raises(DocumentLoaderError, match=re.escape("https://evil.example/context.jsonld")):
        sign_document(credential, KEY, verification_method=_vm())
    result = verify_credential({**credential, "proof": {"type": "DataIntegrityProof"}})
    assert not result.verified
    assert "https://evil.example/context.jsonld" in " ".join(result.errors)


def test_loader_never_serves_other_urls_and_test_contexts_only_on_request() -> None:
    with pytest.raises(DocumentLoaderError, match="http://localhost/ctx"):
        DEFAULT_LOADER("http://localhost/ctx")
    with pytest.raises(DocumentLoaderError, match="only for test vectors"):
        DEFAULT_LOADER("https://www.w3.org/ns/credentials/examples/v2")
    loaded = DocumentLoader(allow_test_contexts=True)(
        "https://www.w3.org/ns/credentials/examples/v2")
    assert loaded["document"]["@context"]


def test_bundled_contexts_are_parsed_once() -> None:
    first = DEFAULT_LOADER.load("https://www.w3.org/ns/credentials/v2")
    second = DEFAULT_LOADER.load("https://www.w3.org/ns/credentials/v2")
    assert first is second


def test_deeply_nested_document_is_refused_without_recursion() -> None:
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(5000):
        node["a"] = {}
        node = node["a"]
    with pytest.raises(DocumentTooLargeError, match="nested deeper"):
        check_document_limits(deep)
    credential = _credential()
    credential["credentialSubject"]["nested"] = deep
    result = verify_credential({**credential, "proof": {}})
    assert not result.verified and "nested deeper" in " ".join(result.errors)


def test_huge_document_is_refused() -> None:
    with pytest.raises(DocumentTooLargeError, match="more than"):
        check_document_limits({"items": list(range(300_000))})


def test_context_cache_does_not_change_results() -> None:
    """The memoised context processing gives the same canonical form as a cold engine."""
    from standards.jsonld import JsonLdEngine

    credential = _credential()
    warm = engine_for().canonicalize(credential)
    cold = JsonLdEngine(DEFAULT_LOADER).canonicalize(copy.deepcopy(credential))
    assert warm == cold


def test_tampering_any_signed_value_breaks_the_proof() -> None:
    signed = sign_document(_credential(), KEY, verification_method=_vm())

    def resolve(vm: str, purpose: str) -> KeyPair:
        return KEY.public_only()

    assert verify_document_proofs(signed, resolve)[0].verified
    for path in (("name",), ("credentialSubject", "achievement", "name"),
                 ("validFrom",), ("proof", "created")):
        tampered = copy.deepcopy(signed)
        target = tampered
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = "2001-01-01T00:00:00Z" if "valid" in path[-1] or path[-1] == \
            "created" else "Changed"
        assert not verify_document_proofs(tampered, resolve)[0].verified, path

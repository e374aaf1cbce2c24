"""Issue 17: no document leaves anything behind in the JSON-LD context memo, the context
resolver's caches or the bundled contexts that changes what a later valid document gives.

A fuzzer once saw valid requests fail with KeyError 'mappings' a few hundred documents after
some hostile one. The cause: pyld merged a context's `@import` into the imported context
itself (the bundled context the whole process shares) and cached the merged local context as
that context's processed form, so one `{"@import": ".../credentials/v2"}` changed or broke
every later expansion, in every engine of the process (`standards.jsonld._imports_merged`).

The test sends one process's engine a long run of hostile documents (the fuzzers' crash
classes, hand-made hostile contexts, and Hypothesis-made ones with a fixed seed), each signed,
verified and canonicalised, and after every one a valid credential, which must give exactly
what a fresh engine gave before the run: the same canonical N-Quads, the same proof, the same
verification checks.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from standards import work_budget
from standards.data_integrity import sign_document
from standards.document_loader import DEFAULT_LOADER, DocumentLoader, bundled_context
from standards.jsonld import JsonLdEngine, engine_for
from standards.verification import verify_credential
from tests.fuzz.documents import CONTEXTS, perturbed
from tests.ob3_sample import OB3_CONTEXTS, realistic_ob3_credential
from tests.verifier.signing import DATA_INTEGRITY_CONTEXT, VC_V1_CONTEXT, new_signer

VC2, OB3 = OB3_CONTEXTS
NOW = datetime(2025, 1, 1, tzinfo=UTC)
CREATED = "2024-09-01T00:00:00Z"  # a fixed proof date: Ed25519 proofs are then reproducible
SIGNER = new_signer()
HYPOTHESIS_EXAMPLES = 50

Document = dict[str, Any]
Outcome = tuple[str, str, list[tuple[str, bool, str]]]


# --- valid credentials ----------------------------------------------------------------------

def valid_credential(index: int) -> Document:
    """The `index`th valid credential of the run: its own id (so no canonical form is reused
    from the content cache) and one of five context shapes, three of which reach pyld's own
    context processing past the memo (a new context object each time)."""
    credential = realistic_ob3_credential("did:example:learner", index, issuer_id=SIGNER.did)
    shape = index % 5
    if shape == 1:  # an inline context in the root list
        credential["@context"] = [VC2, OB3, {"localNote": "https://example.org/terms#localNote"}]
        credential["credentialSubject"]["localNote"] = "geen"
    elif shape == 2:  # the VCDM 2.0 context through @import
        credential["@context"] = [{"@import": VC2}, OB3]
    elif shape == 3:  # a scoped context on an object inside
        achievement = credential["credentialSubject"]["achievement"]
        achievement["@context"] = {"level": "https://example.org/terms#level"}
        achievement["level"] = 2
    elif shape == 4:  # VCDM 1.1
        credential["@context"] = [VC_V1_CONTEXT, OB3, DATA_INTEGRITY_CONTEXT]
        credential["issuanceDate"] = credential.pop("validFrom")
    return credential


def outcome(credential: Document, loader: DocumentLoader) -> Outcome:
    """Canonical N-Quads, the proof value of an eddsa-rdfc-2022 signature, and the checks
    of verifying the signed credential, all through `loader`'s engine."""
    canonical = engine_for(loader).canonicalize(copy.deepcopy(credential))
    signed = sign_document(copy.deepcopy(credential), SIGNER.key, created=CREATED,
                           verification_method=SIGNER.verification_method, loader=loader)
    checks = verify_credential(signed, now=NOW, loader=loader).checks
    return canonical, signed["proof"]["proofValue"], [(c.check, c.ok, c.message) for c in checks]


# --- hostile documents ----------------------------------------------------------------------

def with_context(context: Any, *, inside: bool = False) -> Document:
    """The sample credential with `context` as its @context, or on its achievement."""
    credential = realistic_ob3_credential("did:example:learner", 0, issuer_id=SIGNER.did)
    node = credential["credentialSubject"]["achievement"] if inside else credential
    node["@context"] = copy.deepcopy(context)
    return credential


def nested_scoped_context(depth: int) -> Document:
    context: Document = {"a": "https://example.org/a"}
    for _ in range(depth):
        context = {"a": {"@id": "https://example.org/a", "@context": context}}
    return context


EVIL = "https://evil.example/name"
HOSTILE_CONTEXTS: list[tuple[str, Any]] = [
    ("import of VCDM 2.0", [{"@import": VC2}, OB3]),
    ("import redefining a protected term", [{"@import": VC2, "name": EVIL}, OB3]),
    ("import adding a term", [{"@import": VC2, "evil": EVIL}, OB3]),
    ("import of OB 3.0 twice", [VC2, {"@import": OB3}, {"@import": OB3, "extra": EVIL}]),
    ("import that is not a string", [VC2, OB3, {"@import": 7}]),
    ("import of an unknown context", [VC2, OB3, {"@import": "https://evil.example/c.jsonld"}]),
    ("import of a relative IRI", [VC2, OB3, {"@import": "c.jsonld"}]),
    ("import wrapped in @context", [VC2, OB3, {"@context": {"@import": VC2}}]),
    ("import beside a wrapped @context",
     [VC2, OB3, {"@context": {"@context": {}, "@import": VC2, "name": EVIL}}]),
    ("import wrapped twice", {"@context": {"@context": {"@context": {}, "@import": VC2}}}),
    ("import in a property-scoped context",
     [VC2, OB3, {"evil": {"@id": EVIL, "@context": {"@import": VC2, "name": EVIL}}}]),
    ("import in a type-scoped context",
     [VC2, OB3, {"Evil": {"@id": EVIL, "@context": {"@import": OB3}}}]),
    ("protected term redefined", [VC2, OB3, {"name": EVIL}]),
    ("protected context nullified", [VC2, OB3, None]),
    ("@vocab null", [VC2, OB3, {"@vocab": None}]),
    ("@propagate false", [VC2, OB3, {"@propagate": False, "@vocab": "https://evil.example/"}]),
    ("@propagate not a boolean", [VC2, OB3, {"@propagate": "no"}]),
    ("unknown context mid-list", [VC2, "https://evil.example/c.jsonld", OB3]),
    ("VCDM 2.0 named twice", [VC2, OB3, VC2]),
    ("@version 2", [VC2, OB3, {"@version": 2.0}]),
    ("pyld's own keys as terms",
     [VC2, OB3, {"mappings": EVIL, "_uuid": EVIL, "previousContext": EVIL}]),
    ("a term defined as a keyword alias of @context", [VC2, OB3, {"ctx": "@context"}]),
    ("cyclic term definitions", [VC2, OB3, {"p": "q:x", "q": "p:y"}]),
    ("deeply nested scoped contexts", [VC2, OB3, nested_scoped_context(40)]),
]


def hostile_documents() -> Iterator[tuple[str, Any]]:
    """Hand-made and fuzzer-found hostile documents, then Hypothesis-made ones."""
    for label, context in HOSTILE_CONTEXTS:
        yield label, with_context(context)
        yield f"{label}, inside", with_context(context, inside=True)
    for index, context in enumerate(CONTEXTS):  # the document fuzzers' contexts
        yield f"fuzz context {index}", with_context(context)
        yield f"fuzz context {index}, inside", with_context(context, inside=True)
        yield f"fuzz context {index}, appended", with_context([*OB3_CONTEXTS, context])
    deep: Any = "bottom"
    for _ in range(100):
        deep = {"nested": [deep]}
    yield "values nested 200 deep", {**with_context(list(OB3_CONTEXTS)), "evidence": deep}
    yield "numbers JSON has no room for", {
        **with_context(list(OB3_CONTEXTS)), "name": 10 ** 4000,
        "description": float("nan"), "awardedDate": float("inf")}
    for index, document in enumerate(generated_documents()):
        yield f"hypothesis example {index}", document


def generated_documents() -> list[Document]:
    """`tests.fuzz.documents.perturbed` credentials: plain, signed, with an inline context."""
    base = valid_credential(0)
    documents: list[Document] = []

    @settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, derandomize=True,
              database=None, suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(st.one_of(perturbed(base), perturbed(SIGNER.sign(base)),
                     perturbed(valid_credential(1)), perturbed(valid_credential(3))))
    def collect(document: Document) -> None:
        documents.append(document)

    collect()
    return documents


ATTACKS: list[Callable[[Any], object]] = [  # what a service does with a stranger's document
    lambda document: engine_for().canonicalize(document, safe=False),  # (signing: safe)
    lambda document: verify_credential(document, now=NOW),
    lambda document: SIGNER.sign(document),
    lambda document: SIGNER.sign(document, suite="eddsa-jcs-2022"),
]


def send(document: Any) -> None:
    """Every attack on a copy of `document`; whether it is refused does not matter here."""
    for attack in ATTACKS:
        try:
            attack(copy.deepcopy(document))
        except Exception:  # refusals are expected: only what follows matters
            continue


# --- the test -------------------------------------------------------------------------------

def test_hostile_documents_leave_nothing_behind_for_valid_ones() -> None:
    hostile = list(hostile_documents())
    fresh = DocumentLoader()  # its own engine: nothing hostile ever reaches it
    expected = [outcome(valid_credential(index), fresh) for index in range(len(hostile))]
    # each is well signed (the @import one fails only the OB 3.0 schema's first context)
    assert all(("proof", True) in {(check, ok) for check, ok, _ in checks}
               for _, _, checks in expected)

    for index, (label, document) in enumerate(hostile):
        send(copy.deepcopy(document))
        if index % 7 == 0:  # a valid credential the work budget cuts short after expansion
            with work_budget.work_budget(2_500):
                send(valid_credential(index))
        # this process's engine, and every tenth time a new one too (whose caches are cold:
        # what is shared by the whole process, such as the bundled contexts, must be intact)
        for loader in (DEFAULT_LOADER, DocumentLoader()) if index % 10 == 0 else (
                DEFAULT_LOADER,):
            assert outcome_or_error(valid_credential(index), loader) == expected[index], (
                f"valid credential {index} changed after hostile document {label!r}: "
                f"{json.dumps(document, default=repr)[:1500]}")

    assert changed_bundled_contexts() == []
    memo = engine_for()._processed
    assert all("mappings" in result for _, result in memo.values()), \
        "the context memo holds something that is not a processed active context"


def outcome_or_error(credential: Document, loader: DocumentLoader) -> Outcome | str:
    try:
        return outcome(credential, loader)
    except Exception as error:
        return f"{type(error).__name__}: {error}"


def bundled_context_files() -> dict[str, str]:
    """The text of each bundled context's file, by URL."""
    files = resources.files("contexts")
    index: dict[str, dict[str, Any]] = json.loads(
        files.joinpath("index.json").read_text("utf-8"))["contexts"]
    return {url: files.joinpath(entry["file"]).read_text("utf-8")
            for url, entry in index.items()}


def changed_bundled_contexts() -> list[str]:
    """The URLs whose bundled context (parsed once, shared) differs from its file."""
    return [url for url, text in bundled_context_files().items()
            if bundled_context(url) != json.loads(text)]


# --- @import, as JSON-LD 1.1 defines it ------------------------------------------------------

def test_an_import_is_the_imported_context_with_the_local_entries_on_top() -> None:
    """`{"@import": url, ...}` processes as the context at url with the local entries
    added (JSON-LD 1.1), and the bundled context at url stays as it was."""
    engine = JsonLdEngine(DEFAULT_LOADER)
    plain = realistic_ob3_credential("did:example:learner", 9, issuer_id=SIGNER.did)
    imported = {**plain, "@context": [{"@import": VC2}, {"@import": OB3}]}
    assert engine.canonicalize(imported) == engine.canonicalize(plain)

    extended = {**plain, "@context": [{"@import": VC2, "localNote": "https://example.org/n"},
                                      OB3], "localNote": "x"}
    assert "<https://example.org/n> \"x\"" in engine.canonicalize(extended)
    assert "localNote" not in bundled_context(VC2)["@context"]
    assert engine.canonicalize(copy.deepcopy(plain)) == JsonLdEngine(
        DEFAULT_LOADER).canonicalize(copy.deepcopy(plain))



def test_no_bundled_context_imports() -> None:
    """`standards.jsonld` merges the `@import`s of the contexts a document carries; a bundled
    context with one would reach pyld's own merge, which changes the shared bundle."""
    assert [url for url, text in bundled_context_files().items() if '"@import"' in text] == []

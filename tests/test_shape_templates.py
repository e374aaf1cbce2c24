"""Issue 20: shape templates (standards.shape_templates) on chosen cases and on every vector.

Each case compares an engine with templates against one without (pyld, the reference): the
same dataset, list for list and dict for dict, or the same refusal. The vector test runs every
JSON document in tests/vectors and ../shared/standards/vectors three times through the
template engine (the third meets a compiled template) and compares datasets and canonical
N-Quads.
"""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import pytest

from standards import rdfc, shape_templates
from standards.document_loader import DEFAULT_LOADER, TEST_VECTOR_LOADER
from standards.errors import StandardsError
from standards.jsonld import ISSUER_DEPENDENT, JsonLdEngine
from tests.conftest import STANDARDS_DIR
from tests.ob3_sample import realistic_ob3_credential
from tests.shape_documents import INLINE_CONTEXT, VC2


@pytest.fixture(autouse=True)
def compile_on_the_second_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests count documents: a template compiled on a skeleton's second miss (the
    fewest documents that exercise one) instead of the default MISSES_BEFORE_COMPILE."""
    monkeypatch.setattr(shape_templates, "MISSES_BEFORE_COMPILE", 2)


VECTOR_DIRS = [Path(__file__).parent / "vectors", STANDARDS_DIR / "vectors"]


def engines(loader: Any = DEFAULT_LOADER) -> tuple[JsonLdEngine, JsonLdEngine]:
    return JsonLdEngine(loader), JsonLdEngine(loader, shape_templates=False)


def outcome(engine: JsonLdEngine, document: Any) -> tuple[str, Any]:
    try:
        return "dataset", engine.to_dataset(copy.deepcopy(document))
    except StandardsError as exc:
        return "refused", f"{type(exc).__name__}: {exc}"


def stats(engine: JsonLdEngine) -> dict[str, int]:
    assert engine.shape_templates is not None
    return dict(engine.shape_templates.stats)


def node(id_: str, *values: str) -> dict[str, Any]:
    return {"id": id_, "type": "Thing", "ordered": list(values), "lit": values[0]}


def family_document(first: str, second: str, tags: list[str]) -> dict[str, Any]:
    return {"@context": [VC2, INLINE_CONTEXT], "id": "urn:uuid:1",
            "type": ["VerifiableCredential"], "lit2": tags,
            "credentialSubject": {"id": "did:example:s", "part": [node(first, "a", "b"),
                                                                    node(second, "c", "d")]}}


def test_a_template_serves_the_third_document_of_a_shape() -> None:
    fast, reference = engines()
    for index in range(5):
        document = realistic_ob3_credential(f"did:example:{index}", index)
        assert outcome(fast, document) == outcome(reference, document)
    assert stats(fast) == {"fallback: shape not compiled (yet)": 2, "compiled": 1,
                           "template hit": 3}


def test_subjects_that_sort_differently_reorder_nodes_and_relabel_lists() -> None:
    """pyld writes nodes sorted by id and labels list nodes as it writes them."""
    fast, reference = engines()
    documents = [family_document("https://ex.org/n1", "https://ex.org/n2", ["t1", "t2"]),
                 family_document("https://ex.org/n3", "https://ex.org/n4", ["t3", "t4"]),
                 family_document("https://ex.org/z", "https://ex.org/a", ["t5", "t6"]),
                 family_document("https://ex.org/m", "https://ex.org/m0", ["t7", "t8"])]
    for document in documents:
        assert outcome(fast, document) == outcome(reference, document)
    assert stats(fast)["template hit"] == 2
    reordered = outcome(fast, documents[2])[1]["@default"]
    assert any(t["predicate"]["value"].endswith("#first") for t in reordered)


def test_coincidences_between_literals_of_different_keys_do_not_split_a_shape() -> None:
    """A grade that happens to equal another value of the document is not tied to it: the
    next learner's credential, with other coincidences, still takes the template. Equal
    values of one key (they may be one property's values, which pyld keeps once) are tied."""
    fast, reference = engines()

    def graded(index: int, grade: str, required: str) -> dict[str, Any]:
        document = realistic_ob3_credential(f"did:example:{index}", index)
        document["credentialSubject"]["result"] = [
            {"type": ["Result"], "value": grade,
             "resultDescription": f"https://example.org/results/{index}"}]
        document["credentialSubject"]["achievement"]["tag"] = [required, f"tag-{index}"]
        return document

    documents = [graded(0, "C", "C"), graded(1, "B", "C"), graded(2, "A", "A"),
                 graded(3, "A", "C"), graded(4, "x", "x")]
    for document in documents:
        assert outcome(fast, document) == outcome(reference, document)
    assert stats(fast) == {"fallback: shape not compiled (yet)": 2, "compiled": 1,
                           "template hit": 3}
    repeated = graded(5, "B", "C")
    repeated["credentialSubject"]["achievement"]["tag"] = ["same", "same"]  # one key, equal
    assert outcome(fast, repeated) == outcome(reference, repeated)


@pytest.mark.parametrize(("first", "second", "tags", "reason"), [
    ("https://ex.org/same", "https://ex.org/same", ["t1", "t2"],
     "fallback: two IRI slots hold the same IRI"),
    ("https://ex.org/x1", "https://ex.org/x2", ["dup", "dup"],
     "fallback: slot values make pyld merge nodes or values"),
    ("ex:compact", "https://ex.org/x2", ["t1", "t2"],
     "fallback: an IRI that might not expand to itself"),
    ("https://ex.org/colon-term", "https://ex.org/x2", ["t1", "t2"],
     "fallback: an IRI that might not expand to itself"),
    (f"{ISSUER_DEPENDENT}x", "https://ex.org/x2", ["t1", "t2"],
     "fallback: an IRI that might not expand to itself"),
    ("_:blank", "https://ex.org/x2", ["t1", "t2"],
     "fallback: an IRI that might not expand to itself"),
    ("relative", "https://ex.org/x2", ["t1", "t2"],
     "fallback: an IRI that might not expand to itself"),
])
def test_values_a_template_cannot_take_go_to_pyld(first: str, second: str, tags: list[str],
                                                   reason: str) -> None:
    fast, reference = engines()
    for index in range(2):
        template_maker = family_document(f"https://ex.org/{index}a", f"https://ex.org/{index}b",
                                         [f"{index}a", f"{index}b"])
        outcome(fast, template_maker)
    document = family_document(first, second, tags)
    assert outcome(fast, document) == outcome(reference, document)
    assert stats(fast).get(reason) == 1


def test_what_steers_processing_is_never_a_slot() -> None:
    """Types, terms under @vocab, language tags, xsd:double and @json strings stay fixed."""
    def document(kind: str, vocab: str, number: str, language: str, text: str
                 ) -> dict[str, Any]:
        return {"@context": [VC2, INLINE_CONTEXT], "type": ["VerifiableCredential", kind],
                "vocabref": vocab, "dbl": number, "js": text, "lit": text,
                "names": {language: text}, "credentialSubject": {"id": "did:example:s"}}

    fast, reference = engines()
    outcome(fast, document("Thing", "Thing", "1.5", "en", "x"))
    outcome(fast, document("Thing", "Thing", "1.5", "en", "y"))
    changed = [document("Other", "Thing", "1.5", "en", "z"),  # a type-scoped context
               document("Thing", "lit", "1.5", "en", "z"),
               document("Thing", "Thing", "2.5", "en", "z")]  # pyld writes 2.5E0
    for variant in changed:
        assert outcome(fast, variant) == outcome(reference, variant)
    hits = stats(fast).get("template hit", 0)
    # @json and the literal share the value "z": both are one slot only if @json is not one
    same_text = document("Thing", "Thing", "1.5", "en", "w")
    assert outcome(fast, same_text) == outcome(reference, same_text)
    assert stats(fast).get("template hit", 0) == hits


def test_unsafe_documents_are_refused_as_pyld_refuses_them() -> None:
    fast, reference = engines()
    for index in range(3):
        outcome(fast, realistic_ob3_credential(f"did:example:{index}", index))
    for change in ({"undefinedTerm": "x"}, {"type": ["VerifiableCredential", "Nope"]},
                   {"id": "relative/id"}):
        document = {**realistic_ob3_credential("did:example:9", 9), **change}
        expected = outcome(reference, document)
        assert expected[0] == "refused"
        assert outcome(fast, document) == expected


def test_the_switch_turns_templates_off() -> None:
    off = JsonLdEngine(DEFAULT_LOADER, shape_templates=False)
    assert off.shape_templates is None
    assert outcome(off, realistic_ob3_credential("did:example:1", 1))[0] == "dataset"


def test_threads_share_templates_safely() -> None:
    fast, reference = engines()
    documents = [realistic_ob3_credential(f"did:example:{i}", i) for i in range(40)]
    expected = [outcome(reference, document) for document in documents]
    results: dict[int, tuple[str, Any]] = {}

    def work(offset: int) -> None:
        for index in range(offset, len(documents), 4):
            results[index] = outcome(fast, documents[index])

    threads = [threading.Thread(target=work, args=(offset,)) for offset in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[i] for i in range(len(documents))] == expected
    assert stats(fast).get("template hit", 0) > 20


def vector_documents() -> list[tuple[str, Any]]:
    found = []
    for directory in VECTOR_DIRS:
        for path in sorted(directory.rglob("*.json*")):
            try:
                document = json.loads(path.read_text("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                continue
            if isinstance(document, dict) and "@context" in document:
                found.append((str(path.relative_to(directory.parent)), document))
                if "proof" in document:
                    unsigned = {k: v for k, v in document.items() if k != "proof"}
                    found.append((f"{path.name} without proof", unsigned))
    return found


def test_every_vector_gives_pyld_dataset_and_canonical_form_through_templates() -> None:
    fast, reference = engines(TEST_VECTOR_LOADER)
    documents = vector_documents()
    assert len(documents) > 50
    for name, document in documents:
        expected = outcome(reference, document)
        for _ in range(3):
            got = outcome(fast, document)
            assert got == expected, name
            if got[0] == "dataset":
                assert (rdfc.canonicalize_dataset(got[1])
                        == rdfc.canonicalize_dataset(expected[1])), name
    counts = stats(fast)
    print(f"\nshape templates, {len(documents)} vector documents x3:", counts)
    assert counts["template hit"] > len(documents) / 2


def test_by_default_a_shape_is_compiled_once_it_has_missed_four_times(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Compiling costs a few pyld runs: a skeleton seen only two or three times (a mixed
    stream) is not worth it, one that keeps coming (one achievement, many learners) is."""
    monkeypatch.setattr(shape_templates, "MISSES_BEFORE_COMPILE", 4)
    fast, reference = engines()
    for index in range(6):
        document = realistic_ob3_credential(f"did:example:{index}", index)
        assert outcome(fast, document) == outcome(reference, document)
    assert stats(fast) == {"fallback: shape not compiled (yet)": 4, "compiled": 1,
                           "template hit": 2}

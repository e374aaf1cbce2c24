"""Issue 20: the lean RDFC-1.0 path (standards.rdfc_lean) gives the reference's bytes and
issued identifiers, or declines; when it declines, the full algorithm on its flat form
(standards.rdfc._FlatCanonicalizer, behind the public functions) gives them.

The W3C RDFC-1.0 suite runs through both paths; Hypothesis-made datasets (blank nodes with
equal and distinct first-degree hashes, literals with every escape class, language tags,
datatypes, named graphs, repeated quads, isomorphic copies) must give lean == full, byte for
byte and label for label, or the lean path must decline; it declines exactly when two blank
nodes share a first-degree hash. The counts are printed (pytest -s) and bounded below, so
that both outcomes stay exercised.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from standards import work_budget
from standards.document_loader import DEFAULT_LOADER
from standards.jsonld import JsonLdEngine
from standards.nquads import RDF_LANGSTRING, XSD_STRING, nquad_line, parse_nquads
from standards.rdfc import (
    HASH_ALGORITHMS,
    RDFC10Canonicalizer,
    canonical_issued_identifiers,
    canonicalize_dataset,
    canonicalize_dataset_relabelled,
)
from standards.rdfc_lean import CanonicalForm, lean_canonical_form
from tests.ob3_sample import realistic_ob3_credential
from tests.test_rdf_canon import MALFORMED_DATASETS, _entries, _hash

Dataset = dict[str, list[dict[str, dict[str, str]]]]

# How many of the suite's tests the lean path takes (the others share first-degree hashes).
SUITE_EVAL_TAKEN, SUITE_MAP_TAKEN = 33, 19
HYPOTHESIS_EXAMPLES = 600


def _lean(dataset: Any, algorithm: str = "sha256") -> CanonicalForm | None:
    return lean_canonical_form(dataset, HASH_ALGORITHMS[algorithm.lower()])


def _full(dataset: Any, algorithm: str = "sha256") -> tuple[str, RDFC10Canonicalizer]:
    canonicalizer = RDFC10Canonicalizer(hash_algorithm=algorithm)
    return canonicalizer.main(dataset), canonicalizer


def _reversed_labels(issued: dict[str, str]) -> Mapping[str, str]:
    """A label map as ecdsa-sd-2023 would make one: any bijection will do."""
    return {node: f"u{len(issued) - int(canonical[4:])}" for node, canonical in issued.items()}


def _assert_same(dataset: Any, algorithm: str, lean: CanonicalForm) -> None:
    """The lean path's result is the reference's, and the reference needed no more."""
    expected, full = _full(dataset, algorithm)
    assert lean.nquads() == expected
    # the same map, issued in the same order
    assert list(lean.issued_identifiers().items()) == list(full.issued_identifiers().items())
    assert full.work_done == 0 and full.deep_iterations == 0  # nothing the lean path skipped


def _assert_public_is_reference(dataset: Any, algorithm: str) -> None:
    """The public functions (lean path, or the full algorithm on the flat form) give the
    reference's canonical N-Quads, issued identifiers (in order) and relabelled lines."""
    expected, full = _full(dataset, algorithm)
    assert canonicalize_dataset(dataset, hash_algorithm=algorithm) == expected
    issued = canonical_issued_identifiers(dataset, hash_algorithm=algorithm)
    assert list(issued.items()) == list(full.issued_identifiers().items())
    relabelled = canonicalize_dataset_relabelled(dataset, _reversed_labels,
                                                 hash_algorithm=algorithm)
    labels = _reversed_labels(full.issued_identifiers())
    assert relabelled == sorted(nquad_line(quad, lambda node: "_:" + labels[node[2:]])
                                for quad in full.quads)  # the reference's own writer


# --- the W3C suite through both paths -----------------------------------------------------


@pytest.fixture(scope="module")
def suite(standards_dir: Path) -> Path:
    return standards_dir / "vectors" / "rdf-canon"


@pytest.mark.parametrize("entry", _entries("rdfc:RDFC10EvalTest"))
def test_eval_both_paths(suite: Path, entry: dict[str, Any]) -> None:
    dataset = parse_nquads((suite / entry["action"]).read_text("utf-8"))
    expected = (suite / entry["result"]).read_bytes().decode("utf-8")
    assert _full(dataset, _hash(entry))[0] == expected
    lean = _lean(dataset, _hash(entry))
    if lean is not None:
        assert lean.nquads() == expected
        _assert_same(dataset, _hash(entry), lean)
    _assert_public_is_reference(dataset, _hash(entry))


@pytest.mark.parametrize("entry", _entries("rdfc:RDFC10MapTest"))
def test_issued_identifiers_both_paths(suite: Path, entry: dict[str, Any]) -> None:
    dataset = parse_nquads((suite / entry["action"]).read_text("utf-8"))
    expected = json.loads((suite / entry["result"]).read_text("utf-8"))
    assert _full(dataset, _hash(entry))[1].issued_identifiers() == expected
    lean = _lean(dataset, _hash(entry))
    if lean is not None:
        assert lean.issued_identifiers() == expected


def test_lean_path_took_the_suite_tests_without_shared_hashes(suite: Path) -> None:
    """How many of the W3C tests the lean path takes (counted here, not across the tests
    above, which pytest-xdist spreads over processes)."""
    taken: Counter[str] = Counter()
    for kind, test_type in (("eval", "rdfc:RDFC10EvalTest"), ("map", "rdfc:RDFC10MapTest")):
        for param in _entries(test_type):
            entry = param.values[0]
            dataset = parse_nquads((suite / entry["action"]).read_text("utf-8"))
            taken[kind] += _lean(dataset, _hash(entry)) is not None
    assert (taken["eval"], taken["map"]) == (SUITE_EVAL_TAKEN, SUITE_MAP_TAKEN)


@pytest.mark.parametrize("entry", _entries("rdfc:RDFC10NegativeEvalTest"))
def test_poison_graph_is_declined(suite: Path, entry: dict[str, Any]) -> None:
    assert _lean(parse_nquads((suite / entry["action"]).read_text("utf-8"))) is None


# --- credentials take the lean path ---------------------------------------------------------


def test_realistic_credentials_take_the_lean_path() -> None:
    engine = JsonLdEngine(DEFAULT_LOADER)
    for index in range(5):
        dataset = engine.to_dataset(realistic_ob3_credential(f"did:example:{index}", index))
        snapshot = copy.deepcopy(dataset)
        for algorithm in ("sha256", "sha384"):
            lean = _lean(dataset, algorithm)
            assert lean is not None and len(lean.issued) == 8
            _assert_same(dataset, algorithm, lean)
            _assert_public_is_reference(dataset, algorithm)
        assert dataset == snapshot


@pytest.mark.parametrize("dataset", MALFORMED_DATASETS)
def test_malformed_datasets_are_declined_and_the_full_path_names_them(dataset: Any) -> None:
    assert _lean(dataset) is None
    with pytest.raises(Exception, match="malformed RDF"):
        canonicalize_dataset(dataset)


# --- Hypothesis: lean == full, or declined --------------------------------------------------

BLANK_NODES = [f"_:n{i}" for i in range(5)]
IRIS = ["urn:ex:a", "urn:ex:b", "http://example.org/c"]
PREDICATES = ["urn:ex:p", "urn:ex:q"]  # few, so that blank nodes often look alike
DATATYPES = [XSD_STRING, RDF_LANGSTRING, "http://www.w3.org/2001/XMLSchema#integer",
             "urn:ex:datatype"]
# ECHAR, UCHAR (C0 controls, DEL), and characters written as they are
LITERAL_CHARACTERS = ["\\", '"', "\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x0b", "\x1f",
                      "\x7f", "'", "a", "b", " ", "\x85", "\u2028", "é", "😀"]


def _literal() -> st.SearchStrategy[dict[str, str]]:
    text = st.text(alphabet=st.sampled_from(LITERAL_CHARACTERS), max_size=4)
    return st.builds(
        lambda value, datatype, language: {
            "type": "literal", "value": value,
            **({} if datatype is None else {"datatype": datatype}),
            **({} if language is None else {"language": language})},
        text, st.sampled_from([None, *DATATYPES]), st.sampled_from([None, "", "en", "nl-NL"]))


def _node(kinds: list[str]) -> st.SearchStrategy[dict[str, str]]:
    return st.sampled_from([{"type": kind, "value": value} for kind in kinds
                            for value in (BLANK_NODES if kind == "blank node" else IRIS)])


_QUAD = st.tuples(
    _node(["blank node", "IRI"]),
    st.sampled_from(PREDICATES),
    st.one_of(_node(["blank node", "IRI"]), _literal()),
    st.sampled_from(["@default", "@default", "urn:ex:g", *BLANK_NODES[:2]]),
)


def _dataset(quads: list[Any], copies: int) -> Dataset:
    """`quads` (and `copies` isomorphic copies with other blank-node labels) in pyld's form."""
    def relabel(term: Any, copy_number: int) -> Any:
        if copy_number and term["type"] == "blank node":
            return {**term, "value": f"{term['value']}c{copy_number}"}
        return term

    dataset: Dataset = {}
    for copy_number in range(copies + 1):
        for subject, predicate, obj, graph in quads:
            if copy_number and graph.startswith("_:"):
                graph = f"{graph}c{copy_number}"
            dataset.setdefault(graph, []).append({
                "subject": relabel(subject, copy_number),
                "predicate": {"type": "IRI", "value": predicate},
                "object": relabel(obj, copy_number)})
    return dataset


def _shares_a_first_degree_hash(full: RDFC10Canonicalizer) -> bool:
    hashes = [info["hash"] for info in full.blank_node_info.values()]
    return len(hashes) != len(set(hashes))


def test_lean_equals_full_or_declines(capsys: pytest.CaptureFixture[str]) -> None:
    counts: Counter[str] = Counter()

    @settings(max_examples=HYPOTHESIS_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    @given(st.lists(_QUAD, max_size=12), st.sampled_from([0, 0, 1]),
           st.sampled_from(["sha256", "sha384"]), st.booleans())
    def check(quads: list[Any], copies: int, algorithm: str, repeat: bool) -> None:
        dataset = _dataset(quads + quads[:2] if repeat else quads, copies)
        snapshot = copy.deepcopy(dataset)
        lean = _lean(dataset, algorithm)
        full = _full(dataset, algorithm)[1]
        assert dataset == snapshot
        if lean is None:
            counts["declined"] += 1
            assert _shares_a_first_degree_hash(full)  # declined only when it had to
        else:
            counts["lean"] += 1
            counts["lean, with blank nodes"] += bool(lean.issued)
            assert not _shares_a_first_degree_hash(full)
            _assert_same(dataset, algorithm, lean)
        _assert_public_is_reference(dataset, algorithm)
        assert dataset == snapshot

    check()
    with capsys.disabled():
        print(f"\nlean RDFC-1.0 differential: {dict(counts)}")
    total = counts["lean"] + counts["declined"]
    assert counts["lean, with blank nodes"] >= total // 4
    assert counts["declined"] >= total // 10


def test_lean_path_charges_no_work_budget() -> None:
    # The work limit counts Hash N-Degree Quads work, which the lean path never needs: a
    # tiny request budget is not touched (the full path charges nothing here either).
    dataset = JsonLdEngine(DEFAULT_LOADER).to_dataset(realistic_ob3_credential("did:ex:1", 1))
    with work_budget.work_budget(1) as budget:
        assert _lean(dataset) is not None
        canonicalize_dataset(dataset)
        RDFC10Canonicalizer().main(dataset)
    assert budget.spent == 0



def test_full_algorithm_on_the_flat_form_works_and_charges_as_the_reference(
        suite: Path) -> None:
    text = (suite / "rdfc10" / "test044-in.nq").read_text("utf-8")  # 12 look-alike blank nodes
    with work_budget.work_budget(10**6) as flat_budget:
        flat_result = canonicalize_dataset(parse_nquads(text))
    reference = RDFC10Canonicalizer()
    with work_budget.work_budget(10**6) as reference_budget:
        assert reference.main(parse_nquads(text)) == flat_result
    assert flat_budget.spent == reference_budget.spent == reference.work_done == 20_340

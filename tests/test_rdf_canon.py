"""RDFC-1.0 canonicalisation: the official W3C test suite, escaping, work limits, no mutation."""

from __future__ import annotations

import copy
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld

from standards.document_loader import TEST_VECTOR_LOADER
from standards.errors import CanonicalizationError
from standards.nquads import NQuadsSyntaxError, parse_nquads
from standards.rdfc import (
    DEFAULT_BASE_WORK,
    DEFAULT_WORK_PER_BLANK_NODE,
    RDFC10Canonicalizer,
    canonical_issued_identifiers,
    canonicalize_dataset,
    canonicalize_nquads,
    escape_literal,
)

# Only to list the test ids at collection time; the tests read files via `standards_dir`.
_MANIFEST = (
    Path(__file__).resolve().parents[2] / "shared" / "standards" / "vectors" / "rdf-canon"
    / "manifest.jsonld"
)


def _entries(test_type: str) -> list[Any]:
    if not _MANIFEST.is_file():
        return [pytest.param(None, id="rdf-canon-suite-missing")]
    entries = json.loads(_MANIFEST.read_text("utf-8"))["entries"]
    return [pytest.param(e, id=e["id"].lstrip("#")) for e in entries if e["type"] == test_type]


@pytest.fixture(scope="module")
def suite(standards_dir: Path) -> Path:
    return standards_dir / "vectors" / "rdf-canon"


def _action(suite: Path, entry: dict[str, Any] | None) -> str:
    if entry is None:
        pytest.fail(f"RDFC-1.0 test manifest not found at {_MANIFEST}")
    return (suite / entry["action"]).read_bytes().decode("utf-8")


def _hash(entry: dict[str, Any]) -> str:
    return entry.get("hashAlgorithm", "sha256")


def test_manifest_has_every_kind_of_test(suite: Path) -> None:
    entries = json.loads((suite / "manifest.jsonld").read_text("utf-8"))["entries"]
    kinds = [e["type"] for e in entries]
    assert kinds.count("rdfc:RDFC10EvalTest") == 64
    assert kinds.count("rdfc:RDFC10MapTest") == 21
    assert kinds.count("rdfc:RDFC10NegativeEvalTest") == 1
    assert {e.get("hashAlgorithm") for e in entries} == {None, "SHA384"}


# --- the official suite -------------------------------------------------------------------


@pytest.mark.parametrize("entry", _entries("rdfc:RDFC10EvalTest"))
def test_eval(suite: Path, entry: dict[str, Any]) -> None:
    expected = (suite / entry["result"]).read_bytes()
    result = canonicalize_nquads(_action(suite, entry), hash_algorithm=_hash(entry))
    assert result.encode("utf-8") == expected


@pytest.mark.parametrize("entry", _entries("rdfc:RDFC10MapTest"))
def test_issued_identifiers_map(suite: Path, entry: dict[str, Any]) -> None:
    dataset = parse_nquads(_action(suite, entry))
    expected = json.loads((suite / entry["result"]).read_text("utf-8"))
    issued = canonical_issued_identifiers(dataset, hash_algorithm=_hash(entry))
    assert issued == expected
    input_labels = {
        term["value"][2:]
        for graph, triples in dataset.items()
        for triple in triples
        for term in (triple["subject"], triple["object"], {"type": "", "value": graph})
        if term["value"].startswith("_:")
    }
    assert set(issued) == input_labels


@pytest.mark.parametrize("entry", _entries("rdfc:RDFC10NegativeEvalTest"))
def test_poison_graph_is_refused_fast(suite: Path, entry: dict[str, Any]) -> None:
    text = _action(suite, entry)
    with pytest.raises(CanonicalizationError, match="work limit exceeded"):
        canonicalize_nquads(text)


# --- work limits --------------------------------------------------------------------------


def _suite_file(suite: Path, name: str) -> str:
    return (suite / "rdfc10" / name).read_text("utf-8")


def test_evil_graph_needs_20340_units(suite: Path) -> None:
    text = _suite_file(suite, "test044-in.nq")
    expected = _suite_file(suite, "test044-rdfc10.nq")
    assert canonicalize_nquads(text, max_work=20_340) == expected
    assert canonicalize_nquads(text) == expected  # within the default budget
    with pytest.raises(CanonicalizationError, match="more than 20339 units of work"):
        canonicalize_nquads(text, max_work=20_339)


def test_budget_grows_with_the_look_alike_blank_nodes(suite: Path) -> None:
    canonicalizer = RDFC10Canonicalizer(base_work=7, work_per_blank_node=3)
    with pytest.raises(CanonicalizationError, match="more than 43 units"):
        canonicalizer.main(parse_nquads(_suite_file(suite, "test044-in.nq")))
    assert canonicalizer.max_work == 7 + 3 * 12  # test044 has 12 look-alike blank nodes
    fixed = RDFC10Canonicalizer(max_work=5, base_work=7)
    fixed.main(parse_nquads("<urn:s> <urn:p> <urn:o> .\n"))
    assert fixed.max_work == 5


def test_many_copies_of_an_evil_graph_cost_what_one_costs_times_the_copies(suite: Path) -> None:
    # Ordinary repetition of a hard graph: the budget grows with it, the work stays linear.
    text = _suite_file(suite, "test044-in.nq")
    one = RDFC10Canonicalizer()
    one.main(parse_nquads(text))
    copies = "".join(re.sub(r"_:(\w+)", rf"_:\1x{i}", text) for i in range(20))
    many = RDFC10Canonicalizer()
    canonical = many.main(parse_nquads(copies))
    assert canonical.count("\n") == 20 * text.count("\n")
    assert many.work_done <= 20 * one.work_done * 1.1


def test_poison_graph_copies_are_refused_after_work_proportional_to_their_size(
        suite: Path) -> None:
    text = _suite_file(suite, "test074-in.nq")
    copies = "".join(re.sub(r"_:(\w+)", rf"_:\1x{i}", text) for i in range(10))
    canonicalizer = RDFC10Canonicalizer()
    with pytest.raises(CanonicalizationError, match="units of work"):
        canonicalizer.main(parse_nquads(copies))
    assert canonicalizer.max_work == DEFAULT_BASE_WORK + DEFAULT_WORK_PER_BLANK_NODE * 10 * 10
    # charged as it goes: stopped within one permutation of the budget
    assert canonicalizer.work_done <= canonicalizer.max_work + 100


def test_long_chain_of_look_alike_blank_nodes_is_refused_not_a_recursion_error() -> None:
    cycle = "".join(f"_:n{i} <urn:ex:next> _:n{(i + 1) % 500} .\n" for i in range(500))
    with pytest.raises(CanonicalizationError, match="nests deeper than"):
        canonicalize_nquads(cycle)


def test_unbounded_permutations_are_refused_as_they_are_walked() -> None:
    # Two hubs, each with 12 look-alike leaves: 12! orderings per hub.
    text = "".join(
        f"_:hub{h} <urn:ex:p> _:leaf{h}x{i} .\n" for h in range(2) for i in range(12)
    )
    with pytest.raises(CanonicalizationError, match="units of work"):
        canonicalize_nquads(text)


# --- symmetric documents: ordinary repetition canonicalises --------------------------------


PROOF_PROPERTIES = ["type", "cryptosuite", "created", "verificationMethod", "proofPurpose",
                    "proofValue"]


def _symmetric(copies: int) -> str:
    """Two credential graphs, each embedding `copies` times the same endorsement: a blank
    object with a proof in a blank-node graph of its own (as an embedded credential's proof
    is). Every object, proof graph and proof node has look-alikes; the proof node is related
    to its graph through six quads with the same hash."""
    lines = []
    for graph in ("_:g1", "_:g2"):
        lines.append(f"<urn:ex:vp> <urn:ex:member> {graph} .\n")
        lines.append(f"<urn:ex:credential{graph[3:]}> <urn:ex:type> <urn:ex:Badge> {graph} .\n")
        for i in range(copies):
            node, proof, proof_node = (f"_:{kind}{graph[3:]}x{i}" for kind in "opn")
            lines += [f"<urn:ex:badge> <urn:ex:endorsement> {node} {graph} .\n",
                      f'{node} <urn:ex:name> "Aanbeveling" {graph} .\n',
                      f"{node} <urn:ex:proof> {proof} {graph} .\n"]
            lines += [f'{proof_node} <urn:ex:{name}> "{name}-value" {proof} .\n'
                      for name in PROOF_PROPERTIES]
    return "".join(lines)


@pytest.mark.parametrize("copies", [2, 10, 50])
def test_identical_objects_canonicalise_within_a_linear_budget(copies: int) -> None:
    # 2 copies went through before; 10 and 50 tripped the old limit (each proof node was
    # charged 6! orderings of itself).
    canonicalizer = RDFC10Canonicalizer()
    canonical = canonicalizer.main(parse_nquads(_symmetric(copies)))
    assert canonical.count("\n") == 2 * (2 + 9 * copies)
    look_alikes = 2 * 3 * copies  # every object, proof graph and proof node
    assert canonicalizer.work_done < 20 * look_alikes  # about 16 units each, whatever the size
    # the labels do not depend on the input's labels
    relabelled = re.sub(r"_:(\w+)", r"_:other\1", _symmetric(copies))
    assert canonicalize_nquads(relabelled) == canonical


def test_related_blank_node_seen_through_many_quads_is_one_permutation() -> None:
    # A blank-node graph holding a blank proof node: the proof node is related to the graph
    # once per quad (6 times, same hash). pyld yields one ordering of [n, n, n, n, n, n];
    # it used to be charged 6! = 720 units up front, so 14 such credentials were refused.
    quads = []
    for i in range(40):
        quads.append(f"<urn:ex:c{i}> <urn:ex:proof> _:p{i} .\n")
        quads += [f'_:n{i} <urn:ex:k{k}> "v" _:p{i} .\n' for k in range(6)]
    canonicalizer = RDFC10Canonicalizer()
    canonicalizer.main(parse_nquads("".join(quads)))
    assert canonicalizer.work_done < 40 * 20


# --- canonical escaping -------------------------------------------------------------------

ECHARS = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
UCHAR_CODES = [*range(0x00, 0x08), 0x0B, *range(0x0E, 0x20), 0x7F]
RAW = ["'", " ", "~", "\x80", "\x85", "\x9f", "\xa0", "\u2028", "\u2029", "\ufeff", "😀"]


def _literal_line(value: str) -> str:
    dataset = {"@default": [{
        "subject": {"type": "IRI", "value": "urn:ex:s"},
        "predicate": {"type": "IRI", "value": "urn:ex:p"},
        "object": {"type": "literal", "value": value,
                   "datatype": "http://www.w3.org/2001/XMLSchema#string"},
    }]}
    return canonicalize_dataset(dataset)


@pytest.mark.parametrize("char", list(ECHARS), ids=[f"U+{ord(c):04X}" for c in ECHARS])
def test_echar_characters(char: str) -> None:
    assert _literal_line(f"a{char}b") == f'<urn:ex:s> <urn:ex:p> "a{ECHARS[char]}b" .\n'


@pytest.mark.parametrize("code", UCHAR_CODES, ids=[f"U+{c:04X}" for c in UCHAR_CODES])
def test_other_control_characters_are_uchar_with_uppercase_hex(code: int) -> None:
    expected = f"\\u{code:04X}"
    assert _literal_line(f"a{chr(code)}b") == f'<urn:ex:s> <urn:ex:p> "a{expected}b" .\n'


@pytest.mark.parametrize("char", RAW, ids=[f"U+{ord(c):04X}" for c in RAW])
def test_everything_else_is_written_as_is(char: str) -> None:
    assert _literal_line(f"a{char}b") == f'<urn:ex:s> <urn:ex:p> "a{char}b" .\n'


def test_escaping_covers_exactly_the_control_characters_quote_and_backslash() -> None:
    escaped = {chr(c) for c in range(0x110) if escape_literal(chr(c)) != chr(c)}
    assert escaped == set(ECHARS) | {chr(c) for c in UCHAR_CODES}


@pytest.mark.parametrize("algorithm", ["sha256", "SHA384"])
def test_blank_node_hashes_use_the_canonical_serialisation(algorithm: str) -> None:
    canonicalizer = RDFC10Canonicalizer(hash_algorithm=algorithm)
    canonicalizer.main(parse_nquads('_:x <urn:ex:p> "\\u0001\\u000B\\b" .\n'))
    line = b'_:a <urn:ex:p> "\\u0001\\u000B\\b" .\n'
    assert canonicalizer.blank_node_info["_:x"]["hash"] == hashlib.new(algorithm, line).hexdigest()


def test_canonical_output_is_a_fixed_point(suite: Path) -> None:
    # Parsing the canonical escapes back and writing them again changes nothing.
    canonical = _suite_file(suite, "test060-rdfc10.nq")
    assert canonicalize_nquads(canonical) == canonical


# --- datasets as the signing code hands them over -----------------------------------------


@pytest.mark.parametrize("kat", ["ob-eddsa-rdfc-2022-kat.json", "clr-eddsa-rdfc-2022-kat.json"])
def test_credential_hash_matches_known_answer_and_dataset_is_untouched(
    standards_dir: Path, kat: str
) -> None:
    vector = json.loads((standards_dir / "vectors" / "ob3-kat" / kat).read_text("utf-8"))
    dataset = jsonld.to_rdf(vector["unsignedCredential"], {"documentLoader": TEST_VECTOR_LOADER})
    snapshot = copy.deepcopy(dataset)
    canonical = canonicalize_dataset(dataset)
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == vector["documentHashHex"]
    assert dataset == snapshot
    assert canonicalize_dataset(dataset) == canonical


def test_named_blank_node_graphs_are_not_mutated(suite: Path) -> None:
    dataset = parse_nquads(_suite_file(suite, "test071-in.nq"))
    assert any(name.startswith("_:") for name in dataset)
    snapshot = copy.deepcopy(dataset)
    assert canonicalize_dataset(dataset) == _suite_file(suite, "test071-rdfc10.nq")
    assert dataset == snapshot
    canonical_issued_identifiers(dataset)
    assert dataset == snapshot


def test_input_labels_that_look_canonical_are_still_relabelled() -> None:
    # pyld's own step 7 skips labels starting with "_:c14n" and gets this wrong.
    looks_canonical = '_:c14n1 <urn:p> "a" .\n_:c14n0 <urn:p> "b" .\n_:c14n0 <urn:q> _:c14n1 .\n'
    plain = looks_canonical.replace("c14n1", "x").replace("c14n0", "y")
    expected = '_:c14n0 <urn:p> "a" .\n_:c14n1 <urn:p> "b" .\n_:c14n1 <urn:q> _:c14n0 .\n'
    assert canonicalize_nquads(plain) == expected
    assert canonicalize_nquads(looks_canonical) == expected


def test_duplicate_quads_in_a_dataset_count_once() -> None:
    triple = {
        "subject": {"type": "blank node", "value": "_:b0"},
        "predicate": {"type": "IRI", "value": "urn:ex:p"},
        "object": {"type": "IRI", "value": "urn:ex:o"},
    }
    dataset = {"@default": [triple, copy.deepcopy(triple)]}
    assert canonicalize_dataset(dataset) == "_:c14n0 <urn:ex:p> <urn:ex:o> .\n"


def test_quads_written_alike_count_once() -> None:
    # A literal without a datatype is an xsd:string; the language only counts on langString.
    def triple(obj: dict[str, str]) -> dict[str, Any]:
        return {"subject": {"type": "blank node", "value": "_:b0"},
                "predicate": {"type": "IRI", "value": "urn:ex:p"},
                "object": {"type": "literal", "value": "v", **obj}}

    dataset = {"@default": [
        triple({}), triple({"datatype": "http://www.w3.org/2001/XMLSchema#string"}),
        triple({"datatype": "http://www.w3.org/2001/XMLSchema#string", "language": "en"})]}
    assert canonicalize_dataset(dataset) == '_:c14n0 <urn:ex:p> "v" .\n'
    assert RDFC10Canonicalizer().main(dataset) == '_:c14n0 <urn:ex:p> "v" .\n'


# rdf-canonize 5.0.0 (Digital Bazaar, interop/js) keeps a *set* of quads per blank node: a quad
# in which a blank node is two terms is hashed once for it. pyld's list held it twice, which
# gave these inputs other labels than rdf-canonize's (outputs below are rdf-canonize's).
SELF_RELATED = [
    ('_:x <urn:p> _:x .\n_:y <urn:p> "a" .\n',
     '_:c14n0 <urn:p> "a" .\n_:c14n1 <urn:p> _:c14n1 .\n'),
    ('_:x <urn:p> "v" _:x .\n_:y <urn:p> "a" .\n',
     '_:c14n0 <urn:p> "a" .\n_:c14n1 <urn:p> "v" _:c14n1 .\n'),
    ('_:x <urn:p> _:x .\n_:x <urn:q> _:z .\n_:z <urn:r> "b" .\n'  # needs Hash N-Degree Quads
     '_:y <urn:p> _:y .\n_:y <urn:q> _:w .\n_:w <urn:r> "b" .\n',
     '_:c14n0 <urn:r> "b" .\n_:c14n1 <urn:p> _:c14n1 .\n_:c14n1 <urn:q> _:c14n0 .\n'
     '_:c14n2 <urn:r> "b" .\n_:c14n3 <urn:p> _:c14n3 .\n_:c14n3 <urn:q> _:c14n2 .\n'),
]


@pytest.mark.parametrize(("text", "expected"), SELF_RELATED, ids=["loop", "own-graph", "deep"])
def test_a_blank_node_is_related_to_a_quad_once(text: str, expected: str) -> None:
    assert canonicalize_nquads(text) == expected
    assert RDFC10Canonicalizer().main(parse_nquads(text)) == expected


# Datasets in pyld's form that are not well formed (also what the lean path must decline,
# tests/test_rdfc_lean.py).
MALFORMED_DATASETS = [
    pytest.param([], id="not-a-mapping"),
    pytest.param({"@default": [{"subject": {"type": "IRI", "value": "urn:s"}}]},
                 id="missing-terms"),
    pytest.param({"@default": [{"subject": {"type": "literal", "value": "x"},
                                "predicate": {"type": "IRI", "value": "urn:p"},
                                "object": {"type": "IRI", "value": "urn:o"}}]},
                 id="literal-subject"),
    pytest.param({"@default": [{"subject": {"type": "IRI", "value": "urn:s"},
                                "predicate": {"type": "blank node", "value": "_:p"},
                                "object": {"type": "IRI", "value": "urn:o"}}]},
                 id="blank-predicate"),
    pytest.param({"@default": [{"subject": {"type": "IRI", "value": "urn:s"},
                                "predicate": {"type": "IRI", "value": "urn:p"},
                                "object": {"type": "literal", "value": 5}}]},
                 id="non-text-literal"),
    pytest.param({"@default": [{"subject": {"type": "IRI", "value": "urn:s"},
                                "predicate": {"type": "IRI", "value": "urn:p"},
                                "object": {"type": "literal", "value": "x",
                                           "language": None}}]},
                 id="language-none"),
    pytest.param({"@default": "not a list"}, id="graph-not-a-list"),
    pytest.param({"@default": [{"subject": {"type": "blank node", "value": "b0"},
                                "predicate": {"type": "IRI", "value": "urn:p"},
                                "object": {"type": "IRI", "value": "urn:o"}}]},
                 id="blank-node-without-prefix"),
    pytest.param({"@default": [["not", "a", "triple"]]}, id="triple-not-a-mapping"),
    pytest.param({"": []}, id="empty-graph-name"),
]


@pytest.mark.parametrize("dataset", MALFORMED_DATASETS)
def test_malformed_datasets_are_refused(dataset: Any) -> None:
    with pytest.raises(CanonicalizationError, match="malformed RDF"):
        canonicalize_dataset(dataset)


def test_unknown_hash_algorithm_is_named() -> None:
    with pytest.raises(CanonicalizationError, match="'md5'"):
        canonicalize_nquads("<urn:s> <urn:p> <urn:o> .\n", hash_algorithm="md5")


# --- the N-Quads parser -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<urn:s> <urn:p> <urn:o> .\n<s> <urn:p> <urn:o> .\n", "line 2: IRI <s> is not absolute"),
        ('<urn:s> <urn:p> "o" "g" .', "line 1"),
        ('<urn:s> <urn:p> "\\q" .', "line 1"),
        ('<urn:s> <urn:p> "\\uD800" .', "not a Unicode scalar value"),
        ("<urn:s> <urn:p> <urn:o>", "line 1"),
    ],
    ids=["relative-iri", "literal-graph", "unknown-escape", "surrogate", "no-terminator"],
)
def test_invalid_nquads_name_the_line(text: str, problem: str) -> None:
    with pytest.raises(NQuadsSyntaxError, match=re.escape(problem)):
        parse_nquads(text)


def test_parser_keeps_unicode_line_separators_inside_literals_and_reads_crlf() -> None:
    text = '<urn:s> <urn:p> "a\u2028b\x85c" . # comment\r\n<urn:s> <urn:p> "d"@en-GB <urn:g>.\r\n'
    dataset = parse_nquads(text)
    assert dataset["@default"][0]["object"]["value"] == "a\u2028b\x85c"
    assert dataset["urn:g"][0]["object"]["language"] == "en-GB"
    assert canonicalize_dataset(dataset) == (
        '<urn:s> <urn:p> "a\u2028b\x85c" .\n<urn:s> <urn:p> "d"@en-GB <urn:g> .\n'
    )

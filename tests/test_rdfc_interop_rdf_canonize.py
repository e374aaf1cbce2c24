"""RDFC-1.0 against Digital Bazaar's rdf-canonize 5.0.0 (interop/js/canonize.mjs): datasets
made at random (seeded) with look-alike and distinct blank nodes, blank nodes related to
themselves (``_:x <p> _:x``, a blank node naming its own graph), literals with every escape
class, language tags, datatypes, named graphs and isomorphic copies, all in one node run.
Every canonical form must be rdf-canonize's; both the lean and the full path are exercised
(the lean path takes most, the full algorithm the copies)."""

from __future__ import annotations

import random

from standards.nquads import escape_literal, parse_nquads
from standards.rdfc import HASH_ALGORITHMS, canonicalize_nquads
from standards.rdfc_lean import lean_canonical_form
from tests.js_harness import require_harness, run_node

CASES = 300
BLANK_NODES = [f"_:n{i}" for i in range(5)]
IRIS = ["<urn:ex:a>", "<urn:ex:b>", "<http://example.org/c>"]
PREDICATES = ["<urn:ex:p>", "<urn:ex:q>"]
CHARACTERS = ["\\", '"', "\n", "\r", "\t", "\b", "\f", "\x00", "\x01", "\x0b", "\x1f", "\x7f",
              "'", "a", "b", " ", "\x85", "\u2028", "é", "😀"]
SUFFIXES = ["", "^^<http://www.w3.org/2001/XMLSchema#integer>", "^^<urn:ex:dt>", "@en", "@nl-NL"]


def _document(rng: random.Random) -> str:
    def literal() -> str:
        text = "".join(rng.choice(CHARACTERS) for _ in range(rng.randint(0, 4)))
        return '"' + escape_literal(text) + '"' + rng.choice(SUFFIXES)

    quads = [(rng.choice(BLANK_NODES + IRIS), rng.choice(PREDICATES),
              rng.choice([*BLANK_NODES, *IRIS, "", "", ""]) or literal(),
              rng.choice(["", "", "<urn:ex:g>", *BLANK_NODES[:2]]))
             for _ in range(rng.randint(1, 10))]
    lines = []
    for copy_number in range(rng.choice([0, 0, 1]) + 1):
        def label(term: str, copy_number: int = copy_number) -> str:
            return f"{term}c{copy_number}" if copy_number and term.startswith("_:") else term

        lines += [f"{label(s)} {p} {label(o)}{' ' + label(g) if g else ''} .\n"
                  for s, p, o, g in quads]
    rng.shuffle(lines)
    return "".join(lines)


def test_canonical_forms_are_rdf_canonizes() -> None:
    require_harness()
    rng = random.Random(20)
    cases = [(_document(rng), rng.choice(["sha256", "sha384"])) for _ in range(CASES)]
    results = run_node("canonize.mjs", [{"nquads": text, "hashAlgorithm": algorithm}
                                        for text, algorithm in cases])["results"]
    lean_taken = 0
    for (text, algorithm), result in zip(cases, results, strict=True):
        assert canonicalize_nquads(text, hash_algorithm=algorithm) == result["canonical"], text
        dataset = parse_nquads(text)
        lean_taken += lean_canonical_form(dataset, HASH_ALGORITHMS[algorithm]) is not None
    assert CASES // 2 < lean_taken < CASES  # both paths exercised

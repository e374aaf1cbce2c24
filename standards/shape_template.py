"""A compiled shape template: the RDF dataset of one JSON-LD shape with slots for its strings.

`standards.shape_compiler` makes one from a document that went through pyld; `match` says
whether another document of the same skeleton (`standards.shape_key`) may use it, and `fill`
gives that document's dataset in pyld's form, order and blank-node labels included:

* Fixed strings must equal the compiled document's (they steer JSON-LD processing).
* A literal slot takes any string: neither expansion nor toRDF looks inside a string that
  becomes a plain or typed literal (xsd:double and rdf:JSON literals are never slots: pyld
  rewrites those).
* An IRI slot takes only an IRI that expands to itself at that position: same scheme and
  the same "//" form as the marker that was seen to expand to itself there (so a prefix
  definition of that scheme, if any, maps it onto itself), not a term with a colon that a
  reachable context defines (vocab-relative positions look terms up first), not under VC
  2.0's issuer-dependent namespace (`refused_prefixes`: safe mode refuses those).
* pyld's node map merges nodes with equal ids and drops equal values of one property; a
  filled dataset where two subjects or two quads became equal is refused (the caller falls
  back to pyld). Otherwise the order is pyld's: nodes sorted by id, list nodes labelled in
  that order (`_:b<n>` after the node map's labels), so both are recomputed when slot values
  change the order of the subjects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

Dataset = dict[str, list[dict[str, Any]]]

# Stricter than pyld's absolute-IRI test (letters, digits, +-. in the scheme; no white space),
# and without characters N-Quads cannot write in an IRI.
IRI_FORM = re.compile(r'[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>"{}|\\^`\x00-\x20\x7f]*\Z')

# Term templates: ("c", term) a constant term (copied on fill); ("iri", i) an IRI slot;
# ("lit", i, datatype, language or None) a literal slot; ("list", label) a blank node that
# pyld's toRDF labels (a list node), relabelled when subject order changes.
Term = tuple[Any, ...]
Quad = tuple[Term, dict[str, str], Term]


@dataclass(frozen=True, slots=True)
class IriSlot:
    """An IRI slot's acceptance: the scheme and "//" form its verified marker had."""

    scheme: str
    hierarchical: bool  # the part after the scheme starts with "//"

    def accepts(self, value: str, colon_terms: frozenset[str],
                refused_prefixes: tuple[str, ...]) -> bool:
        if IRI_FORM.match(value) is None:
            return False
        scheme, rest = value.split(":", 1)
        return (scheme == self.scheme and rest.startswith("//") == self.hierarchical
                and not value.startswith(refused_prefixes) and value not in colon_terms)


@dataclass(frozen=True, slots=True)
class Group:
    """One node's quads in pyld's order (its lists' quads first, as pyld emits them)."""

    subject: Term
    quads: tuple[Quad, ...]
    list_labels: tuple[str, ...]  # list nodes pyld labels while writing this node, in order
    # Quads (indexes) of one subject and predicate, some with a slot object: their objects
    # must stay distinct, or pyld would have dropped one. (Quads of different subjects
    # cannot become equal: subjects are checked to stay distinct, list nodes are unique.)
    collisions: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Graph:
    name: str
    groups: tuple[Group, ...]


@dataclass(frozen=True, slots=True)
class ShapeTemplate:
    fixed: tuple[tuple[int, str], ...]  # (position, value) that must be equal
    # A slot is the positions that held one value (pyld merges equal ids and drops equal
    # values): they must hold one value again. Quads refer to a slot by its first position.
    iri_slots: tuple[tuple[tuple[int, ...], IriSlot], ...]
    literal_slots: tuple[tuple[int, ...], ...]
    graphs: tuple[Graph, ...]
    node_map_labels: int  # blank nodes the node map labels (_:b0 ...); list labels follow
    colon_terms: frozenset[str]  # terms with a colon in the reachable contexts
    refused_prefixes: tuple[str, ...]  # IRIs safe mode refuses (the issuer-dependent @vocab)
    values: int  # JSON values of the document (what expansion charges the work budget)
    quads: int

    def mismatch(self, strings: list[str]) -> str | None:
        """Why a document with these strings cannot use this template; None if it can."""
        for position, value in self.fixed:
            if strings[position] != value:
                return "a value that steers JSON-LD processing differs"
        seen: set[str] = set()
        for positions, slot in self.iri_slots:
            value = strings[positions[0]]
            if not slot.accepts(value, self.colon_terms, self.refused_prefixes):
                return "an IRI that might not expand to itself"
            if value in seen:
                return "two IRI slots hold the same IRI"
            seen.add(value)
            if any(strings[i] != value for i in positions[1:]):
                return "values that were equal differ"
        for positions in self.literal_slots:
            value = strings[positions[0]]
            if any(strings[i] != value for i in positions[1:]):
                return "values that were equal differ"
        return None

    def fill(self, strings: list[str]) -> Dataset | None:
        """The dataset pyld gives for a document with these strings (which `mismatch`
        accepted), or None when nodes or quads would merge (pyld dedupes: fall back)."""
        relabel: dict[str, str] | None = None
        orders: list[list[int] | None] = []
        next_label = self.node_map_labels
        reordered = False
        for graph in self.graphs:
            subjects = [_value(group.subject, strings) for group in graph.groups]
            if len(set(subjects)) != len(subjects):
                return None
            if all(a < b for a, b in pairwise(subjects)):
                orders.append(None)
                continue
            reordered = True
            orders.append(sorted(range(len(subjects)), key=subjects.__getitem__))
        if reordered:
            relabel = {}
            for graph, order in zip(self.graphs, orders, strict=True):
                for index in order if order is not None else range(len(graph.groups)):
                    for label in graph.groups[index].list_labels:
                        relabel[label] = f"_:b{next_label}"
                        next_label += 1
        dataset: Dataset = {}
        for graph, order in zip(self.graphs, orders, strict=True):
            triples: list[dict[str, dict[str, str]]] = []
            for group in graph.groups if order is None else [graph.groups[i] for i in order]:
                made = [{"subject": _term(s, strings, relabel), "predicate": dict(p),
                         "object": _term(o, strings, relabel)} for s, p, o in group.quads]
                for indexes in group.collisions:
                    if len({_object_key(made[i]["object"]) for i in indexes}) != len(indexes):
                        return None
                triples.extend(made)
            dataset[graph.name] = triples
        return dataset


def _value(term: Term, strings: list[str]) -> str:
    kind = term[0]
    if kind == "c":
        value: str = term[1]["value"]
        return value
    if kind == "iri":
        return strings[term[1]]
    return str(term[1])  # a list label never is a node-map subject; kept for completeness


def _term(term: Term, strings: list[str], relabel: dict[str, str] | None) -> dict[str, str]:
    kind = term[0]
    if kind == "c":
        return dict(term[1])
    if kind == "iri":
        return {"type": "IRI", "value": strings[term[1]]}
    if kind == "lit":
        literal = {"type": "literal", "value": strings[term[1]], "datatype": term[2]}
        if term[3] is not None:
            literal["language"] = term[3]
        return literal
    label: str = term[1] if relabel is None else relabel[term[1]]
    return {"type": "blank node", "value": label}


def _object_key(term: dict[str, str]) -> tuple[str | None, ...]:
    return (term["type"], term["value"], term.get("datatype"), term.get("language"))

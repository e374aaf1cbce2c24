"""Lean RDFC-1.0: the canonical form of the usual dataset, without Hash N-Degree Quads.

When every blank node has a first-degree hash of its own (a credential: a few blank nodes with
distinct content), RDFC-1.0 issues the canonical labels in the order of those hashes (4.4.3
step 5) and never reaches Hash N-Degree Quads (step 6 only separates blank nodes that share a
hash). This module does only that, on a flat form of the dataset: each term is written once,
as canonical N-Quads write it, and every line (for the hashes and for the output) is put
together from those strings: no dict per quad or per relabelled term, no copy of the dataset.

A dataset with a shared first-degree hash is declined: `standards.rdfc` then runs the full
algorithm (Hash N-Degree Quads) on the same flat form, from the hashes computed here; a dataset
that is not plainly well formed is left to the reference path, which names what is malformed.
Both read the dataset the same way (a quad once however often it is listed, a blank node
related to a quad once however many of its terms it is), so on a dataset the lean path takes
they give the same bytes and the same issued identifiers; tests/test_rdfc_lean.py checks it.

Work limit: the limit (and the request's work budget) counts Hash N-Degree Quads work, which a
dataset the lean path takes never needs; the full path charges nothing for it either. The lean
path is linear in the dataset, whose quads `JsonLdEngine.to_dataset` has already charged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from standards.nquads import LITERAL_ESCAPES, NEEDS_ESCAPE, RDF_LANGSTRING, XSD_STRING

# One quad as canonical N-Quads write its terms: subject, predicate, object, graph name ("" for
# the default graph). A blank node is written with its input label ("_:..."), the only term
# that starts with "_" (IRIs start with "<", literals with '"').
Terms = tuple[str, str, str, str]

CANONICAL_PREFIX = "_:c14n"


@dataclass(frozen=True, slots=True)
class FlatDataset:
    """A dataset as canonical terms; every quad once."""

    ground_lines: list[str]  # the quads without blank nodes, as finished lines
    blank_quads: list[Terms]  # the quads with at least one blank node
    quads_of: dict[str, list[Terms]]  # blank node -> the quads it is in (each once)


@dataclass(frozen=True, slots=True)
class CanonicalForm:
    """A flat dataset with its canonical labels (from the lean path or the full algorithm)."""

    flat: FlatDataset
    issued: dict[str, str]  # input label -> canonical label, both with "_:", in issue order

    def nquads(self) -> str:
        """The canonical N-Quads document."""
        return "".join(sorted(self.lines(self.issued)))

    def issued_identifiers(self) -> dict[str, str]:
        """RDFC-1.0's issued identifiers map, both labels without ``_:``."""
        return {old[2:]: new[2:] for old, new in self.issued.items()}

    def lines(self, labels: Mapping[str, str]) -> list[str]:
        """Every quad as a line (unsorted), each blank node written as `labels` says."""
        lines = list(self.flat.ground_lines)
        append = lines.append
        for s, p, o, g in self.flat.blank_quads:
            if s[0] == "_":
                s = labels[s]
            if o[0] == "_":
                o = labels[o]
            if g:
                append(f"{s} {p} {o} {labels[g] if g[0] == '_' else g} .\n")
            else:
                append(f"{s} {p} {o} .\n")
        return lines


def lean_canonical_form(dataset: Any, hash_factory: Callable[[], Any]) -> CanonicalForm | None:
    """RDFC-1.0 for a dataset in pyld's form whose blank nodes all have distinct first-degree
    hashes; None when it has not (or is not plainly well formed): use the full algorithm."""
    flat = flatten(dataset)
    if flat is None:
        return None
    issued = labels_in_hash_order(first_degree_hashes(flat, hash_factory))
    return None if issued is None else CanonicalForm(flat, issued)


def flatten(dataset: Any) -> FlatDataset | None:
    """The flat form of a dataset in pyld's form; None unless every term is well formed."""
    if not isinstance(dataset, Mapping):
        return None
    try:
        return _flatten(dataset)
    except (KeyError, TypeError, AttributeError):  # a term that is not a mapping of texts
        return None


def _flatten(dataset: Mapping[Any, Any]) -> FlatDataset | None:
    # One pass, written for CPython's speed: this loop is most of the lean path's time.
    ground: set[str] = set()
    seen: set[Terms] = set()
    blank_quads: list[Terms] = []
    quads_of: dict[str, list[Terms]] = {}
    needs_escape = NEEDS_ESCAPE.search
    for graph_name, triples in dataset.items():
        if graph_name == "@default":
            graph, graph_is_blank = "", False
        elif type(graph_name) is not str or not graph_name:
            return None
        else:
            graph_is_blank = graph_name.startswith("_:")
            graph = graph_name if graph_is_blank else "<" + graph_name + ">"
        if type(triples) is not list:
            return None
        for triple in triples:
            s, p, o = triple["subject"], triple["predicate"], triple["object"]
            subject, kind = s["value"], s["type"]
            if type(subject) is not str:
                return None
            if kind == "IRI":
                subject_is_blank = False
                subject = "<" + subject + ">"
            elif kind == "blank node" and subject.startswith("_:"):
                subject_is_blank = True
            else:
                return None
            predicate = p["value"]
            if p["type"] != "IRI" or type(predicate) is not str:
                return None
            predicate = "<" + predicate + ">"
            obj, kind = o["value"], o["type"]
            if type(obj) is not str:
                return None
            object_is_blank = False
            if kind == "literal":
                datatype, language = o.get("datatype", XSD_STRING), o.get("language", "")
                if type(datatype) is not str or type(language) is not str:
                    return None
                if needs_escape(obj) is not None:
                    obj = obj.translate(LITERAL_ESCAPES)
                if datatype == XSD_STRING:
                    obj = '"' + obj + '"'
                elif datatype == RDF_LANGSTRING:
                    obj = '"' + obj + '"@' + language if language else '"' + obj + '"'
                else:
                    obj = '"' + obj + '"^^<' + datatype + ">"
            elif kind == "IRI":
                obj = "<" + obj + ">"
            elif kind == "blank node" and obj.startswith("_:"):
                object_is_blank = True
            else:
                return None

            if not (subject_is_blank or object_is_blank or graph_is_blank):
                ground.add(f"{subject} {predicate} {obj} {graph} .\n" if graph
                           else f"{subject} {predicate} {obj} .\n")
                continue
            terms = (subject, predicate, obj, graph)
            if terms in seen:  # a dataset is a set: a repeated quad would change the hashes
                continue
            seen.add(terms)
            blank_quads.append(terms)
            # each blank node of the quad once, as rdf-canonize keeps a set of quads per node
            if subject_is_blank:
                quads_of.setdefault(subject, []).append(terms)
            if object_is_blank and obj != subject:
                quads_of.setdefault(obj, []).append(terms)
            if graph_is_blank and graph != subject and graph != obj:
                quads_of.setdefault(graph, []).append(terms)
    return FlatDataset(list(ground), blank_quads, quads_of)


def first_degree_hash(node: str, quads: list[Terms], hash_factory: Callable[[], Any]) -> str:
    """4.6 Hash First Degree Quads: `node` written _:a, every other blank node _:z."""
    lines = []
    for s, p, o, g in quads:
        if s[0] == "_":
            s = "_:a" if s == node else "_:z"
        if o[0] == "_":
            o = "_:a" if o == node else "_:z"
        if g:
            if g[0] == "_":
                g = "_:a" if g == node else "_:z"
            lines.append(f"{s} {p} {o} {g} .\n")
        else:
            lines.append(f"{s} {p} {o} .\n")
    lines.sort()
    digest = hash_factory()
    digest.update("".join(lines).encode("utf-8"))
    hexdigest: str = digest.hexdigest()
    return hexdigest


def first_degree_hashes(flat: FlatDataset, hash_factory: Callable[[], Any]) -> dict[str, str]:
    """Blank node -> its first-degree hash, in order of first appearance."""
    return {node: first_degree_hash(node, quads, hash_factory)
            for node, quads in flat.quads_of.items()}


def labels_in_hash_order(hashes: dict[str, str]) -> dict[str, str] | None:
    """4.4.3 step 5: canonical labels in the order of the first-degree hashes; None when two
    blank nodes share a hash (step 6, Hash N-Degree Quads, is needed)."""
    node_of_hash = {digest: node for node, digest in hashes.items()}
    if len(node_of_hash) < len(hashes):
        return None
    return {node_of_hash[digest]: CANONICAL_PREFIX + str(number)
            for number, digest in enumerate(sorted(node_of_hash))}

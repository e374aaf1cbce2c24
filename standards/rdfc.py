"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) on top of pyld, hardened.

pyld 3.3.0 implements the algorithm, but as shipped it
- escapes literals its own way (only backslash, quote, tab, LF, CR), while RDFC-1.0's canonical
  N-Quads also use ECHAR for BS and FF and UCHAR (``\\u00XX``, uppercase hex) for the other
  control characters; the blank-node hashes are taken over the same serialisation, so both the
  output and the blank-node labels could differ from other implementations;
- has no work limit, so a "poison graph" keeps it busy for hours;
- hashes with SHA-256 only;
- writes graph names and canonical labels into the dataset it is given;
- iterates a ``set`` of blank nodes, so which of two look-alike blank nodes gets which label
  depends on PYTHONHASHSEED (the N-Quads do not, the issued-identifiers map does);
- skips relabelling input blank nodes whose labels already start with ``_:c14n``;
- parses N-Quads without ``\\b``, ``\\f``, ``\\'``, ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes and
  splits lines at Unicode line separators that may sit inside literals.

`RDFC10Canonicalizer` subclasses pyld's `URDNA2015` to fix these and keeps pyld's Hash Related
Blank Node and hash-to-related steps and its order of permutations; Hash N-Degree Quads is
ours, to charge each permutation to the work limit as it is visited (pyld walks one ordering
of a list that repeats one blank node, not n!). `standards.nquads` replaces pyld's parser.
"""

from __future__ import annotations

import copy
import hashlib
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from pyld.canon import URDNA2015, permutations
from pyld.identifier_issuer import IdentifierIssuer

from standards import work_budget
from standards.errors import CanonicalizationError
from standards.nquads import RDF_LANGSTRING, XSD_STRING, Component, Quad, parse_nquads

# Work limit, after rdf-canonize's `maxWorkFactor`: a budget that grows with the number of
# blank nodes that share a first-degree hash (the only ones Hash N-Degree Quads works on).
# A unit is one Hash N-Degree Quads call, or one blank node handled in one permutation of
# look-alike related blank nodes (its place in the path, and its entry in the copied path
# issuer). Ordinary repetition (the same achievement in two credentials of a presentation,
# many identical alignments) costs a few units per such blank node; a poison graph needs
# factorially many, so it is refused after time proportional to its size. A unit is about a
# microsecond: the W3C suite's hardest legitimate graph (test044, 12 look-alike blank nodes)
# needs 20,340 units, its poison graph (test074, 10) is refused after 50,000 (about 50 ms).
DEFAULT_BASE_WORK = 30_000
DEFAULT_WORK_PER_BLANK_NODE = 2_000
# Nesting of Hash N-Degree Quads (chains of look-alike blank nodes), kept far below Python's
# recursion limit so that a long chain is refused with a CanonicalizationError.
MAX_RECURSION_DEPTH = 64

HASH_ALGORITHMS: dict[str, Callable[[], Any]] = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}

# --- canonical N-Quads serialisation -----------------------------------------------------

_LITERAL_ESCAPES: dict[int, str] = {c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {ord(c): e for c, e in {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r",
                             "\b": "\\b", "\t": "\\t", "\f": "\\f"}.items()}
)
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')


def escape_literal(value: str) -> str:
    """The lexical form as RDFC-1.0 canonical N-Quads write it between the quotes."""
    if _NEEDS_ESCAPE.search(value) is None:
        return value
    return value.translate(_LITERAL_ESCAPES)


def _object_term(component: Component) -> str:
    """An IRI or literal object in canonical form (blank nodes are labelled by the caller)."""
    if component["type"] == "IRI":
        return "<" + component["value"] + ">"
    text = '"' + escape_literal(component["value"]) + '"'
    datatype = component.get("datatype", XSD_STRING)
    if datatype == RDF_LANGSTRING:
        language = component.get("language")
        return text + "@" + language if language else text
    return text if datatype == XSD_STRING else text + "^^<" + datatype + ">"


def _nquad(quad: Quad, label: Callable[[str], str]) -> str:
    """One canonical N-Quads line; `label` gives the label written for each blank node."""
    s, o, g = quad["subject"], quad["object"], quad.get("name")
    line = (
        (label(s["value"]) if s["type"] == "blank node" else "<" + s["value"] + ">")
        + " <" + quad["predicate"]["value"] + "> "
        + (label(o["value"]) if o["type"] == "blank node" else _object_term(o))
    )
    if g is not None:
        line += " " + (label(g["value"]) if g["type"] == "blank node" else "<" + g["value"] + ">")
    return line + " .\n"


# --- the algorithm ------------------------------------------------------------------------


class _Issuer(IdentifierIssuer):  # type: ignore[misc]  # pyld has no type information
    """pyld deep-copies the path issuer once per permutation; a flat copy is all it needs."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Issuer:
        clone = _Issuer(self.prefix)
        clone.counter = self.counter
        clone.existing = self.existing.copy()
        clone.order = self.order.copy()
        return clone


def _check_term(component: Any, allowed: tuple[str, ...], position: str) -> None:
    try:
        valid = component["type"] in allowed and type(component["value"]) is str
        if valid and component["type"] == "literal":
            valid = all(type(component.get(k, "")) is str for k in ("datatype", "language"))
    except (KeyError, TypeError):
        valid = False
    if not valid:
        raise CanonicalizationError(
            f"malformed RDF dataset: {position} must be an RDF term of type {allowed} "
            f"with text values, got {component!r}"
        )


class RDFC10Canonicalizer(URDNA2015):  # type: ignore[misc]  # pyld has no type information
    """One RDFC-1.0 run over one dataset; create a new instance per dataset."""

    def __init__(
        self,
        *,
        max_work: int | None = None,
        base_work: int = DEFAULT_BASE_WORK,
        work_per_blank_node: int = DEFAULT_WORK_PER_BLANK_NODE,
        hash_algorithm: str = "sha256",
    ) -> None:
        """`max_work` fixes the budget; without it the budget is `base_work` plus
        `work_per_blank_node` for each blank node that shares its first-degree hash."""
        super().__init__()
        if min(max_work if max_work is not None else 0, base_work, work_per_blank_node) < 0:
            raise ValueError("work limits must be >= 0")
        self.fixed_max_work = max_work
        self.base_work = base_work
        self.work_per_blank_node = work_per_blank_node
        self.max_work = max_work if max_work is not None else base_work
        self.hash_factory = _hash_factory(hash_algorithm)
        self.deep_iterations = 0  # Hash N-Degree Quads calls so far
        self.work_done = 0
        self.depth = 0

    # 4.4 Canonicalization algorithm. Returns canonical N-Quads; never touches `dataset`.
    def main(self, dataset: Mapping[str, Any], options: Any = None) -> str:
        self._collect_quads(dataset)

        # 4-5) First-degree hashes; blank nodes with a unique hash are labelled in hash order.
        # (RDFC-1.0 dropped URDNA2015's repeat-while-simple loop: the hashes never change.)
        hash_to_blank_nodes: dict[str, list[str]] = {}
        for blank_node in self.blank_node_info:  # insertion order, for a stable label map
            hash_to_blank_nodes.setdefault(self.hash_first_degree_quads(blank_node), []).append(
                blank_node
            )
        shared_hashes = []
        for _hash, blank_nodes in sorted(hash_to_blank_nodes.items()):
            if len(blank_nodes) == 1:
                self.canonical_issuer.get_id(blank_nodes[0])
            else:
                shared_hashes.append(blank_nodes)
        if self.fixed_max_work is None:
            look_alikes = sum(len(blank_nodes) for blank_nodes in shared_hashes)
            self.max_work = self.base_work + self.work_per_blank_node * look_alikes

        # 6) Blank nodes sharing a first-degree hash are told apart by Hash N-Degree Quads.
        for blank_nodes in shared_hashes:
            hash_path_list = []
            for blank_node in blank_nodes:
                if self.canonical_issuer.has_id(blank_node):
                    continue
                issuer = _Issuer("_:b")
                issuer.get_id(blank_node)
                hash_path_list.append(self.hash_n_degree_quads(blank_node, issuer))
            for result in sorted(hash_path_list, key=lambda r: r["hash"]):
                for existing in result["issuer"].order:
                    self.canonical_issuer.get_id(existing)

        # 7) Serialise with the canonical labels (new strings; the input stays as it was).
        issued = self.canonical_issuer.existing.__getitem__
        return "".join(sorted(_nquad(quad, issued) for quad in self.quads))

    def issued_identifiers(self) -> dict[str, str]:
        """Input blank-node label -> canonical label, both without ``_:`` (after `main`)."""
        return {_bare(old): _bare(new) for old, new in self.canonical_issuer.existing.items()}

    def _collect_quads(self, dataset: Mapping[str, Any]) -> None:
        """Steps 1-2 on fresh quad dicts (components shared, never modified); drops duplicates,
        since an RDF dataset is a set and a repeated quad would change the hashes."""
        if not isinstance(dataset, Mapping):
            raise CanonicalizationError("malformed RDF dataset: expected a mapping of graphs")
        seen: set[tuple[str | None, ...]] = set()
        for graph_name, triples in dataset.items():
            name: Component | None = None
            if graph_name != "@default":
                if not isinstance(graph_name, str) or not graph_name:
                    raise CanonicalizationError(f"malformed RDF dataset: graph {graph_name!r}")
                kind = "blank node" if graph_name.startswith("_:") else "IRI"
                name = {"type": kind, "value": graph_name}
            if not isinstance(triples, list):
                raise CanonicalizationError(f"malformed RDF dataset: graph {graph_name!r}")
            for triple in triples:
                try:
                    s, p, o = triple["subject"], triple["predicate"], triple["object"]
                except (KeyError, TypeError) as exc:
                    raise CanonicalizationError(f"malformed RDF triple: {triple!r}") from exc
                _check_term(s, ("IRI", "blank node"), "subject")
                _check_term(p, ("IRI",), "predicate")
                _check_term(o, ("IRI", "blank node", "literal"), "object")
                key = (s["type"], s["value"], p["value"], o["type"], o["value"],
                       o.get("datatype"), o.get("language"), graph_name)
                if key in seen:
                    continue
                seen.add(key)
                quad: Quad = {"subject": s, "predicate": p, "object": o}
                if name is not None:
                    quad["name"] = name
                self.quads.append(quad)
                for component in (s, o, name):
                    if component is not None and component["type"] == "blank node":
                        info = self.blank_node_info.setdefault(component["value"], {"quads": []})
                        info["quads"].append(quad)

    # 4.6 Hash First Degree Quads, over the canonical serialisation.
    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            def a_or_z(label: str) -> str:
                return "_:a" if label == id_ else "_:z"

            info["hash"] = self.hash_nquads(sorted(_nquad(q, a_or_z) for q in info["quads"]))
        first_degree_hash: str = info["hash"]
        return first_degree_hash

    # 4.8 Hash N-Degree Quads, under the work limit. pyld's Hash Related Blank Node and
    # hash-to-related steps; the permutations are pyld's (same order, so the same labels),
    # each one charged as it is visited.
    def hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> dict[str, Any]:
        if self.depth >= MAX_RECURSION_DEPTH:
            _work_limit(f"Hash N-Degree Quads nests deeper than {MAX_RECURSION_DEPTH} levels")
        self.deep_iterations += 1
        self._spend(1)
        self.depth += 1
        try:
            return self._hash_n_degree_quads(id_, issuer)
        finally:
            self.depth -= 1

    def _hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> dict[str, Any]:
        hash_to_related: dict[str, list[str]] = self.create_hash_to_related(id_, issuer)
        digest = self.create_hash()
        for related_hash, blank_nodes in sorted(hash_to_related.items()):  # 5
            digest.update(related_hash.encode("utf-8"))
            chosen_path = ""
            chosen_issuer = issuer
            for permutation in permutations(blank_nodes):  # 5.4
                self._spend(len(permutation) + len(issuer.order))
                issuer_copy = copy.deepcopy(issuer)
                walked = self._path_of(permutation, issuer_copy, chosen_path)
                if walked is None:
                    continue
                path, recursion_list = walked
                for related in recursion_list:  # 5.4.5
                    result = self.hash_n_degree_quads(related, issuer_copy)
                    path += issuer_copy.get_id(related) + "<" + result["hash"] + ">"
                    issuer_copy = result["issuer"]
                    if _worse(path, chosen_path):
                        break
                else:
                    if not chosen_path or path < chosen_path:  # 5.4.6
                        chosen_path, chosen_issuer = path, issuer_copy
            digest.update(chosen_path.encode("utf-8"))  # 5.5
            issuer = chosen_issuer  # 5.6
        return {"hash": digest.hexdigest(), "issuer": issuer}

    def _path_of(self, permutation: list[str], issuer_copy: IdentifierIssuer,
                 chosen_path: str) -> tuple[str, list[str]] | None:
        """Steps 5.4.2-5.4.4: the path of one permutation and the blank nodes to recurse
        into, or None when the path is already worse than the chosen one."""
        path = ""
        recursion_list = []
        for related in permutation:
            if self.canonical_issuer.has_id(related):
                path += self.canonical_issuer.get_id(related)
            else:
                if not issuer_copy.has_id(related):
                    recursion_list.append(related)
                path += issuer_copy.get_id(related)
            if _worse(path, chosen_path):
                return None
        return path, recursion_list

    def _spend(self, units: int) -> None:
        self.work_done += units
        work_budget.charge(units, "canonicalising RDF (Hash N-Degree Quads)")
        if self.work_done > self.max_work:
            _work_limit(f"more than {self.max_work} units of work (Hash N-Degree Quads calls "
                        "and blank nodes in permutations of look-alike blank nodes)")

    def create_hash(self) -> Any:
        return self.hash_factory()


def _worse(path: str, chosen_path: str) -> bool:
    """Steps 5.4.4.3 and 5.4.5.5: this permutation can no longer give the chosen path."""
    return bool(chosen_path) and len(path) >= len(chosen_path) and path > chosen_path


def _work_limit(detail: str) -> NoReturn:
    raise CanonicalizationError(
        f"RDF canonicalization work limit exceeded: {detail}; "
        "the dataset may be a poison graph built to exhaust the canonicalizer"
    )


def _hash_factory(name: str) -> Callable[[], Any]:
    factory = HASH_ALGORITHMS.get(name.lower().replace("-", ""))
    if factory is None:
        raise CanonicalizationError(
            f"unsupported RDFC-1.0 hash algorithm {name!r} (supported: sha256, sha384)"
        )
    return factory


def _bare(label: str) -> str:
    return label[2:] if label.startswith("_:") else label


# --- public API ---------------------------------------------------------------------------


def canonicalize_dataset(dataset: Mapping[str, Any], **options: Any) -> str:
    """Canonical N-Quads (sorted lines, each ending in "\\n") of a dataset in pyld's form
    (``{"@default": [triple, ...], "<graph>": [...]}``, as `to_rdf` returns). The dataset is
    not modified. `options` are `RDFC10Canonicalizer`'s (work limits, hash algorithm).
    Raises CanonicalizationError for malformed input or when the work limit trips."""
    return str(RDFC10Canonicalizer(**options).main(dataset))


def canonicalize_nquads(text: str, **options: Any) -> str:
    """Canonical N-Quads of an N-Quads document (same keyword arguments as above)."""
    return canonicalize_dataset(parse_nquads(text), **options)


def canonical_issued_identifiers(dataset: Mapping[str, Any], **options: Any) -> dict[str, str]:
    """RDFC-1.0's issued identifiers map: input blank-node label -> canonical label, both
    without ``_:`` (e.g. ``{"e0": "c14n0"}``)."""
    canonicalizer = RDFC10Canonicalizer(**options)
    canonicalizer.main(dataset)
    return canonicalizer.issued_identifiers()


def canonicalize_dataset_relabelled(
    dataset: Mapping[str, Any],
    label_map_factory: Callable[[dict[str, str]], Mapping[str, str]],
    **options: Any,
) -> list[str]:
    """vc-di-ecdsa 3.4.1 labelReplacementCanonicalizeNQuads on a dataset: canonicalise, give
    the issued identifiers map (input label -> canonical label, both without ``_:``) to
    `label_map_factory`, and write each quad with the label it returns for each input blank
    node. The lines (each ending in "\\n") are sorted again after relabelling, as canonical
    N-Quads are; the selective disclosure suites index and sign them in this order."""
    canonicalizer = RDFC10Canonicalizer(**options)
    canonicalizer.main(dataset)
    labels = label_map_factory(canonicalizer.issued_identifiers())

    def label(blank_node: str) -> str:
        return "_:" + labels[_bare(blank_node)]

    return sorted(_nquad(quad, label) for quad in canonicalizer.quads)

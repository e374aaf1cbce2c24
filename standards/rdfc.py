"""RDF Dataset Canonicalization (RDFC-1.0, formerly URDNA2015) on top of pyld, hardened.

pyld 3.3.0 implements the algorithm, but as shipped it
- escapes literals its own way (see `standards.nquads`); the blank-node hashes are taken over
  the same serialisation, so both the output and the blank-node labels could differ from
  other implementations;
- has no work limit, so a "poison graph" keeps it busy for hours;
- hashes with SHA-256 only;
- writes graph names and canonical labels into the dataset it is given;
- iterates a ``set`` of blank nodes, so which of two look-alike blank nodes gets which label
  depends on PYTHONHASHSEED (the N-Quads do not, the issued-identifiers map does);
- skips relabelling input blank nodes whose labels already start with ``_:c14n``;
- relates a blank node to a quad twice when it is two of the quad's terms (``_:x <p> _:x``),
  so its hashes differ from rdf-canonize's, which keeps a set of quads per blank node (and so
  may its label and the others');
- parses N-Quads without ``\\b``, ``\\f``, ``\\'``, ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes and
  splits lines at Unicode line separators that may sit inside literals.

`RDFC10Canonicalizer` subclasses pyld's `URDNA2015` to fix these and keeps pyld's Hash Related
Blank Node and hash-to-related steps and its order of permutations; Hash N-Degree Quads is
ours, to charge each permutation to the work limit as it is visited (pyld walks one ordering
of a list that repeats one blank node, not n!). `standards.nquads` replaces pyld's parser.

The public functions work on `standards.rdfc_lean`'s flat form of the dataset (each term
written once, no dict per quad): the usual dataset (every blank node with a first-degree hash
of its own) needs no Hash N-Degree Quads and is labelled there; otherwise `_FlatCanonicalizer`
runs the full algorithm on the same form. `RDFC10Canonicalizer.main`, on pyld-style quad dicts,
is the reference both are tested against (and what names a malformed dataset).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from pyld.canon import URDNA2015, permutations
from pyld.identifier_issuer import IdentifierIssuer

from standards import work_budget
from standards.errors import CanonicalizationError
from standards.nquads import Component, Quad, check_term, nquad_line, object_key, parse_nquads
from standards.nquads import escape_literal as escape_literal  # public here since before
from standards.rdfc_lean import (
    CanonicalForm,
    FlatDataset,
    Terms,
    first_degree_hashes,
    flatten,
    labels_in_hash_order,
)

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

# --- the algorithm ------------------------------------------------------------------------


class _Issuer(IdentifierIssuer):  # type: ignore[misc]  # pyld has no type information
    """pyld deep-copies the path issuer once per permutation; a flat copy is all it needs."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Issuer:
        clone = _Issuer(self.prefix)
        clone.counter = self.counter
        clone.existing = self.existing.copy()
        clone.order = self.order.copy()
        return clone


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
        self.canonical_nquads = ""  # main's result

    # 4.4 Canonicalization algorithm. Returns canonical N-Quads; never touches `dataset`.
    def main(self, dataset: Mapping[str, Any], options: Any = None) -> str:
        self._collect_quads(dataset)
        self._issue_canonical_labels()
        # 7) Serialise with the canonical labels (new strings; the input stays as it was).
        issued = self.canonical_issuer.existing.__getitem__
        self.canonical_nquads = "".join(sorted(nquad_line(quad, issued) for quad in self.quads))
        return self.canonical_nquads

    def _issue_canonical_labels(self) -> None:
        """Steps 4-6 on `blank_node_info` (blank node -> its quads, maybe its hash)."""
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

    def issued_identifiers(self) -> dict[str, str]:
        """Input blank-node label -> canonical label, both without ``_:`` (after `main`)."""
        return {_bare(old): _bare(new) for old, new in self.canonical_issuer.existing.items()}

    def _collect_quads(self, dataset: Mapping[str, Any]) -> None:
        """Steps 1-2 on fresh quad dicts (components shared, never modified); drops duplicates
        (quads written alike), since an RDF dataset is a set and a repeated quad would change
        the hashes; relates each blank node of a quad to it once."""
        if not isinstance(dataset, Mapping):
            raise CanonicalizationError("malformed RDF dataset: expected a mapping of graphs")
        seen: set[tuple[str, ...]] = set()
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
                check_term(s, ("IRI", "blank node"), "subject")
                check_term(p, ("IRI",), "predicate")
                check_term(o, ("IRI", "blank node", "literal"), "object")
                key = (s["type"], s["value"], p["value"], o["type"], *object_key(o), graph_name)
                if key in seen:
                    continue
                seen.add(key)
                quad: Quad = {"subject": s, "predicate": p, "object": o}
                if name is not None:
                    quad["name"] = name
                self.quads.append(quad)
                related = [c["value"] for c in (s, o, name)
                           if c is not None and c["type"] == "blank node"]
                for index, blank_node in enumerate(related):  # each once, as rdf-canonize
                    if blank_node not in related[:index]:
                        info = self.blank_node_info.setdefault(blank_node, {"quads": []})
                        info["quads"].append(quad)

    # 4.6 Hash First Degree Quads, over the canonical serialisation.
    def hash_first_degree_quads(self, id_: str) -> str:
        info = self.blank_node_info[id_]
        if "hash" not in info:
            def a_or_z(label: str) -> str:
                return "_:a" if label == id_ else "_:z"

            info["hash"] = self.hash_nquads(sorted(nquad_line(q, a_or_z) for q in info["quads"]))
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


class _FlatCanonicalizer(RDFC10Canonicalizer):
    """The full algorithm on the lean path's flat form (quads as `Terms`), from the hashes the
    lean path computed: what runs when two blank nodes share a first-degree hash. The steps,
    the work limit and the order of everything are `RDFC10Canonicalizer`'s."""

    def issue_labels(self, flat: FlatDataset, hashes: dict[str, str]) -> dict[str, str]:
        """Input label -> canonical label, both with ``_:``, in issue order."""
        self.blank_node_info = {node: {"quads": quads, "hash": hashes[node]}
                                for node, quads in flat.quads_of.items()}
        self._issue_canonical_labels()
        return dict(self.canonical_issuer.existing)

    def create_hash_to_related(self, id_: str, issuer: IdentifierIssuer) -> dict[str, list[str]]:
        """pyld's step 4.8.2.3 on `Terms`, positions in pyld's order (s, o, g)."""
        hash_to_related: dict[str, list[str]] = {}
        for quad in self.blank_node_info[id_]["quads"]:
            for term, position in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if term[:1] == "_" and term != id_:
                    hash_to_related.setdefault(
                        self.hash_related_blank_node(term, quad, issuer, position), []
                    ).append(term)
        return hash_to_related

    def get_related_predicate(self, quad: Terms) -> str:
        return quad[1]


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


def _canonical_form(dataset: Mapping[str, Any], **options: Any
                    ) -> CanonicalForm | RDFC10Canonicalizer:
    """The lean path when it applies, else the full algorithm on its flat form; a dataset that
    is not plainly well formed goes to the reference, `RDFC10Canonicalizer.main` (which says
    what is wrong). The options are checked first, whichever path runs."""
    canonicalizer = RDFC10Canonicalizer(**options)
    flat = flatten(dataset)
    if flat is None:
        canonicalizer.main(dataset)
        return canonicalizer
    hashes = first_degree_hashes(flat, canonicalizer.hash_factory)
    issued = labels_in_hash_order(hashes)
    if issued is None:
        issued = _FlatCanonicalizer(**options).issue_labels(flat, hashes)
    return CanonicalForm(flat, issued)


def canonicalize_dataset(dataset: Mapping[str, Any], **options: Any) -> str:
    """Canonical N-Quads (sorted lines, each ending in "\\n") of a dataset in pyld's form
    (``{"@default": [triple, ...], "<graph>": [...]}``, as `to_rdf` returns). The dataset is
    not modified. `options` are `RDFC10Canonicalizer`'s (work limits, hash algorithm).
    Raises CanonicalizationError for malformed input or when the work limit trips."""
    canonical = _canonical_form(dataset, **options)
    if isinstance(canonical, CanonicalForm):
        return canonical.nquads()
    return canonical.canonical_nquads


def canonicalize_nquads(text: str, **options: Any) -> str:
    """Canonical N-Quads of an N-Quads document (same keyword arguments as above)."""
    return canonicalize_dataset(parse_nquads(text), **options)


def canonical_issued_identifiers(dataset: Mapping[str, Any], **options: Any) -> dict[str, str]:
    """RDFC-1.0's issued identifiers map: input blank-node label -> canonical label, both
    without ``_:`` (e.g. ``{"e0": "c14n0"}``)."""
    return _canonical_form(dataset, **options).issued_identifiers()


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
    canonical = _canonical_form(dataset, **options)
    labels = label_map_factory(canonical.issued_identifiers())
    if isinstance(canonical, CanonicalForm):
        return sorted(canonical.lines({node: "_:" + labels[_bare(node)]
                                       for node in canonical.issued}))

    def label(blank_node: str) -> str:
        return "_:" + labels[_bare(blank_node)]

    return sorted(nquad_line(quad, label) for quad in canonical.quads)

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
Blank Node, hash-to-related and Hash N-Degree Quads steps. `parse_nquads` replaces pyld's parser.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from pyld.canon import URDNA2015
from pyld.identifier_issuer import IdentifierIssuer

from standards.errors import CanonicalizationError

RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Work limits. Credentials need no Hash N-Degree Quads call at all when every blank node has
# a distinct first-degree hash, and a handful when some look alike; the test suite's "evil"
# graphs need 43 calls per blank node and 804 units of work (about 50 ms).
#
# Hash N-Degree Quads calls allowed per blank node (RDFC-1.0's "deep iterations").
DEFAULT_MAX_DEEP_ITERATIONS = 50
# Units allowed in one canonicalisation: 1 per Hash N-Degree Quads call plus 1 per permutation
# of related blank nodes. pyld walks all k! orderings of every group of k related blank nodes
# sharing a hash (pruning only shortens each walk), so they are charged up front: a node with
# 12 look-alike neighbours would otherwise cost 479 million iterations. A unit costs roughly
# 20-100 microseconds, which bounds the time a hostile dataset can take whatever its size.
DEFAULT_MAX_WORK = 10_000
# Nesting of Hash N-Degree Quads (chains of look-alike blank nodes), kept far below Python's
# recursion limit so that a long chain is refused with a CanonicalizationError.
MAX_RECURSION_DEPTH = 64

HASH_ALGORITHMS: dict[str, Callable[[], Any]] = {"sha256": hashlib.sha256, "sha384": hashlib.sha384}

Component = dict[str, str]
Quad = dict[str, Component]

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
        max_deep_iterations: int = DEFAULT_MAX_DEEP_ITERATIONS,
        max_work: int = DEFAULT_MAX_WORK,
        hash_algorithm: str = "sha256",
    ) -> None:
        super().__init__()
        if max_deep_iterations < 0 or max_work < 0:
            raise ValueError("work limits must be >= 0")
        self.max_deep_iterations = max_deep_iterations
        self.max_work = max_work
        self.hash_factory = _hash_factory(hash_algorithm)
        self.deep_iterations: dict[str, int] = {}
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

    # 4.8 Hash N-Degree Quads (pyld's), under the work limits.
    def hash_n_degree_quads(self, id_: str, issuer: IdentifierIssuer) -> dict[str, Any]:
        count = self.deep_iterations.get(id_, 0) + 1
        if count > self.max_deep_iterations:
            _work_limit(f"blank node {id_} needs more than {self.max_deep_iterations} "
                        "deep iterations (Hash N-Degree Quads calls)")
        if self.depth >= MAX_RECURSION_DEPTH:
            _work_limit(f"Hash N-Degree Quads nests deeper than {MAX_RECURSION_DEPTH} levels")
        self.deep_iterations[id_] = count
        self._spend(1)
        self.depth += 1
        try:
            result: dict[str, Any] = super().hash_n_degree_quads(id_, issuer)
            return result
        finally:
            self.depth -= 1

    def create_hash_to_related(self, id_: str, issuer: IdentifierIssuer) -> dict[str, list[str]]:
        hash_to_related: dict[str, list[str]] = super().create_hash_to_related(id_, issuer)
        # pyld's caller walks every permutation of each group: charge them all up front.
        # (20! already exceeds any sane limit; a bigger factorial would only waste time.)
        self._spend(
            sum(math.factorial(min(len(r), 20)) for r in hash_to_related.values() if len(r) > 1)
        )
        return hash_to_related

    def _spend(self, units: int) -> None:
        self.work_done += units
        if self.work_done > self.max_work:
            _work_limit(f"more than {self.max_work} units of work (Hash N-Degree Quads calls "
                        "and permutations of look-alike blank nodes)")

    def create_hash(self) -> Any:
        return self.hash_factory()


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


def canonicalize_dataset(
    dataset: Mapping[str, Any],
    *,
    max_deep_iterations: int = DEFAULT_MAX_DEEP_ITERATIONS,
    max_work: int = DEFAULT_MAX_WORK,
    hash_algorithm: str = "sha256",
) -> str:
    """Canonical N-Quads (sorted lines, each ending in "\\n") of a dataset in pyld's form
    (``{"@default": [triple, ...], "<graph>": [...]}``, as `to_rdf` returns). The dataset is
    not modified. Raises CanonicalizationError for malformed input or when a work limit trips."""
    return RDFC10Canonicalizer(max_deep_iterations=max_deep_iterations, max_work=max_work,
                               hash_algorithm=hash_algorithm).main(dataset)


def canonicalize_nquads(text: str, **limits: Any) -> str:
    """Canonical N-Quads of an N-Quads document (same keyword arguments as above)."""
    return canonicalize_dataset(parse_nquads(text), **limits)


def canonical_issued_identifiers(dataset: Mapping[str, Any], **limits: Any) -> dict[str, str]:
    """RDFC-1.0's issued identifiers map: input blank-node label -> canonical label, both
    without ``_:`` (e.g. ``{"e0": "c14n0"}``)."""
    canonicalizer = RDFC10Canonicalizer(**limits)
    canonicalizer.main(dataset)
    return canonicalizer.issued_identifiers()


# --- N-Quads parser -----------------------------------------------------------------------


class NQuadsSyntaxError(CanonicalizationError):
    """The text is not valid N-Quads."""


_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_IRI = r'<((?:[^\x00-\x20<>"{}|^`\\]|' + _UCHAR + r")*)>"
_PN_CHARS_U = (
    "A-Za-z_:\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f\u2040"
_BNODE = f"(_:[{_PN_CHARS_U}0-9](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?)"
_LITERAL = (
    r'"((?:[^"\\\n\r]|\\[tbnrf"\'\\]|' + _UCHAR + r')*)"'
    + r"(?:\^\^" + _IRI + r"|@([a-zA-Z]+(?:-[a-zA-Z0-9]+)*))?"
)
_WS = r"[ \t]*"
_QUAD = re.compile(
    "^" + _WS + f"(?:{_IRI}|{_BNODE})" + _WS + _IRI + _WS + f"(?:{_IRI}|{_BNODE}|{_LITERAL})"
    + _WS + f"(?:(?:{_IRI}|{_BNODE}){_WS})?" + r"\." + _WS + "(?:#.*)?$"
)
_BLANK_OR_COMMENT = re.compile("^" + _WS + "(?:#.*)?$")
_ESCAPE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))")
_ECHARS = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


def _unescape_match(match: re.Match[str]) -> str:
    if match.group(3) is not None:
        return _ECHARS[match.group(3)]
    code_point = int(match.group(1) or match.group(2), 16)
    if 0xD800 <= code_point <= 0xDFFF or code_point > 0x10FFFF:
        raise NQuadsSyntaxError(f"escape {match.group(0)} is not a Unicode scalar value")
    return chr(code_point)


def _unescape(text: str) -> str:
    return _ESCAPE.sub(_unescape_match, text) if "\\" in text else text


def _iri(raw: str) -> Component:
    value = _unescape(raw)
    if not _SCHEME.match(value):
        raise NQuadsSyntaxError(f"IRI <{value}> is not absolute")
    return {"type": "IRI", "value": value}


def parse_nquads(text: str) -> dict[str, list[dict[str, Component]]]:
    """Parse N-Quads into pyld's dataset form, dropping repeated quads.

    Raises NQuadsSyntaxError (a CanonicalizationError) naming the line that does not parse."""
    dataset: dict[str, list[dict[str, Component]]] = {}
    seen: set[tuple[str | None, ...]] = set()
    # N-Quads lines end at CR or LF only: U+2028, U+0085 etc. are legal inside literals.
    for number, line in enumerate(re.split(r"\r\n?|\n", text), start=1):
        match = _QUAD.match(line)
        if match is None:
            if _BLANK_OR_COMMENT.match(line):
                continue
            raise NQuadsSyntaxError(f"invalid N-Quads at line {number}: {line[:200]!r}")
        (s_iri, s_bnode, p_iri, o_iri, o_bnode, o_lexical, o_datatype, o_language,
         g_iri, g_bnode) = match.groups()
        try:
            subject = _iri(s_iri) if s_iri is not None else {"type": "blank node",
                                                               "value": s_bnode}
            obj: Component
            if o_iri is not None:
                obj = _iri(o_iri)
            elif o_bnode is not None:
                obj = {"type": "blank node", "value": o_bnode}
            else:
                obj = {"type": "literal", "value": _unescape(o_lexical)}
                if o_language is not None:
                    obj["datatype"] = RDF_LANGSTRING
                    obj["language"] = o_language
                else:
                    obj["datatype"] = _iri(o_datatype)["value"] if o_datatype else XSD_STRING
            graph = _iri(g_iri)["value"] if g_iri is not None else g_bnode or "@default"
            predicate = _iri(p_iri)
        except NQuadsSyntaxError as exc:
            raise NQuadsSyntaxError(f"invalid N-Quads at line {number}: {exc}") from None
        key = (subject["value"], predicate["value"], obj["type"], obj["value"],
               obj.get("datatype"), obj.get("language"), graph)
        if key not in seen:
            seen.add(key)
            dataset.setdefault(graph, []).append(
                {"subject": subject, "predicate": predicate, "object": obj}
            )
    return dataset

"""Compiling a shape template from a document pyld has processed, by probing.

Which string of a document is a literal, which an IRI and which steers processing (a type,
a term under @vocab, a language tag, an alias of a keyword...) depends on the active context
at its position; rather than re-implement JSON-LD expansion to know it, the compiler asks
pyld. Every candidate string (one that occurs once in the document) is replaced by a unique
marker (an IRI of the same scheme and "//" form where the value is an IRI, a plain word
otherwise), and the probe document goes through the same pyld path (expansion, node map,
toRDF). A position is a slot only if its marker comes out whole, as a literal's value (not
xsd:double, not rdf:JSON: pyld rewrites those) or as a subject or object IRI (for an IRI
value); a marker that comes out changed, inside another term, as a predicate, datatype,
language or graph name, or not at all marks its position as fixed, and the probe is run
again with those values restored until every marker left comes out whole. Values the
document repeats are one slot whose positions must stay equal (pyld merges equal ids and
drops equal values, so the probe keeps the document's equalities). Which equalities matter:
equal IRI-form strings anywhere (they may be one node's id), and equal values of one key
(they may be values of one property of one node, which pyld keeps once); equal literals of
different keys (a grade that happens to equal another value) are left untied, or every later
document with other coincidences would miss the template. Should that not reproduce the
document (two keys that are aliases of one property), the compiler tries again with every
equal value tied.

The last probe must pass safe mode (a marker that safe mode refuses, named in its message,
is fixed and the probe run again). Since the compiled document and a later one differ only
in slot values, and neither a literal's content nor an IRI that expands to itself changes
the active context, the keys pyld drops, or what `check_expanded_safe` looks at (relative
IRIs, the issuer-dependent @vocab), the later document passes safe mode exactly when the
probe did; `ShapeTemplate.mismatch` refuses the IRI values for which that argument fails.

The template is then checked against pyld's own dataset of the document it was compiled
from: filled with that document's strings it must give that dataset exactly.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from typing import Any, Protocol

from standards.context_terms import colon_terms
from standards.shape_key import DocumentShape, context_values, string_owners, with_strings
from standards.shape_template import (
    IRI_FORM,
    Dataset,
    Graph,
    Group,
    IriSlot,
    Quad,
    ShapeTemplate,
    Term,
)

XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"
RDF_JSON = "http://www.w3.org/1999/02/22-rdf-syntax-ns#JSON"
MAX_PROBES = 3
MAX_FIXED_TEXT = 65_536  # characters of fixed strings a template may hold
_MARKER = "opendossier-slot"
NOT_REPRODUCED = "the template does not reproduce pyld's dataset"
_OPEN_KEYWORDS = ("@id", "@value")  # keyword values that may be slots; other keywords steer


class ProbingEngine(Protocol):
    def probe_dataset(self, document: Any) -> tuple[Dataset, int, str | None]:
        """pyld's dataset of `document` (not refused when unsafe), the number of blank-node
        labels its node map issued, and why safe mode refuses it (None: it does not)."""
        ...


class CompileFailed(Exception):
    """The shape cannot be templated; the message is the reason (counted, not shown)."""


def compile_template(engine: ProbingEngine, document: Any, shape: DocumentShape,
                     dataset: Dataset, values: int, load_context: Callable[[str], Any],
                     refused_prefixes: tuple[str, ...]) -> ShapeTemplate:
    """A template for `document`'s shape, whose pyld dataset (safe mode) is `dataset` and
    which has `values` JSON values (`check_document_limits`)."""
    arguments = (engine, document, shape, dataset, values, load_context, refused_prefixes)
    try:
        return _compile(*arguments, tie_all=False)
    except CompileFailed as failed:
        if str(failed) != NOT_REPRODUCED:
            raise
    return _compile(*arguments, tie_all=True)


def _compile(engine: ProbingEngine, document: Any, shape: DocumentShape, dataset: Dataset,
             values: int, load_context: Callable[[str], Any],
             refused_prefixes: tuple[str, ...], *, tie_all: bool) -> ShapeTemplate:
    strings = shape.strings
    owners = string_owners(document)
    verbatim = _term_values(dataset)
    # Equal values are one slot (tied positions): pyld merges nodes with equal ids (and,
    # with `tie_all`, drops equal values of one property), so the probe keeps those
    # equalities.
    ties: dict[tuple[str | None, str], list[int]] = {}
    for i, value in enumerate(strings):
        alone = not tie_all and IRI_FORM.match(value) is None
        ties.setdefault((owners[i] if alone else None, value), []).append(i)
    slots = {positions[0]: tuple(positions) for positions in ties.values()
             if strings[positions[0]] in verbatim
             and all(_may_be_slot(owners[i]) for i in positions)}
    try:
        terms = colon_terms(context_values(document), load_context)
    except Exception as exc:  # a context outside the bundle: pyld would have refused
        raise CompileFailed("a context could not be loaded") from exc
    nonce = secrets.token_hex(6)
    for _ in range(MAX_PROBES):
        if not slots:
            raise CompileFailed("no string of the shape is a slot")
        markers = {i: _marker(strings[i], nonce, i) for i in slots}
        probe = with_strings(document, {position: markers[i] for i, positions in slots.items()
                                        for position in positions})
        try:
            probed, labels, unsafe = engine.probe_dataset(probe)
        except Exception as exc:  # a marker made the document invalid (an alias of @direction)
            raise CompileFailed("the probe document was refused") from exc
        roles, fixed = _roles(probed, markers, nonce)
        fixed.update(i for i, role in roles.items() if role == "iri"
                     and not _iri_slot(strings[i]).accepts(strings[i], terms, refused_prefixes))
        if unsafe is not None:  # the refusal names the marker (a relative IRI, a term)
            fixed.update(_positions_in(unsafe, nonce))
            if not fixed:
                raise CompileFailed("the probe document is unsafe")
        if fixed:
            slots = {i: positions for i, positions in slots.items() if i not in fixed}
            continue
        template = _template(probed, roles, labels, strings, markers, slots, terms,
                             refused_prefixes, values)
        if sum(len(value) for _, value in template.fixed) > MAX_FIXED_TEXT:
            raise CompileFailed("the shape's fixed strings are too long to keep")
        if template.mismatch(strings) is not None or template.fill(strings) != dataset:
            raise CompileFailed(NOT_REPRODUCED)
        return template
    raise CompileFailed(f"the slots did not settle in {MAX_PROBES} probes")


def _term_values(dataset: Dataset) -> set[str]:
    """The subject and object values of `dataset`: a string that is none of these in the
    document's own dataset steers processing (a type, a term under @vocab...) or vanishes,
    and replacing it by a marker would only disturb the probe."""
    return {term["value"] for triples in dataset.values() for triple in triples
            for term in (triple["subject"], triple["object"])}


def _may_be_slot(owner: str | None) -> bool:
    return owner is None or not owner.startswith("@") or owner in _OPEN_KEYWORDS


def _iri_slot(value: str) -> IriSlot:
    """The slot for an IRI-form `value` (its marker had the same scheme and form)."""
    scheme, rest = value.split(":", 1)
    return IriSlot(scheme, rest.startswith("//"))


def _marker(value: str, nonce: str, position: int) -> str:
    word = f"{_MARKER}-{nonce}-{position}-"
    if IRI_FORM.match(value) is None:
        return word
    scheme, rest = value.split(":", 1)
    return f"{scheme}://{word}" if rest.startswith("//") else f"{scheme}:{word}"


def _roles(dataset: Dataset, markers: dict[int, str], nonce: str
           ) -> tuple[dict[int, str], set[int]]:
    """Each marker's role ("iri" or "literal") and the positions that must be fixed."""
    position_of = {marker: i for i, marker in markers.items()}
    roles: dict[int, str] = {}
    fixed: set[int] = set()

    def seen(i: int, role: str) -> None:
        if roles.setdefault(i, role) != role:
            fixed.add(i)

    def changed(text: str | None) -> None:
        if text is not None:
            fixed.update(_positions_in(text, nonce))

    for graph_name, triples in dataset.items():
        changed(graph_name)
        for triple in triples:
            changed(triple["predicate"]["value"])
            for term in (triple["subject"], triple["object"]):
                i = position_of.get(term["value"])
                if i is None:
                    changed(term["value"])
                elif term["type"] == "IRI" and IRI_FORM.match(markers[i]):
                    seen(i, "iri")
                elif term["type"] == "literal" and term["datatype"] not in (XSD_DOUBLE,
                                                                          RDF_JSON):
                    seen(i, "literal")
                else:
                    fixed.add(i)
                changed(term.get("datatype"))
                changed(term.get("language"))
    fixed.update(i for i in markers if i not in roles)
    return roles, fixed


def _positions_in(text: str, nonce: str) -> set[int]:
    """The positions whose markers occur in `text`."""
    return {int(found) for found in re.findall(rf"{_MARKER}-{nonce}-(\d+)-", text)}


def _template(probed: Dataset, roles: dict[int, str], labels: int, strings: list[str],
              markers: dict[int, str], slots: dict[int, tuple[int, ...]],
              terms: frozenset[str], refused_prefixes: tuple[str, ...], values: int
              ) -> ShapeTemplate:
    position_of = {marker: i for i, marker in markers.items()}
    iri_slots = []
    for i in sorted(slots):
        if roles[i] == "iri":
            iri_slots.append((slots[i], _iri_slot(strings[i])))
    in_slots = {position for positions in slots.values() for position in positions}
    return ShapeTemplate(
        fixed=tuple((i, value) for i, value in enumerate(strings) if i not in in_slots),
        iri_slots=tuple(iri_slots),
        literal_slots=tuple(slots[i] for i in sorted(slots) if roles[i] == "literal"),
        graphs=tuple(_graph(name, triples, position_of, labels)
                     for name, triples in probed.items()),
        node_map_labels=labels, colon_terms=terms, refused_prefixes=refused_prefixes,
        values=values, quads=sum(len(triples) for triples in probed.values()))


def _graph(name: str, triples: list[dict[str, Any]], position_of: dict[str, int],
           labels: int) -> Graph:
    """The triples of one graph as groups of a node's quads (see `Group`)."""
    def is_list_node(term: dict[str, str]) -> bool:
        return term["type"] == "blank node" and int(term["value"][3:]) >= labels

    def template_term(term: dict[str, str]) -> Term:
        i = position_of.get(term["value"])
        if i is not None and term["type"] == "IRI":
            return ("iri", i)
        if i is not None and term["type"] == "literal":
            return ("lit", i, term["datatype"], term.get("language"))
        if is_list_node(term):
            return ("list", term["value"])
        return ("c", dict(term))

    groups: list[tuple[Term, list[Quad], list[str]]] = []
    pending: list[Quad] = []
    pending_labels: list[str] = []
    current: dict[str, str] | None = None
    for triple in triples:
        subject, obj = triple["subject"], triple["object"]
        quad: Quad = (template_term(subject), dict(triple["predicate"]), template_term(obj))
        pending_labels.extend(t["value"] for t in (subject, obj) if is_list_node(t))
        if is_list_node(subject):
            pending.append(quad)
            continue
        if current is None or subject != current:
            current = subject
            groups.append((template_term(subject), [], []))
        groups[-1][1].extend((*pending, quad))
        groups[-1][2].extend(pending_labels)
        pending, pending_labels = [], []
    if pending:
        raise CompileFailed("list quads without the quad that holds the list")
    return Graph(name, tuple(
        Group(subject, tuple(quads), tuple(sorted(set(found), key=lambda v: int(v[3:]))),
              _collisions(quads))
        for subject, quads, found in groups))


def _collisions(quads: list[Quad]) -> tuple[tuple[int, ...], ...]:
    """Sets of quads with one subject and predicate of which some object is a slot."""
    by_subject_and_predicate: dict[tuple[Any, str], list[int]] = {}
    for index, (subject, predicate, _) in enumerate(quads):
        key = (subject if subject[0] != "c" else subject[1]["value"], predicate["value"])
        by_subject_and_predicate.setdefault(key, []).append(index)
    return tuple(tuple(indexes) for indexes in by_subject_and_predicate.values()
                 if len(indexes) > 1 and any(quads[i][2][0] in ("iri", "lit") for i in indexes))

"""JSON-LD 1.1 Node Map Generation (JSON-LD 1.1 API, 7.2) for expanded documents, in
time that grows with the document.

pyld's `_create_node_map` keeps a node's values free of duplicates by comparing each new
value with every value already there: a property with n values costs n²/2 comparisons
(4,000 alignments of one achievement: 8 million comparisons, 20 s). Here each node property
keeps a set of the values it has, keyed the way pyld compares them (`compare_values`: the same
@id; or the same @value, @type, @language and @index, where true is not 1), so the node map
is the same, blank-node labels included, and the RDF made from it too.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from pyld import jsonld as pyld_jsonld
from pyld.identifier_issuer import IdentifierIssuer

from standards.errors import UnsafeDocumentError

NodeMap = dict[str, dict[str, dict[str, Any]]]


def value_key(value: Any) -> Hashable:
    """Two values with the same key are the same value to pyld's duplicate check."""
    if isinstance(value, str):  # an @type IRI
        return ("type", value)
    if "@value" in value:
        literal = value["@value"]
        if isinstance(literal, bool):
            literal_key: Hashable = ("bool", literal)
        elif isinstance(literal, int | float | str):
            literal_key = literal
        else:  # a JSON literal (@type @json): compared as a whole
            literal_key = ("json", json.dumps(literal, sort_keys=True))
        return ("value", literal_key, value.get("@type"), value.get("@language"),
                value.get("@index"))
    if value.get("@id") is not None:
        return ("id", value["@id"])
    return ("never equal", id(value))


class NodeMapBuilder:
    """Builds the node map of expanded JSON-LD into `graphs`, labelling blank nodes with
    `issuer` in the order pyld does."""

    def __init__(self, issuer: IdentifierIssuer) -> None:
        self.issuer = issuer
        self.graphs: NodeMap = {"@default": {}}
        self._held: dict[tuple[str, str, str], set[Hashable]] = {}

    def _add_value(self, graph: str, node: dict[str, Any], prop: str, value: Any,
                   *, allow_duplicate: bool = False) -> None:
        values = node.setdefault(prop, [])
        if not allow_duplicate:
            held = self._held.setdefault((graph, node["@id"], prop), set())
            key = value_key(value)
            if key in held:
                return
            held.add(key)
        values.append(value)

    def add(self, element: Any, graph: str, subject: str | dict[str, Any] | None = None,
            prop: str | None = None, list_: dict[str, list[Any]] | None = None) -> None:
        """Add an expanded element (7.2), `subject`/`prop` being where it hangs (a dict
        subject: a reverse property), `list_` the list it is an item of."""
        if isinstance(element, list):
            for item in element:
                self.add(item, graph, subject, prop, list_)
            return
        subject_node = (self.graphs.setdefault(graph, {}).get(subject)
                        if isinstance(subject, str) else None)
        types = element.get("@type")
        if isinstance(types, list):  # types are labelled before the node itself
            for type_ in types:
                if type_.startswith("_:"):
                    self.issuer.get_id(type_)
        if pyld_jsonld._is_value(element):
            if isinstance(types, str) and types.startswith("_:"):
                element["@type"] = self.issuer.get_id(types)
            self._hang(graph, element, subject_node, prop, list_)
            return
        if pyld_jsonld._is_list(element):
            items: dict[str, list[Any]] = {"@list": []}
            self.add(element["@list"], graph, subject, prop, items)
            self._hang(graph, items, subject_node, prop, list_, allow_duplicate=True)
            return
        self._add_node(element, graph, subject, subject_node, prop, list_)

    def _hang(self, graph: str, value: Any, subject_node: dict[str, Any] | None,
              prop: str | None, list_: dict[str, list[Any]] | None, *,
              allow_duplicate: bool = False) -> None:
        if list_ is not None:
            list_["@list"].append(value)
        elif subject_node is not None and prop is not None:
            self._add_value(graph, subject_node, prop, value, allow_duplicate=allow_duplicate)

    def _add_node(self, element: dict[str, Any], graph: str,
                  subject: str | dict[str, Any] | None, subject_node: dict[str, Any] | None,
                  prop: str | None, list_: dict[str, list[Any]] | None) -> None:
        # A blank node gets its label; any other node has an @id (expansion made it so).
        id_: str = (self.issuer.get_id(element.get("@id")) if pyld_jsonld._is_bnode(element)
                    else element["@id"])
        node = self.graphs.setdefault(graph, {}).setdefault(id_, {"@id": id_})
        if isinstance(subject, dict) and prop is not None:  # a reverse property
            self._add_value(graph, node, prop, subject)
        elif prop:
            self._hang(graph, {"@id": id_}, subject_node, prop, list_)
        for key, objects in sorted(element.items()):
            if key == "@id":
                continue
            if key == "@reverse":
                for reverse_prop, items in objects.items():
                    for item in items:
                        self.add(item, graph, {"@id": id_}, reverse_prop)
            elif key == "@graph":
                self.graphs.setdefault(id_, {})
                self.add(objects, graph if graph == "@merged" else id_)
            elif key == "@included":
                self.add(objects, graph)
            elif key != "@type" and pyld_jsonld._is_keyword(key):
                if key == "@index" and "@index" in node and node["@index"] != objects:
                    raise UnsafeDocumentError(
                        f"invalid JSON-LD: node {id_!r} has conflicting @index values")
                node[key] = objects
            else:
                self._add_property(graph, node, id_,
                                   self.issuer.get_id(key) if key.startswith("_:") else key,
                                   objects)

    def _add_property(self, graph: str, node: dict[str, Any], id_: str, prop: str,
                      objects: list[Any]) -> None:
        if not objects:
            node.setdefault(prop, [])
        for item in objects:
            if prop == "@type":
                self._add_value(graph, node, prop,
                                self.issuer.get_id(item) if item.startswith("_:") else item)
            else:
                self.add(item, graph, id_, prop)


def node_map_of(expanded: Any, issuer: IdentifierIssuer) -> NodeMap:
    """The node map of expanded JSON-LD: graph name -> node id -> node."""
    builder = NodeMapBuilder(issuer)
    builder.add(expanded, "@default")
    return builder.graphs

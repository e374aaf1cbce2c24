"""standards.node_map builds the node map pyld builds (same nodes, values, order and blank-node
labels), in time linear in the number of values of a property."""

from __future__ import annotations

import copy
import json
import time
from pathlib import Path
from typing import Any

import pytest
from pyld import jsonld as pyld_jsonld
from pyld.identifier_issuer import IdentifierIssuer

from standards.document_loader import TEST_VECTOR_LOADER
from standards.errors import UnsafeDocumentError
from standards.node_map import node_map_of

EX = "http://example.org/"

EXPANDED_DOCUMENTS: dict[str, list[Any]] = {
    "duplicates": [{"@id": f"{EX}s", f"{EX}p": [
        {"@value": 1}, {"@value": True}, {"@value": 1.0}, {"@value": "1"}, {"@value": 1},
        {"@value": "a", "@language": "nl"}, {"@value": "a", "@language": "en"},
        {"@value": "a", "@language": "nl"}, {"@id": f"{EX}o"}, {"@id": f"{EX}o"},
        {f"{EX}q": [{"@value": "x"}]}, {f"{EX}q": [{"@value": "x"}]},
        {"@value": {"b": [1, 2]}, "@type": "@json"}, {"@value": {"b": [1, 2]}, "@type": "@json"},
    ], "@type": [f"{EX}T", "_:t", f"{EX}T"]}],
    "lists, reverse, graphs, included": [{
        "@id": "_:root", f"{EX}list": [{"@list": [{"@value": "a"}, {"@id": f"{EX}o"},
                                                  {"@list": [{"@value": "b"}]}]}],
        "@reverse": {f"{EX}parent": [{"@id": f"{EX}child"}, {"@id": f"{EX}child"}]},
        f"{EX}proof": [{"@graph": [{"@id": "_:p", f"{EX}v": [{"@value": "z"}]}]}],
        "@included": [{"@id": f"{EX}inc", f"{EX}w": [{"@value": 2}]}],
        f"{EX}empty": [], "_:bnodeProperty": [{"@value": "v"}],
        "@index": "i"}],
}


def _pyld_node_map(expanded: list[Any]) -> Any:
    node_map: dict[str, Any] = {"@default": {}}
    issuer = IdentifierIssuer("_:b")
    pyld_jsonld.JsonLdProcessor()._create_node_map(copy.deepcopy(expanded), node_map,
                                                   "@default", issuer)
    return node_map, issuer.existing


def _ours(expanded: list[Any]) -> Any:
    issuer = IdentifierIssuer("_:b")
    return node_map_of(copy.deepcopy(expanded), issuer), issuer.existing


@pytest.mark.parametrize("name", list(EXPANDED_DOCUMENTS))
def test_same_node_map_as_pyld(name: str) -> None:
    expanded = EXPANDED_DOCUMENTS[name]
    assert json.dumps(_ours(expanded)) == json.dumps(_pyld_node_map(expanded))


def test_same_node_map_as_pyld_for_the_credential_vectors(standards_dir: Path) -> None:
    paths = sorted((standards_dir / "vectors").rglob("*.json"))[:60]
    compared = 0
    for path in paths:
        document = json.loads(path.read_text("utf-8"))
        if not isinstance(document, dict) or "@context" not in document:
            continue
        try:
            expanded = pyld_jsonld.expand(document, {"documentLoader": TEST_VECTOR_LOADER})
        except pyld_jsonld.JsonLdError:
            continue
        assert json.dumps(_ours(expanded)) == json.dumps(_pyld_node_map(expanded)), path
        compared += 1
    assert compared >= 5


def test_conflicting_index_is_refused() -> None:
    expanded = [{"@id": f"{EX}s", "@index": "a"}, {"@id": f"{EX}s", "@index": "b"}]
    with pytest.raises(UnsafeDocumentError, match="conflicting @index"):
        node_map_of(expanded, IdentifierIssuer("_:b"))


def test_many_values_of_one_property_cost_linear_time() -> None:
    def build(count: int) -> float:
        """The least CPU time of five builds: a ratio of two single timings is at the mercy
        of whatever else the machine does (the other test worker, a collection)."""
        expanded = [{"@id": f"{EX}s", f"{EX}p": [{f"{EX}q": [{"@value": "same"}]}
                                                 for _ in range(count)]}]
        times = []
        for _ in range(5):
            started = time.process_time()
            node_map = node_map_of(expanded, IdentifierIssuer("_:b"))
            times.append(time.process_time() - started)
            assert len(node_map["@default"][f"{EX}s"][f"{EX}p"]) == count
        return min(times)

    # 16 times the values: far below the 256 times a quadratic check would cost
    assert build(16_000) < 60 * max(build(1000), 0.001)

"""Hypothesis strategies for odd JSON and JSON-LD documents: a valid Open Badges 3.0
credential (`tests.ob3_sample`), perturbed one to three times. A perturbation drops a member,
puts an odd value in its place (another type, unicode, a large number, a nested structure,
JSON-LD keywords as keys), adds a member, nests a value deeply, replaces or extends the
`@context` (of the credential or of an object in it), or repeats an array element.

Inputs whose crash another part of issue 17 is fixing are left out while it is being fixed:
`tests.fuzz.known_until_merged.KNOWN_UNTIL_MERGED` names them, and the fuzzers filter them
out.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

Path = tuple[str | int, ...]
Draw = Callable[[st.SearchStrategy[Any]], Any]

JSONLD_KEYWORDS = ["@context", "@id", "@type", "@value", "@language", "@list", "@set",
                   "@graph", "@reverse", "@index", "@vocab", "@base", "@nest", "@none",
                   "@included", "@json", "@direction", "@protected", "@version"]
# Contexts a credential may name or carry, well-formed or not: every one must be answered
# with a verdict or a 4xx, never fetched (verification never fetches a context).
CONTEXTS: list[Any] = [
    [], "https://www.w3.org/ns/credentials/v2", ["https://www.w3.org/ns/credentials/v2"],
    ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    ["https://www.w3.org/2018/credentials/v1",
     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
    "https://contexts.example.org/unknown.jsonld", "http://127.0.0.1:9/context.jsonld",
    "not a url", 42, None, {}, {"@version": 1.1}, {"@version": 2.0},
    {"@vocab": "https://vocab.example.org/"}, {"name": "https://schema.org/name"},
    {"@protected": True, "name": {"@id": "https://example.org/name"}},
    {"VerifiableCredential": "https://example.org/Other"},
    {"@base": "https://base.example.org/"}, {"@language": "nl"}, {"@direction": "rtl"},
    {"id": "@id", "type": "@type", "x": {"@id": "x", "@container": "@list"}},
    {"@import": "https://www.w3.org/ns/credentials/v2"},
    {"@context": {"@context": {}}}, [None], [[]], ["https://www.w3.org/ns/credentials/v2", {}],
    {"@vocab": None},  # was a pyld KeyError (a 500): now a 4xx with the reason
]
# A JSON number of 5,000 digits, which no Python value can be written as (int to text stops
# at 4,300 digits): documents hold this text in its place and `json_text` writes the number
# (the services must refuse it with a 4xx).
HUGE_NUMBER = "<a number of 5000 digits>"

_text = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", " ", "\u202enl.elpmaxe", "e\u0301\u0301\u0301", "\U0001f393" * 20, "\ufeff",
     "a\u2028b", "<script>alert(1)</script>", "urn:uuid:", "did:key:", "did:web:%00",
     "http://", "2024-13-45T25:61:61Z", "9999-12-31T23:59:59Z", "0000-01-01T00:00:00Z"])
_scalars = (st.none() | st.booleans() | _text
            | st.integers(min_value=-(10 ** 40), max_value=10 ** 40)
            | st.floats(allow_nan=False, allow_infinity=False)
            | st.sampled_from([0, -0.0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, 2 ** 64,
                               HUGE_NUMBER]))
_keys = _text | st.sampled_from(JSONLD_KEYWORDS)
ODD_VALUES: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: (st.lists(children, max_size=4)
                      | st.dictionaries(_keys, children, max_size=4)),
    max_leaves=12)


def paths(value: Any, here: Path = ()) -> list[Path]:
    """Every member and element of `value`, as paths from its root (not the root)."""
    found: list[Path] = []
    items: list[tuple[str | int, Any]] = (
        list(value.items()) if isinstance(value, dict)
        else list(enumerate(value)) if isinstance(value, list) else [])
    for key, child in items:
        found.append((*here, key))
        found.extend(paths(child, (*here, key)))
    return found


def _parent(document: Any, path: Path) -> Any:
    node = document
    for step in path[:-1]:
        node = node[step]
    return node


def _drop(draw: Draw, document: Any) -> None:
    path = draw(st.sampled_from(paths(document)))
    del _parent(document, path)[path[-1]]


def _replace(draw: Draw, document: Any) -> None:
    path = draw(st.sampled_from(paths(document)))
    _parent(document, path)[path[-1]] = draw(ODD_VALUES)


def _add(draw: Draw, document: Any) -> None:
    objects = [path for path in paths(document) if isinstance(_at(document, path), dict)]
    target = _at(document, draw(st.sampled_from(objects))) if objects and draw(
        st.booleans()) else document
    target[draw(_keys)] = draw(ODD_VALUES)


def _nest(draw: Draw, document: Any) -> None:
    path = draw(st.sampled_from(paths(document)))
    value = _at(document, path)
    for _ in range(draw(st.integers(min_value=2, max_value=200))):
        value = [value] if draw(st.booleans()) else {"nested": value}
    _parent(document, path)[path[-1]] = value


def _context(draw: Draw, document: Any) -> None:
    """The credential's `@context`, or a scoped one on an object inside it."""
    objects = [path for path in paths(document) if isinstance(_at(document, path), dict)]
    node = _at(document, draw(st.sampled_from(objects))) if objects and draw(
        st.booleans()) else document
    context = copy.deepcopy(draw(st.sampled_from(CONTEXTS)))
    current = node.get("@context")
    node["@context"] = [*current, context] if isinstance(current, list) and draw(
        st.booleans()) else context


def _repeat(draw: Draw, document: Any) -> None:
    arrays = [path for path in paths(document) if isinstance(_at(document, path), list)
              and _at(document, path)]
    if arrays:
        array = _at(document, draw(st.sampled_from(arrays)))
        array.extend(copy.deepcopy(array[0]) for _ in range(draw(st.integers(1, 30))))


def _at(document: Any, path: Path) -> Any:
    return _parent(document, path)[path[-1]]


MUTATIONS: dict[str, Callable[[Draw, Any], None]] = {
    "drop": _drop, "replace": _replace, "add": _add, "nest": _nest, "context": _context,
    "repeat": _repeat}


@st.composite
def perturbed(draw: Draw, base: dict[str, Any]) -> dict[str, Any]:
    """`base`, changed by one to three mutations."""
    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        if not paths(document):
            break
        MUTATIONS[draw(st.sampled_from(sorted(MUTATIONS)))](draw, document)
    return document


def json_text(document: Any) -> bytes:
    """`document` as the JSON text a client sends (`HUGE_NUMBER` as the number it names)."""
    text = json.dumps(document, ensure_ascii=False)
    return text.replace(json.dumps(HUGE_NUMBER), "1" + "0" * 4999).encode()

"""Inputs the document fuzzers leave out for now, because the server error they cause is being
fixed in another part of issue 17 (or deep in a service another helper owns).

THE LEAD EMPTIES `KNOWN_UNTIL_MERGED` AT MERGE: once the fixes are in, the fuzzers must pass
with every entry gone (each entry says whose fix it waits for). Nothing else may be added
here to make a fuzzer pass: a 5xx found in the API layer is fixed, with a regression test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class KnownCrash:
    name: str
    waits_for: str  # the part of issue 17 whose fix makes it a 4xx (or a verdict)
    matches: Callable[[Any], bool]


def _nodes(value: Any) -> Iterator[Any]:
    """`value` and everything inside it."""
    yield value
    children = value.values() if isinstance(value, dict) else value if isinstance(
        value, list) else ()
    for child in children:
        yield from _nodes(child)


def _null_vocab(document: Any) -> bool:
    """`"@context": {"@vocab": null}` anywhere: pyld raises KeyError '@vocab'."""
    for node in _nodes(document):
        if isinstance(node, dict) and "@context" in node:
            contexts = node["@context"] if isinstance(node["@context"], list) else [
                node["@context"]]
            if any(isinstance(c, dict) and "@vocab" in c and c["@vocab"] is None
                   for c in contexts):
                return True
    return False


def _repeated_objects(document: Any) -> bool:
    """An array holding the same object twice: canonicalisation gives up with a 500
    ("work limit exceeded") on symmetric blank nodes."""
    for node in _nodes(document):
        if isinstance(node, list):
            objects = [item for item in node if isinstance(item, dict)]
            if any(a == b for i, a in enumerate(objects) for b in objects[i + 1:]):
                return True
    return False


KNOWN_UNTIL_MERGED: list[KnownCrash] = [
    KnownCrash("@context with a null @vocab (pyld KeyError '@vocab')",
               "item 9: every parse, JSON-LD and canonicalisation error becomes a 4xx",
               _null_vocab),
    KnownCrash("repeated identical objects (RDF canonicalisation work limit)",
               "item 2: legitimate documents with repeated identical objects canonicalise",
               _repeated_objects),
]


def known_crash(document: Any) -> KnownCrash | None:
    """The entry of `KNOWN_UNTIL_MERGED` that `document` falls under, if any."""
    return next((known for known in KNOWN_UNTIL_MERGED if known.matches(document)), None)

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

from hypothesis import strategies as st

from tests.fuzz.documents import perturbed


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


def _context_memo_poison(document: Any) -> bool:
    """An `@context` on an object inside the document (a scoped context), or a root
    `@context` list that names one context twice (the VCDM 2.0 context again after the
    OB 3.0 one). Processing such documents leaves the JSON-LD context memo of
    `standards.jsonld` (shared by every request of the process) in a state where later
    documents of this kind, and then ordinary requests such as GET /export/clr, fail with
    KeyError 'mappings' in pyld's _clone_active_context: a 500 for everyone after it. Which
    document poisons the memo was not isolated: the crash shows a few hundred documents
    later, in one process (see the fuzz report); each document alone is answered fine."""
    root = document.get("@context") if isinstance(document, dict) else None
    named = [c for c in root if isinstance(c, str)] if isinstance(root, list) else []
    return len(named) != len(set(named)) or any(
        isinstance(node, dict) and "@context" in node
        for node in _nodes(document) if node is not document)


KNOWN_UNTIL_MERGED: list[KnownCrash] = [
    KnownCrash("@context with a null @vocab (pyld KeyError '@vocab')",
               "item 9: every parse, JSON-LD and canonicalisation error becomes a 4xx",
               _null_vocab),
    KnownCrash("an @context inside the document, or a context named twice (the context "
               "memo then fails later requests with KeyError 'mappings')",
               "items 9/10: standards.jsonld's context processing and its memo",
               _context_memo_poison),
]


def known_crash(document: Any) -> KnownCrash | None:
    """The entry of `KNOWN_UNTIL_MERGED` that `document` falls under, if any."""
    return next((known for known in KNOWN_UNTIL_MERGED if known.matches(document)), None)


def odd_credentials(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`tests.fuzz.documents.perturbed(base)`, less what `KNOWN_UNTIL_MERGED` names."""
    return perturbed(base).filter(lambda document: known_crash(document) is None)

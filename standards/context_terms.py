"""The terms with a colon that a document's JSON-LD contexts can bring into scope.

Where a value is expanded relative to the vocabulary (`@type`, `"@type": "@vocab"`), pyld
first looks the whole value up as a term; a term like "https://example.org/a" or "ex:b"
maps to its own expansion, which need not be the value itself (a prefix), and may carry a
type-scoped context. An IRI slot of a shape template therefore refuses every value that is
such a term anywhere in the contexts the document reaches: its own (URLs and inline), the
contexts scoped inside their term definitions, and what they `@import`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


def colon_terms(contexts: Iterable[Any], load: Callable[[str], Any]) -> frozenset[str]:
    """Every term containing ":" defined in `contexts` or any context they reach; `load`
    gives the document of a context URL (it raises for URLs outside the bundle)."""
    terms: set[str] = set()
    loaded: set[str] = set()
    stack: list[Any] = list(contexts)
    while stack:
        context = stack.pop()
        if isinstance(context, str):
            if context not in loaded:
                loaded.add(context)
                document = load(context)
                if isinstance(document, dict):
                    stack.append(document.get("@context"))
        elif isinstance(context, list):
            stack.extend(context)
        elif isinstance(context, dict):
            for key, value in context.items():
                if ":" in key:
                    terms.add(key)
                if key in ("@context", "@import"):
                    stack.append(value)
                elif isinstance(value, dict) and "@context" in value:
                    stack.append(value["@context"])
    return frozenset(terms)

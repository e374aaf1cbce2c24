"""The JSON shape of a document: everything but its string values, which are listed apart.

A shape template (`standards.shape_template`) is looked up by the skeleton of a document:
every key and the nesting, every number, boolean and null (tagged by type, so 1, 1.0 and true
differ), and every `@context` value verbatim. String values outside `@context` are left out
of the skeleton and listed in document order; the template then says which of them must
equal the values of the document it was compiled from (types, terms under @vocab, language
tags, ...: everything that steers JSON-LD processing) and which are slots.

The walk order (dict entries in document order, list items in order, `@context` values not
entered) defines the string positions; `with_strings` rebuilds a document in the same order.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any

STRING: tuple[str] = ("s",)  # where a string value stands in a skeleton
NULL: tuple[str] = ("n",)


class NoShape(Exception):
    """The document holds something plain JSON cannot (a tuple, a non-string key...) or is
    nested too deeply."""


@dataclass(frozen=True, slots=True)
class DocumentShape:
    """A document's skeleton (hashable) and its string values in walk order."""

    skeleton: Hashable
    strings: list[str]


def shape_of(document: Any, max_depth: int = 64, max_values: int = 5_000
             ) -> DocumentShape | None:
    """The shape of `document`, or None when it is not plain JSON, is nested deeper than
    `max_depth` or has more than about `max_values` values: those go to pyld (which refuses
    the too deep), and templates stay small."""
    strings: list[str] = []
    left = [max_values]

    def add_string(value: str) -> None:
        strings.append(value)
        left[0] -= 1

    try:
        skeleton = _skeleton(document, add_string, max_depth, left)
    except NoShape:
        return None
    return DocumentShape(skeleton, strings)


def _skeleton(value: Any, add_string: Callable[[str], None], depth: int, left: list[int]
              ) -> Hashable:
    # Exact types (what json.loads makes): anything else has no shape and goes to pyld.
    kind = type(value)
    if kind is str:
        add_string(value)
        return STRING
    if depth <= 0 or left[0] <= 0:
        raise NoShape
    if kind is dict:
        left[0] -= len(value)
        parts: list[Hashable] = ["{"]
        for key, item in value.items():
            if type(key) is not str:
                raise NoShape
            parts.append(key)
            parts.append(_context_token(item) if key == "@context"
                         else _skeleton(item, add_string, depth - 1, left))
        return tuple(parts)
    if kind is list:
        left[0] -= len(value)
        return ("[", *(_skeleton(item, add_string, depth - 1, left) for item in value))
    if value is None:
        return NULL
    if kind is bool:
        return ("b", value)
    if kind is int:
        return ("i", value)
    if kind is float:
        return ("f", repr(value))
    raise NoShape


def _context_token(context: Any) -> Hashable:
    if isinstance(context, str):
        return ("c", context)
    if isinstance(context, list) and all(isinstance(item, str) for item in context):
        return ("c", *context)
    try:
        return ("c{", json.dumps(context, ensure_ascii=False, allow_nan=True))
    except (TypeError, ValueError) as exc:
        raise NoShape from exc


def with_strings(document: Any, replacements: Mapping[int, str]) -> Any:
    """A copy of `document` whose string at position i (walk order) is replacements[i]."""
    position = [0]

    def rebuilt(value: Any) -> Any:
        if isinstance(value, str):
            index = position[0]
            position[0] += 1
            return replacements.get(index, value)
        if isinstance(value, dict):
            return {key: (item if key == "@context" else rebuilt(item))
                    for key, item in value.items()}
        if isinstance(value, list):
            return [rebuilt(item) for item in value]
        return value

    return rebuilt(document)


def string_owners(document: Any) -> list[str | None]:
    """For each string position, the key it is the value of (through arrays); None at the
    top level or directly in a top-level array."""
    owners: list[str | None] = []

    def walk(value: Any, owner: str | None) -> None:
        if isinstance(value, str):
            owners.append(owner)
        elif isinstance(value, dict):
            for key, item in value.items():
                if key != "@context":
                    walk(item, key)
        elif isinstance(value, list):
            for item in value:
                walk(item, owner)

    walk(document, None)
    return owners


def context_values(document: Any) -> list[Any]:
    """Every `@context` value in `document` (the root's and embedded ones), in walk order."""
    found: list[Any] = []
    stack = [document]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if key == "@context":
                    found.append(item)
                else:
                    stack.append(item)
        elif isinstance(value, list):
            stack.extend(value)
    return found

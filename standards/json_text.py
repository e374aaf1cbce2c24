"""Reading JSON text as the standards mean it (RFC 8259), with reasons people can act on.

Python's `json` reads more than JSON: ``NaN``, ``Infinity`` and ``-Infinity``, and numbers so
long that turning them into an int raises a bare ValueError (Python caps integer parsing at
4,300 digits) or a float silently becomes infinite. None of those can be signed, canonicalised
or stored as JSON, so they are refused here with the reason.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

# A surrogate code point in a Python string read from JSON is always a lone one (json joins an
# escaped pair into one character); one in raw text could only have come from an escape.
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
LONE_SURROGATE = ("a JSON string holds a lone surrogate (an unpaired \\uD800-\\uDFFF escape): "
                  "that is not Unicode text, which JSON exchanged between systems must be "
                  "(RFC 8259 section 8.1)")

# Python's own cap on int <-> text conversion (sys.int_info.default_max_str_digits).
MAX_INTEGER_DIGITS = 4300


class JsonTextError(ValueError):
    """The text is not JSON this project reads; the message says why."""


def _integer(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        raise JsonTextError(f"a JSON number has {digits} digits; at most "
                            f"{MAX_INTEGER_DIGITS} are accepted")
    return int(text)


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonTextError(f"the JSON number {text[:40]}{'...' if len(text) > 40 else ''} "
                            "is too large to represent")
    return value


def _constant(name: str) -> Any:
    raise JsonTextError(f"{name} is not a JSON value")


def has_lone_surrogate(text: str) -> bool:
    return not text.isascii() and _SURROGATE.search(text) is not None


def loads(text: str | bytes) -> Any:
    """The JSON value of `text`. Raises json.JSONDecodeError for a syntax error, JsonTextError
    for numbers and constants JSON does not have and for strings that are not Unicode text
    (all ValueErrors), RecursionError for absurd nesting."""
    value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    may_hold = (_SURROGATE_ESCAPE.search(text) is not None if isinstance(text, bytes)
                else "\\u" in text or has_lone_surrogate(text))
    if may_hold and holds_lone_surrogate(value):
        raise JsonTextError(LONE_SURROGATE)
    return value


def holds_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if has_lone_surrogate(item):
                return True
        elif isinstance(item, dict):
            if any(has_lone_surrogate(key) for key in item):
                return True
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def json_copy(value: Any) -> Any:
    """A copy of JSON data: every dict and list copied, strings, numbers, booleans and None
    shared (they are immutable). What `copy.deepcopy` gives for JSON, several times faster.
    Recursive: call it on documents within `check_document_limits` (nesting at most 64)."""
    if isinstance(value, dict):
        return {key: json_copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [json_copy(item) for item in value]
    return value

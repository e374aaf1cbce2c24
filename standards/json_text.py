"""Reading JSON text as the standards mean it (RFC 8259), with reasons people can act on.

Python's `json` reads more than JSON: ``NaN``, ``Infinity`` and ``-Infinity``, and numbers so
long that turning them into an int raises a bare ValueError (Python caps integer parsing at
4,300 digits) or a float silently becomes infinite. None of those can be signed, canonicalised
or stored as JSON, so they are refused here with the reason.
"""

from __future__ import annotations

import json
import math
from typing import Any

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


def loads(text: str | bytes) -> Any:
    """The JSON value of `text`. Raises json.JSONDecodeError for a syntax error, JsonTextError
    for numbers and constants JSON does not have (both are ValueErrors), RecursionError for
    absurd nesting."""
    return json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)

"""A compiled (Rust, jsonschema-rs) validity check for the bundled schemas: a fast path only.

Python's `jsonschema` stays the reference: it alone writes error messages, and it decides
every document the compiled validator does not accept. The compiled validator answers only
"valid", and only that answer is used, so it must never accept what the reference refuses:

* the same schemas (the bundle, by `$id` and alias), the same draft (2019-09), and nothing
  ever retrieved;
* formats checked by the reference's own FormatChecker (date-time via rfc3339-validator,
  date, ...), called from the compiled validator, so a format verdict is the same function;
* the bundle's patterns are ASCII and anchored with `^...$`; Python's `re` lets `$` match
  before a final newline and `\\d` match any Unicode digit, so the compiled regex accepts a
  subset of what `re` accepts. Every `oneOf` in the bundle has branches that exclude each
  other (by type, or an enum beside an `ext:` pattern), so accepting less never accepts
  more. `tests/test_compiled_schema.py` checks this against the reference on generated
  documents;
* anything the compiled validator cannot read (a lone surrogate, a non-string key, a
  non-JSON value) raises, which means "ask the reference".

It saves about 1.5 ms per received credential (a 3 kB OB 3.0 credential takes ~2 ms in
Python jsonschema, ~10 us compiled); invalid documents cost what they cost before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jsonschema_rs


def _refuse_retrieval(uri: str) -> Any:
    raise ValueError(f"schema {uri} is not bundled; schemas are never fetched")


class CompiledSchemas:
    """Compiled validators for bundled schemas, one per schema URI, built on first use."""

    def __init__(self, resources: Iterable[tuple[str, Any]],
                 formats: Mapping[str, Callable[[str], bool]]) -> None:
        self._registry = jsonschema_rs.Registry(list(resources), draft=jsonschema_rs.Draft201909,
                                                retriever=_refuse_retrieval)
        self._formats = dict(formats)
        # URIs are the bundle's own constants (schema.py), so this stays small.
        self._validators: dict[str, Any] = {}

    def _validator(self, uri: str) -> Any:
        validator = self._validators.get(uri)
        if validator is None and uri not in self._validators:
            try:
                validator = jsonschema_rs.Draft201909Validator(
                    {"$ref": uri}, registry=self._registry, formats=self._formats,
                    validate_formats=True, retriever=_refuse_retrieval)
            except Exception:  # what it cannot compile, the reference does
                validator = None
            self._validators[uri] = validator
        return validator

    def accepts(self, document: Any, uri: str) -> bool:
        """True only when the compiled validator finds `document` valid against `uri`;
        False means "not known here": ask the reference."""
        validator = self._validator(uri)
        if validator is None:
            return False
        try:
            return bool(validator.is_valid(document))
        except Exception:  # unreadable here (surrogates, odd types): reference
            return False

"""Inputs the document fuzzers leave out for now, because the server error they cause is being
fixed in another part of issue 17 (or deep in a service another helper owns).

THE LEAD EMPTIES `KNOWN_UNTIL_MERGED` AT MERGE: once the fixes are in, the fuzzers must pass
with every entry gone (each entry says whose fix it waits for). Nothing else may be added
here to make a fuzzer pass: a 5xx found in the API layer is fixed, with a regression test.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hypothesis import strategies as st

from tests.fuzz.documents import perturbed


@dataclass(frozen=True)
class KnownCrash:
    name: str
    waits_for: str  # the part of issue 17 whose fix makes it a 4xx (or a verdict)
    matches: Callable[[Any], bool]


# Empty since the merge of issue 17's parts (the null @vocab: tests/test_hostile_input.py; the
# context-memo crash, an @import that changed the shared bundled context:
# tests/test_jsonld_context_memo.py).
KNOWN_UNTIL_MERGED: list[KnownCrash] = []


def known_crash(document: Any) -> KnownCrash | None:
    """The entry of `KNOWN_UNTIL_MERGED` that `document` falls under, if any."""
    return next((known for known in KNOWN_UNTIL_MERGED if known.matches(document)), None)


def odd_credentials(base: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
    """`tests.fuzz.documents.perturbed(base)`, less what `KNOWN_UNTIL_MERGED` names."""
    return perturbed(base).filter(lambda document: known_crash(document) is None)

"""The JSON-LD document loader: bundled contexts from memory, nothing from the network.

Every context in `contexts/index.json` is read and parsed once per process. Any other URL
is refused with an error that names it. Other documents (DID documents, status lists) are
not JSON-LD contexts and go through `standards.fetcher`, never through this loader.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from importlib import resources
from typing import Any

from standards.errors import DocumentLoaderError


@cache
def _index() -> dict[str, dict[str, Any]]:
    raw = json.loads(resources.files("contexts").joinpath("index.json").read_text("utf-8"))
    contexts: dict[str, dict[str, Any]] = raw["contexts"]
    return contexts


@cache
def bundled_context(url: str) -> dict[str, Any]:
    """The parsed bundled context for `url` (parsed once, shared: never mutate it)."""
    entry = _index().get(url)
    if entry is None:
        raise DocumentLoaderError(f"JSON-LD context not in the bundle: {url}")
    text = resources.files("contexts").joinpath(entry["file"]).read_text("utf-8")
    context: dict[str, Any] = json.loads(text)
    return context


def bundled_context_bytes(url: str) -> bytes | None:
    """The bundle file's bytes for `url` exactly as bundled (for a relatedResource digest),
    or None when `url` is not bundled. Test-only contexts count too: their bytes are public
    and hashing them makes nothing acceptable."""
    entry = _index().get(url)
    if entry is None:
        return None
    return resources.files("contexts").joinpath(entry["file"]).read_bytes()


def bundled_context_urls(include_test_only: bool = False) -> list[str]:
    return [u for u, e in _index().items() if include_test_only or not e.get("test_only")]


class DocumentLoader:
    """A pyld-compatible document loader over the bundle.

    `allow_test_contexts` also serves the W3C examples and undefined-terms contexts, which
    exist for test vectors and must never make a production credential acceptable.
    """

    def __init__(self, allow_test_contexts: bool = False) -> None:
        self._allow_test = allow_test_contexts

    def __call__(self, url: str, options: Mapping[str, Any] | None = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": self.load(url)}

    def load(self, url: str) -> Any:
        entry = _index().get(url)
        if entry is None:
            raise DocumentLoaderError(
                f"refusing to load {url!r}: not a bundled JSON-LD context "
                "(OpenDossier never fetches contexts from the network)"
            )
        if entry.get("test_only") and not self._allow_test:
            raise DocumentLoaderError(
                f"refusing to load {url!r}: this context is only for test vectors"
            )
        return bundled_context(url)

    @property
    def allows_test_contexts(self) -> bool:
        return self._allow_test


DEFAULT_LOADER = DocumentLoader()
TEST_VECTOR_LOADER = DocumentLoader(allow_test_contexts=True)

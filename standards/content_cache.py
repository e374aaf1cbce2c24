"""Memoising pure functions of JSON documents by their content.

Canonicalisation and JSON Schema validation depend only on the document's content (key order
does not matter to either), and a verifier sees the same credential again and again: every
employer who scans one share link, every status check of one list. The key is the SHA-256 of
the document serialised with sorted keys, so a changed byte is a different key; the cache is
bounded (LRU) and thread-safe. Errors are never cached: they are raised again each time.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from cachetools import LRUCache

T = TypeVar("T")


def content_key(value: Any) -> bytes | None:
    """A digest of `value`'s JSON content, or None when it is not plain JSON."""
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False)
        encoded = text.encode("utf-8")  # fails on a lone surrogate: the computation says why
    except (TypeError, ValueError, RecursionError):
        return None
    return hashlib.sha256(encoded).digest()


class ContentCache(Generic[T]):
    def __init__(self, maxsize: int) -> None:
        self._entries: LRUCache[tuple[Any, bytes], T] = LRUCache(maxsize=maxsize)
        self._lock = threading.Lock()

    def get_or_compute(self, tag: Any, document: Any, compute: Callable[[], T]) -> T:
        """`compute()`'s result for this (tag, document content), computed once while held."""
        key = content_key(document)
        if key is None:
            return compute()
        with self._lock:
            if (tag, key) in self._entries:
                return self._entries[(tag, key)]
        value = compute()
        with self._lock:
            self._entries[(tag, key)] = value
        return value

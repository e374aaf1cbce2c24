"""Reading values out of pages in tests."""

from __future__ import annotations

import re


def first_group(pattern: str, text: str) -> str:
    """Group 1 of the first match of `pattern` in `text`; the test fails when there is none."""
    match = re.search(pattern, text)
    assert match is not None, f"{pattern!r} not found in: {text[:1000]}"
    return match.group(1)

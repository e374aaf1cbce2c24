"""Shared fixtures. The standards data lives in ../shared/standards beside the repository."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.inprocess import TestClock

STANDARDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "standards"


@pytest.fixture(scope="session")
def standards_dir() -> Path:
    if not STANDARDS_DIR.is_dir():
        pytest.fail(f"standards data not found at {STANDARDS_DIR}: shared/ must sit beside it")
    return STANDARDS_DIR


@pytest.fixture(autouse=True)
def clocks_back_to_now(request: pytest.FixtureRequest) -> Iterator[None]:
    """Services live for a whole session; a test that moves one's clock (a day on, to see
    expiry) must not leave the next test on the same service in the future, where what it
    signs would be "not valid before" tomorrow."""
    yield
    for value in request.node.funcargs.values():
        clock = getattr(value, "clock", None)
        if isinstance(clock, TestClock):
            clock.reset()

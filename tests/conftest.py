"""Shared fixtures. The standards data lives in ../shared/standards beside the repository."""

from __future__ import annotations

from pathlib import Path

import pytest

STANDARDS_DIR = Path(__file__).resolve().parents[2] / "shared" / "standards"


@pytest.fixture(scope="session")
def standards_dir() -> Path:
    if not STANDARDS_DIR.is_dir():
        pytest.fail(f"standards data not found at {STANDARDS_DIR}: shared/ must sit beside it")
    return STANDARDS_DIR

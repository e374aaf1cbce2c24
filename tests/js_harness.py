"""Running the Digital Bazaar interop scripts in interop/js/ (node, no network).

Missing node or npm packages skip the test on a developer's machine; under CI (env CI set)
they fail it, so a skip can never hide a broken harness.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

JS_DIR = Path(__file__).resolve().parents[1] / "interop" / "js"
NODE = shutil.which("node")


def harness_missing() -> str | None:
    if NODE is None:
        return "node is not installed"
    for package in ("vc", "ecdsa-rdfc-2019-cryptosuite", "ecdsa-jcs-2019-cryptosuite",
                    "ecdsa-sd-2023-cryptosuite", "ecdsa-multikey"):
        if not (JS_DIR / "node_modules" / "@digitalbazaar" / package).is_dir():
            return f"JS packages not installed (run: npm ci --prefix {JS_DIR})"
    return None


def require_harness() -> None:
    missing = harness_missing()
    if missing is None:
        return
    if os.environ.get("CI"):
        pytest.fail(f"interop harness unavailable under CI: {missing}")
    pytest.skip(f"interop harness unavailable: {missing}")


def run_node(script: str, payload: Any, *args: str, expect_ok: bool = True) -> dict[str, Any]:
    """Run interop/js/<script> with `payload` as JSON on stdin; return its JSON output."""
    assert NODE is not None
    stdin = payload if isinstance(payload, str) else json.dumps(payload)
    done = subprocess.run(
        [NODE, str(JS_DIR / script), *args],
        input=stdin, capture_output=True, text=True, timeout=120, check=False,
    )
    if expect_ok:
        assert done.returncode == 0, (
            f"{script} exited {done.returncode}\nstdout: {done.stdout}\nstderr: {done.stderr}"
        )
    else:
        assert done.returncode != 0, f"{script} accepted bad input: {done.stdout}"
    return json.loads(done.stdout)

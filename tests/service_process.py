"""Starting and stopping a real `opendossier serve ...` in a subprocess for tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]

# The environment of `serve all` in the journey and browser tests: status lists served with a
# max-age of seconds, not the production minute, so the verifier reads a revocation soon; the
# stories wait for that (they read the max-age from the answer).
SHORT_STATUS_CACHE = {**os.environ, "OPENDOSSIER_ISSUER_STATUS_LIST_MAX_AGE_SECONDS": "5"}


def start_service(args: list[str], base_url: str, log_path: Path,
                  env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """Run `python -m opendossier ARGS` (in `env`, default this process's environment), its
    output to `log_path`, until `/health` answers."""
    log = log_path.open("wb")
    process = subprocess.Popen([sys.executable, "-m", "opendossier", *args], cwd=REPO,
                               stdout=log, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"{' '.join(args[:2])} exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"{base_url}/health", timeout=1).status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"{' '.join(args[:2])} did not start:\n{log_path.read_text()}")


def stop_service(process: subprocess.Popen[bytes] | None) -> None:
    if process and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()

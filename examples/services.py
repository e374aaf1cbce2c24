"""The three services for the example stories: started with the real commands, on free ports
of 127.0.0.1 and a fresh temporary data directory, and stopped again.

`opendossier issuer seed-example` runs first, by hand, because only the run that creates the
example prints the school's API token (tokens are stored hashed); `opendossier serve all`
then finds the example there and leaves it as it is. A second wallet (for the teacher who
moves school) is one more `opendossier serve wallet`, as an operator of another school runs.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[1]
START_SECONDS = 90  # three services on a 2-core machine, each migrating its database


class StepFailed(Exception):
    """A step of a story did not do what the story expects; the message says what."""


def expect(condition: object, message: str) -> None:
    """Fail the step with `message` unless `condition` holds (kept under `python -O`)."""
    if not condition:
        raise StepFailed(message)


def step(text: str) -> None:
    """One readable progress line per step."""
    print(f"  - {text}", flush=True)


def answer_of(response: httpx.Response, expected: int | tuple[int, ...], what: str) -> Any:
    """The JSON of `response`, after checking its status; a clear failure otherwise."""
    wanted = expected if isinstance(expected, tuple) else (expected,)
    expect(response.status_code in wanted,
           f"{what}: {response.request.method} {response.request.url} answered "
           f"{response.status_code}, expected {'/'.join(map(str, wanted))}: "
           f"{response.text[:500]}")
    if not response.content:
        return None
    return response.json() if "json" in response.headers.get("content-type", "") else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def opendossier(*args: str) -> list[str]:
    return [sys.executable, "-m", "opendossier", *args]


@dataclass
class Services:
    """Where the running services are, and what the example data handed out."""

    data_dir: Path
    issuer: str
    wallet: str
    verifier: str
    school_api_token: str
    seeded: dict[str, Any]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    wrong_tx_code: bool = False  # journey --wrong-tx-code: make one story fail for real

    def client(self, base_url: str, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=base_url, headers=headers, timeout=60)

    def start_wallet(self, name: str) -> str:
        """One more wallet instance (its own port and data directory); its base URL."""
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        data = self.data_dir / name
        data.mkdir(parents=True, exist_ok=True)
        log = (self.data_dir / f"{name}.log").open("wb")
        process = subprocess.Popen(
            opendossier("serve", "wallet", "--port", str(port), "--data-dir", str(data),
                        "--public-url", url, "--allow-local-host", "127.0.0.1"),
            cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        self.processes.append(process)
        _wait_for_health({name: url}, process, self.data_dir / f"{name}.log")
        return url


@contextmanager
def running_services(keep_data: bool = False) -> Iterator[Services]:
    """Seed the example, start `opendossier serve all`, yield, then stop everything."""
    data_dir = Path(tempfile.mkdtemp(prefix="opendossier-journey-"))
    ports = {name: free_port() for name in ("issuer", "wallet", "verifier")}
    urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    print(f"==> starting the services in {data_dir}", flush=True)
    seeded = _seed(data_dir, urls["issuer"])
    log_path = data_dir / "serve-all.log"
    log = log_path.open("wb")
    serve_all = subprocess.Popen(
        opendossier("serve", "all", "--data-dir", str(data_dir),
                    "--issuer-port", str(ports["issuer"]), "--wallet-port", str(ports["wallet"]),
                    "--verifier-port", str(ports["verifier"])),
        cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
    services = Services(data_dir, urls["issuer"], urls["wallet"], urls["verifier"],
                        str(seeded["api_token"]), seeded, [serve_all])
    try:
        _wait_for_health(urls, serve_all, log_path)
        print(f"    issuer {urls['issuer']}, wallet {urls['wallet']}, "
              f"verifier {urls['verifier']}", flush=True)
        yield services
    finally:
        # Newest first; serve all stops its three services itself on SIGTERM, in order.
        for process in reversed(services.processes):
            _stop(process)
        log.close()
        if keep_data:
            print(f"==> data kept in {data_dir}", flush=True)
        else:
            shutil.rmtree(data_dir, ignore_errors=True)


def _seed(data_dir: Path, issuer_url: str) -> dict[str, Any]:
    seeded = subprocess.run(
        opendossier("issuer", "seed-example", "--data-dir", str(data_dir / "issuer"),
                    "--public-url", issuer_url, "--trust-registry-out",
                    str(data_dir / "verifier" / "trust-registry.json")),
        cwd=REPO, capture_output=True, text=True, check=False)
    if seeded.returncode != 0:
        raise StepFailed(f"opendossier issuer seed-example failed:\n{seeded.stderr}")
    found: dict[str, Any] = json.loads(seeded.stdout)
    if not found.get("api_token"):
        raise StepFailed("seed-example printed no api_token: the data directory was not fresh")
    return found


def _wait_for_health(urls: dict[str, str], process: subprocess.Popen[bytes],
                     log_path: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    waiting = dict(urls)
    while waiting:
        if process.poll() is not None:
            raise StepFailed(f"the services stopped while starting:\n{_tail(log_path)}")
        if time.monotonic() > deadline:
            raise StepFailed(f"no answer from {', '.join(waiting)} within {START_SECONDS} s:\n"
                             f"{_tail(log_path)}")
        for name, url in list(waiting.items()):
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    del waiting[name]
            except httpx.TransportError:
                pass
        time.sleep(0.2)


def _tail(path: Path, lines: int = 40) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

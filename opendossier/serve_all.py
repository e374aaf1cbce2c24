"""`opendossier serve all`: the issuer, the wallet and the verifier together on 127.0.0.1,
with SQLite, files on disk and example data, until Ctrl-C.

Each service runs as its own process (`opendossier serve issuer|wallet|verifier`), the same
command an operator would run, so nothing here differs from running them one by one. Every
service may reach the others over plain http on 127.0.0.1 (`--allow-local-host`); elsewhere
they fetch only https from public addresses.
"""

from __future__ import annotations

import argparse
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

import httpx

START_SECONDS = 60


def add_serve_all_command(serve_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = serve_commands.add_parser(
        "all", help="run the issuer, wallet and verifier together with example data",
        description="Run the issuer, the wallet and the verifier on 127.0.0.1 with SQLite and "
                    "example data (two schools, a training institute, frameworks, an "
                    "endorsed badge; a teacher and a pupil with delegates in the wallet), "
                    "print their URLs and log-ins, and stop all three on Ctrl-C.")
    serve.add_argument("--data-dir", type=Path, default=Path("data"),
                       help="one subdirectory per service (default ./data)")
    serve.add_argument("--issuer-port", type=int, default=8001)
    serve.add_argument("--wallet-port", type=int, default=8002)
    serve.add_argument("--verifier-port", type=int, default=8003)
    serve.set_defaults(handler=_cmd_serve_all)


def _opendossier(*args: str) -> list[str]:
    return [sys.executable, "-m", "opendossier", *args]


def _seed(data: Path, issuer_url: str) -> dict[str, Any]:
    """Example data in the issuer and people in the wallet; both idempotent."""
    registry = data / "verifier" / "trust-registry.json"
    seeded = json.loads(_run("issuer", "seed-example", "--data-dir", str(data / "issuer"),
                             "--public-url", issuer_url, "--trust-registry-out",
                             str(registry)))
    frameworks_file = data / "wallet" / "example-frameworks.json"
    frameworks_file.parent.mkdir(parents=True, exist_ok=True)
    frameworks_file.write_text(json.dumps(seeded["frameworks"], ensure_ascii=False), "utf-8")
    people = json.loads(_run("wallet", "seed-example", "--data-dir", str(data / "wallet"),
                             "--frameworks", str(frameworks_file)))
    return {**seeded, "people": people["people"]}


def _run(*args: str) -> str:
    return subprocess.run(_opendossier(*args), capture_output=True, text=True,
                          check=True).stdout


def _cmd_serve_all(args: argparse.Namespace) -> int:
    data: Path = args.data_dir
    urls = {name: f"http://127.0.0.1:{port}" for name, port in
            (("issuer", args.issuer_port), ("wallet", args.wallet_port),
             ("verifier", args.verifier_port))}
    print(f"==> example data in {data}", file=sys.stderr)
    try:
        seeded = _seed(data, urls["issuer"])
    except subprocess.CalledProcessError as error:
        print(f"error: the example data could not be made:\n{error.stderr}", file=sys.stderr)
        return 1
    local = ["--allow-local-host", "127.0.0.1"]
    commands = {
        "issuer": ["serve", "issuer", "--port", str(args.issuer_port), "--data-dir",
                   str(data / "issuer"), "--public-url", urls["issuer"]],
        "wallet": ["serve", "wallet", "--port", str(args.wallet_port), "--data-dir",
                   str(data / "wallet"), "--public-url", urls["wallet"], *local],
        "verifier": ["serve", "verifier", "--port", str(args.verifier_port), "--data-dir",
                     str(data / "verifier"), "--trust-registry",
                     str(data / "verifier" / "trust-registry.json"), *local],
    }
    stop = threading.Event()

    def on_signal(_number: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for name, command in commands.items():
            # Own process group: Ctrl-C reaches this process, which stops the services in
            # order, instead of all of them at once mid-start.
            processes[name] = subprocess.Popen(_opendossier(*command),
                                               start_new_session=True)
        if not _all_started(urls, processes, stop):
            return 0 if stop.is_set() else 1
        _print_welcome(urls, seeded)
        while not stop.wait(0.5):
            ended = [name for name, p in processes.items() if p.poll() is not None]
            if ended:
                print(f"error: the {ended[0]} stopped; stopping the others", file=sys.stderr)
                return 1
        print("==> stopping", file=sys.stderr)
        return 0
    finally:
        _stop_all(processes)
        for number, handler in previous.items():
            signal.signal(number, handler)


def _all_started(urls: dict[str, str], processes: dict[str, subprocess.Popen[bytes]],
                 stop: threading.Event) -> bool:
    deadline = time.monotonic() + START_SECONDS
    waiting = set(urls)
    while waiting and time.monotonic() < deadline and not stop.is_set():
        for name in sorted(waiting):
            if processes[name].poll() is not None:
                print(f"error: the {name} did not start (see its output above)",
                      file=sys.stderr)
                return False
            try:
                if httpx.get(f"{urls[name]}/health", timeout=1).status_code == 200:
                    waiting.discard(name)
            except httpx.TransportError:
                pass
        stop.wait(0.2)
    if waiting and not stop.is_set():
        print(f"error: no answer from {', '.join(sorted(waiting))} within {START_SECONDS} s",
              file=sys.stderr)
    return not waiting


def _print_welcome(urls: dict[str, str], seeded: dict[str, Any]) -> None:
    from issuer.example_data import STAFF_PASSWORD
    from wallet.example_data import PASSWORD

    staff = "\n".join(f"      {o['staffEmail']:<34} {o['name']}" for o in seeded["organisations"])
    people = "\n".join(
        f"      {p['email']:<34} {p['name']}"
        + (f" ({p['role']} of {p['dossierOf']})" if p["dossierOf"] else "")
        for p in seeded["people"])
    print(f"""
OpenDossier is running (Ctrl-C stops all three):
  issuer    {urls['issuer']}/staff/
    staff log-ins, password {STAFF_PASSWORD}:
{staff}
  wallet    {urls['wallet']}/
    log-ins, password {PASSWORD}:
{people}
  verifier  {urls['verifier']}/
""", flush=True)
    tokens = [o for o in seeded["organisations"] if o["apiToken"]]
    if tokens:  # only when the example was made just now: tokens are stored hashed
        print("  API tokens (shown this once):", flush=True)
        for organisation in tokens:
            print(f"    {organisation['name']:<14} {organisation['apiToken']}", flush=True)
        print(flush=True)


def _stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            process.terminate()
    deadline = time.monotonic() + 15
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

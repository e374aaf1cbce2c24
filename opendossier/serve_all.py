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

import httpx

EXAMPLE_OWNER = "leraar@example.org"
EXAMPLE_OWNER_NAME = "Sanne de Vries"
EXAMPLE_PASSWORD = "voorbeeld-wachtwoord"
START_SECONDS = 60


def add_serve_all_command(serve_commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    serve = serve_commands.add_parser(
        "all", help="run the issuer, wallet and verifier together with example data",
        description="Run the issuer, the wallet and the verifier on 127.0.0.1 with SQLite and "
                    "example data (a school, a training institute, an endorsed badge, a "
                    "teacher's wallet account), print their URLs and log-ins, and stop all "
                    "three on Ctrl-C.")
    serve.add_argument("--data-dir", type=Path, default=Path("data"),
                       help="one subdirectory per service (default ./data)")
    serve.add_argument("--issuer-port", type=int, default=8001)
    serve.add_argument("--wallet-port", type=int, default=8002)
    serve.add_argument("--verifier-port", type=int, default=8003)
    serve.set_defaults(handler=_cmd_serve_all)


def _opendossier(*args: str) -> list[str]:
    return [sys.executable, "-m", "opendossier", *args]


def _seed(data: Path, issuer_url: str) -> dict[str, object]:
    """Example data in the issuer (idempotent) and the example owner in the wallet."""
    registry = data / "verifier" / "trust-registry.json"
    seeded = subprocess.run(_opendossier("issuer", "seed-example", "--data-dir",
                                         str(data / "issuer"), "--public-url", issuer_url,
                                         "--trust-registry-out", str(registry)),
                            capture_output=True, text=True, check=True)
    password_file = data / "wallet" / "example-password"
    password_file.parent.mkdir(parents=True, exist_ok=True)
    password_file.write_text(EXAMPLE_PASSWORD + "\n", encoding="utf-8")
    password_file.chmod(0o600)
    # Exit 1 when the owner is already there (a second start): that is fine.
    subprocess.run(_opendossier("wallet", "create-owner", EXAMPLE_OWNER, "--name",
                                EXAMPLE_OWNER_NAME, "--password-file", str(password_file),
                                "--data-dir", str(data / "wallet")),
                   capture_output=True, text=True, check=False)
    return json.loads(seeded.stdout)  # type: ignore[no-any-return]


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


def _print_welcome(urls: dict[str, str], seeded: dict[str, object]) -> None:
    logins = seeded.get("staff_logins")
    staff = ", ".join(f"{login['email']} / {login['password']}" for login in logins
                      if isinstance(login, dict)) if isinstance(logins, list) else ""
    print(f"""
OpenDossier is running (Ctrl-C stops all three):
  issuer    {urls['issuer']}/staff/   staff log-ins: {staff}
  wallet    {urls['wallet']}/         log in as {EXAMPLE_OWNER} / {EXAMPLE_PASSWORD}
  verifier  {urls['verifier']}/
""", flush=True)
    if seeded.get("api_token"):  # only when the example was made just now
        print(f"  the school's API token (shown this once): {seeded['api_token']}\n",
              flush=True)


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

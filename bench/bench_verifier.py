"""Verifier throughput and latency: `POST /credentials/verify` under 100 concurrent clients.

A ~3.7 kB OB 3.0 AchievementCredential signed with eddsa-rdfc-2022 (did:key issuer) is posted
by 100 concurrent keep-alive clients to `opendossier serve verifier --workers N` on 127.0.0.1
(N = cores by default). Two loads:

- *same credential*: the one credential over and over (an employer page under a rush, one
  share link scanned many times): the verifier's content caches for canonical forms and
  schema results are warm;
- *distinct credentials*: a different credential on every request, more of them than the
  caches hold, so every request canonicalises and validates from scratch.

The baseline, in the same run: the same credentials verified by the library in a loop in this
process (`verify_credential_report`, the code path the API and `opendossier verify` share),
i.e. what one core does without HTTP. The load generator is `wrk` when installed (apt install
wrk; it runs on the same cores as the server), otherwise a small asyncio client.

    .venv/bin/python bench/bench_verifier.py [--clients 100] [--seconds 15] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from standards.data_integrity import sign_document  # noqa: E402
from standards.dids import did_key_from_key_pair  # noqa: E402
from standards.fetcher import Fetcher  # noqa: E402
from standards.keys import generate_key  # noqa: E402
from tests.ob3_sample import realistic_ob3_credential  # noqa: E402
from verifier.config import VerifierSettings  # noqa: E402
from verifier.services.context import VerifierContext  # noqa: E402
from verifier.services.verification import verify_credential_report  # noqa: E402

WRK_SCRIPT = """
local bodies = {}
local next_body = 1
function init(args)
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  next_body = math.random(#bodies)
end
function request()
  local body = bodies[next_body]
  next_body = next_body % #bodies + 1
  return wrk.format("POST", "/credentials/verify", {["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests)
  local out = {requests = summary.requests, duration_us = summary.duration,
               errors = summary.errors.status + summary.errors.connect + summary.errors.read
                        + summary.errors.write + summary.errors.timeout,
               p50_us = latency:percentile(50), p95_us = latency:percentile(95),
               p99_us = latency:percentile(99)}
  io.stderr:write("WRK-RESULT " .. string.format(
    '{"requests": %d, "duration_us": %d, "errors": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d}',
    out.requests, out.duration_us, out.errors, out.p50_us, out.p95_us, out.p99_us) .. "\\n")
end
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=15, help="per load")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--distinct", type=int, default=4000,
                        help="distinct credentials for the cold load (more than the caches)")
    parser.add_argument("--python-client", action="store_true",
                        help="use the asyncio client even when wrk is installed")
    args = parser.parse_args()

    print(f"cores: {os.cpu_count()}, server workers: {args.workers}, clients: {args.clients}")
    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    vm = f"{did}#{did.removeprefix('did:key:')}"
    started = time.perf_counter()
    credentials = [sign_document(realistic_ob3_credential(f"did:example:learner-{i}", i,
                                                          issuer_id=did), key,
                                 verification_method=vm) for i in range(args.distinct)]
    print(f"signed {len(credentials)} credentials of ~{len(json.dumps(credentials[0]))} bytes "
          f"in {time.perf_counter() - started:.1f} s")

    same_ms, cold_ms = library_baseline(credentials)
    print("\nBaseline, library loop in this process (one core, no HTTP):")
    print(f"  same credential:      {same_ms:.3f} ms per verification "
          f"({1000 / same_ms:.0f}/s per core)")
    print(f"  distinct credentials: {cold_ms:.3f} ms per verification "
          f"({1000 / cold_ms:.0f}/s per core)")

    with tempfile.TemporaryDirectory(prefix="bench-verifier-") as directory:
        server = start_server(Path(directory), args.workers)
        try:
            base = f"http://127.0.0.1:{server[1]}"
            check = httpx.post(f"{base}/credentials/verify",
                               json={"verifiableCredential": credentials[0]}, timeout=30).json()
            assert check["verified"], check
            for label, bodies, per_core_ms in (
                ("same credential", [credentials[0]], same_ms),
                ("distinct credentials", credentials, cold_ms),
            ):
                result = run_load(Path(directory), base, bodies, args)
                report(label, result, per_core_ms, args)
        finally:
            server[0].terminate()
            server[0].wait(timeout=20)


def library_baseline(credentials: list[dict[str, Any]]) -> tuple[float, float]:
    ctx = VerifierContext(settings=VerifierSettings(), fetcher=Fetcher.offline())
    assert verify_credential_report(ctx, credentials[0])["verified"]
    rounds = 300
    start = time.perf_counter()
    for _ in range(rounds):
        verify_credential_report(ctx, credentials[0])
    same = (time.perf_counter() - start) * 1000 / rounds
    sample = credentials[1:301]
    start = time.perf_counter()
    for credential in sample:
        verify_credential_report(ctx, credential)
    cold = (time.perf_counter() - start) * 1000 / len(sample)
    return same, cold


def start_server(directory: Path, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [sys.executable, "-m", "opendossier", "serve", "verifier", "--port", str(port),
         "--data-dir", str(directory / "data"), "--workers", str(workers)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=(directory / "server.log").open("wb"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                time.sleep(1.0)  # let every worker finish starting
                return process, port
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"verifier did not start: {(directory / 'server.log').read_text()}")


def run_load(directory: Path, base: str, credentials: list[dict[str, Any]],
             args: argparse.Namespace) -> dict[str, float | str]:
    bodies = [json.dumps({"verifiableCredential": c}) for c in credentials]
    wrk = shutil.which("wrk")
    if wrk and not args.python_client:
        return run_wrk(wrk, directory, base, bodies, args)
    return asyncio.run(run_python_clients(base, bodies, args))


def run_wrk(wrk: str, directory: Path, base: str, bodies: list[str],
            args: argparse.Namespace) -> dict[str, float | str]:
    script, body_file = directory / "verify.lua", directory / "bodies.jsonl"
    script.write_text(WRK_SCRIPT)
    body_file.write_text("\n".join(bodies) + "\n")
    done = subprocess.run(
        [wrk, "-t", "2", "-c", str(args.clients), "-d", f"{args.seconds}s", "--timeout", "10s",
         "-s", str(script), base, "--", str(body_file)],
        capture_output=True, text=True, check=True)
    line = next(x for x in done.stderr.splitlines() if x.startswith("WRK-RESULT "))
    raw = json.loads(line.removeprefix("WRK-RESULT "))
    return {"requests": raw["requests"], "seconds": raw["duration_us"] / 1e6,
            "errors": raw["errors"], "p50": raw["p50_us"] / 1000, "p95": raw["p95_us"] / 1000,
            "p99": raw["p99_us"] / 1000, "client": "wrk"}


async def run_python_clients(base: str, bodies: list[str],
                             args: argparse.Namespace) -> dict[str, float | str]:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    errors = 0
    deadline = time.monotonic() + args.seconds
    counter = iter(range(10**9))

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.monotonic() < deadline:
            body = bodies[next(counter) % len(bodies)].encode()
            request = (f"POST /credentials/verify HTTP/1.1\r\nHost: {host}\r\n"
                       f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
            start = time.perf_counter()
            writer.write(request.encode() + body)
            status = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            errors += b" 200 " not in status
        writer.close()

    started = time.monotonic()
    await asyncio.gather(*(client() for _ in range(args.clients)))
    latencies.sort()
    quantiles = statistics.quantiles(latencies, n=100)
    return {"requests": len(latencies), "seconds": time.monotonic() - started,
            "errors": errors, "p50": quantiles[49], "p95": quantiles[94], "p99": quantiles[98],
            "client": "asyncio"}


def report(label: str, result: dict[str, Any], per_core_ms: float,
           args: argparse.Namespace) -> None:
    throughput = result["requests"] / result["seconds"]
    ideal = args.workers * 1000 / per_core_ms
    print(f"\nHTTP, {label}, {args.clients} clients ({result['client']}), "
          f"{result['seconds']:.0f} s:")
    print(f"  {result['requests']} requests, {result['errors']} errors, "
          f"{throughput:.0f} verifications/s")
    print(f"  latency p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
          f"p99 {result['p99']:.1f} ms")
    print(f"  throughput = {throughput / ideal:.2f} x (workers x library loop rate "
          f"{ideal:.0f}/s); p95 = {result['p95'] / per_core_ms:.0f} x one library "
          "verification")


if __name__ == "__main__":
    main()

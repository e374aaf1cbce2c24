"""Verifier over HTTP: `POST /credentials/verify`, distinct credentials, against the library.

`opendossier serve verifier --workers N` (N = cores by default) on 127.0.0.1, fed credentials
from bench/corpus.py (five shapes, all different, eddsa-rdfc-2022, signed by another
process). Every response is checked: each credential must come back verified, and a tampered
copy of each shape refused. Loads, each on credentials the server has not seen:

- closed loop, distinct: `--clients` keep-alive clients send each credential of the set
  exactly once, back to back. Throughput is compared with N x the library rate (target
  >= 60 %);
- open loop, distinct: credentials arrive at a fixed rate, half the closed-loop throughput,
  whatever the server does; latency counts from each request's scheduled time, so queueing
  is included (target: p95 < 50 ms);
- same credential (one share link scanned over and over): the one credential again and
  again, closed loop. The server's content caches answer: labelled, not a verification rate.

Library rate, same run: `verify_credential_report` (the code path of the API) in this
process on distinct credentials, fresh JSON-LD engine per round after a warm-up, CPU and wall
per credential, median of 3 rounds. The load generator is an asyncio client in this process:
it runs on the same cores as the server (so does any local load generator), which the
figures include. The machine's load is printed before and after.

    .venv/bin/python bench/bench_verifier.py              # 1,500 distinct, 100 clients
    .venv/bin/python bench/bench_verifier.py --quick      # 150 distinct: under a minute
    .venv/bin/python bench/bench_verifier.py --count 3000 --workers 2 --clients 50
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpus import (  # noqa: E402
    SHAPES,
    CorpusRequest,
    corpus_elsewhere,
    seed_for,
    shape_of,
    tampered,
)
from bench.measure import (  # noqa: E402
    Timing,
    fresh_engine_caches,
    load_average,
    mean,
    median,
    timed_each,
    verdict,
)
from standards.fetcher import Fetcher  # noqa: E402
from verifier.config import VerifierSettings  # noqa: E402
from verifier.services.context import VerifierContext  # noqa: E402
from verifier.services.verification import verify_credential_report  # noqa: E402

Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]
MAX_CONNECTIONS = 256  # open loop: more would only queue in the kernel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1500,
                        help="distinct credentials for the closed-loop load")
    parser.add_argument("--open-count", type=int, default=None,
                        help="distinct credentials for the open-loop load (default count/2)")
    parser.add_argument("--library", type=int, default=100,
                        help="distinct credentials per round of the library baseline")
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--quick", action="store_true", help="150 credentials, 30 per round")
    args = parser.parse_args()
    if args.quick:
        args.count, args.library = min(args.count, 150), min(args.library, 30)
    open_count = args.open_count or max(len(SHAPES), args.count // 2)

    print(f"before: {load_average()}")
    print(f"server workers: {args.workers}, closed-loop clients: {args.clients}")
    started = time.perf_counter()
    named = {"warm-up": CorpusRequest(seed_for("verifier", "warm-up"), 6 * len(SHAPES)),
             "closed": CorpusRequest(seed_for("verifier", "closed"), args.count),
             "open": CorpusRequest(seed_for("verifier", "open"), open_count),
             **{f"library-{r}": CorpusRequest(seed_for("verifier", "library", r), args.library)
                for r in range(3)}}
    corpora = dict(zip(named, corpus_elsewhere(list(named.values())), strict=True))
    print(f"corpus: {sum(len(c) for c in corpora.values())} distinct credentials "
          f"({', '.join(SHAPES)}), signed by another process in "
          f"{time.perf_counter() - started:.1f} s")

    library = library_rate([corpora[f"library-{r}"] for r in range(3)], corpora["warm-up"])
    print("\nlibrary, this process, one core, distinct credentials (median of 3 rounds of "
          f"{args.library}): {library}  = {1000 / library.cpu:.0f}/s per core (CPU)")
    ideal = args.workers * 1000 / library.cpu

    with tempfile.TemporaryDirectory(prefix="bench-verifier-") as directory:
        server, port = start_server(Path(directory), args.workers)
        try:
            asyncio.run(http_loads(port, corpora, args, ideal))
        finally:
            server.terminate()
            server.wait(timeout=20)
    print(f"\nafter: {load_average()}")


def library_rate(rounds: Sequence[list[dict[str, Any]]],
                 warm_up: list[dict[str, Any]]) -> Timing:
    means = []
    for documents in rounds:
        fresh_engine_caches()
        ctx = VerifierContext(settings=VerifierSettings(), fetcher=Fetcher.offline())
        for document in warm_up:
            require(verify_credential_report(ctx, document)["verified"], "warm-up")
        reports, timings = timed_each(documents, partial(verify_credential_report, ctx))
        require(all(r["verified"] for r in reports), "library: a credential did not verify")
        means.append(mean(timings))
    return median(means)


def require(ok: bool, what: str) -> None:
    if not ok:
        raise SystemExit(f"WRONG RESULT: {what}")


async def http_loads(port: int, corpora: dict[str, list[dict[str, Any]]],
                     args: argparse.Namespace, ideal: float) -> None:
    def bodies(documents: list[dict[str, Any]]) -> list[bytes]:
        return [json.dumps({"verifiableCredential": d}).encode() for d in documents]

    # Warm-up: every worker gets some (the kernel spreads connections over the workers).
    await closed_loop(port, bodies(corpora["warm-up"] * 2), args.workers * 4)
    by_shape = {shape_of(d): d for d in corpora["warm-up"]}
    refused = await closed_loop(port, bodies([tampered(d) for d in by_shape.values()]), 1,
                                expect=False)
    print(f"\nHTTP: a tampered copy of each of {len(refused['latencies'])} shapes refused")

    closed = await closed_loop(port, bodies(corpora["closed"]), args.clients)
    throughput = closed["count"] / closed["seconds"]
    print(f"\nclosed loop, distinct credentials, {args.clients} clients: "
          f"{closed['count']} verified in {closed['seconds']:.1f} s = {throughput:.1f}/s; "
          f"{percentiles(closed['latencies'])}")
    share = throughput / ideal
    print(f"  = {share:.1%} of workers x library rate ({args.workers} x "
          f"{ideal / args.workers:.0f}/s = {ideal:.0f}/s); target >= 60 %: "
          f"{verdict([share], 0.6, True)}")

    rate = throughput / 2
    opened = await open_loop(port, bodies(corpora["open"]), rate)
    p95 = statistics.quantiles(opened["latencies"], n=100)[94]
    print(f"\nopen loop, distinct credentials at a fixed {rate:.1f}/s (half the closed-loop "
          f"throughput), {opened['count']} requests in {opened['seconds']:.1f} s: "
          f"{percentiles(opened['latencies'])}")
    print(f"  p95 {p95:.1f} ms; target < 50 ms: {verdict([p95], 50, False)}")

    same = await closed_loop(port, bodies([corpora["closed"][0]] * max(50, args.count // 3)),
                             args.clients)
    print(f"\nsame credential over and over (a share scanned many times; the server's caches "
          f"answer, not a verification rate), {args.clients} clients: "
          f"{same['count'] / same['seconds']:.1f}/s; {percentiles(same['latencies'])}")


def percentiles(latencies: list[float]) -> str:
    q = statistics.quantiles(latencies, n=100)
    return f"latency p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, p99 {q[98]:.1f} ms"


async def exchange(connection: Connection, body: bytes) -> dict[str, Any]:
    """One POST /credentials/verify on a keep-alive connection; the parsed report."""
    reader, writer = connection
    writer.write(b"POST /credentials/verify HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                 b"Content-Type: application/json\r\n"
                 + f"Content-Length: {len(body)}\r\n\r\n".encode() + body)
    status = await reader.readline()
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b""):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    payload = await reader.readexactly(length)
    # A report comes with 200 (verified) or 400 (not verified); anything else is an error.
    if b" 200 " not in status and b" 400 " not in status:
        raise SystemExit(f"WRONG RESULT: HTTP {status!r} {payload[:300]!r}")
    report: dict[str, Any] = json.loads(payload)
    if "verified" not in report:
        raise SystemExit(f"WRONG RESULT: no report: HTTP {status!r} {payload[:300]!r}")
    return report


async def closed_loop(port: int, bodies: list[bytes], clients: int,
                      expect: bool = True) -> dict[str, Any]:
    """Each body sent once by `clients` back-to-back clients; every verdict must be `expect`."""
    pending = iter(bodies)
    latencies: list[float] = []

    async def client() -> None:
        connection = await asyncio.open_connection("127.0.0.1", port)
        for body in pending:
            start = time.perf_counter()
            report = await exchange(connection, body)
            latencies.append((time.perf_counter() - start) * 1000)
            require(report["verified"] is expect, f"HTTP verdict {report['verified']}, "
                    f"expected {expect}: {report.get('errors', '')!s:.300}")
        connection[1].close()

    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(min(clients, len(bodies)))))
    return {"count": len(latencies), "seconds": time.perf_counter() - started,
            "latencies": latencies}


async def open_loop(port: int, bodies: list[bytes], rate: float) -> dict[str, Any]:
    """Requests at fixed times (i / rate), on idle connections or new ones (at most
    MAX_CONNECTIONS); latency from the scheduled time, so waiting for a connection counts."""
    loop = asyncio.get_running_loop()
    idle: list[Connection] = []
    slots = asyncio.Semaphore(MAX_CONNECTIONS)
    latencies: list[float] = []
    start = loop.time() + 0.05

    async def one(index: int, body: bytes) -> None:
        scheduled = start + index / rate
        async with slots:
            connection = idle.pop() if idle else await asyncio.open_connection(
                "127.0.0.1", port)
            report = await exchange(connection, body)
            latencies.append((loop.time() - scheduled) * 1000)
            idle.append(connection)
        require(report["verified"] is True, "open loop: a credential did not verify")

    tasks = []
    for index, body in enumerate(bodies):
        delay = start + index / rate - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(index, body)))
    await asyncio.gather(*tasks)
    for _, writer in idle:
        writer.close()
    return {"count": len(latencies), "seconds": loop.time() - start, "latencies": latencies}


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


if __name__ == "__main__":
    main()

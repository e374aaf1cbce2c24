"""Issuer figures: bulk issue from a CSV, and single issue over HTTP under concurrency.

(1) Bulk: a CSV of N recipients (default 10,000) run through `run_bulk_job` with
    eddsa-rdfc-2022, on SQLite (a fresh temporary directory) and on PostgreSQL (a fresh
    database on 127.0.0.1:5432, trust auth, dropped afterwards; skipped with a note when no
    server answers). Prints the absolute wall time, rows/s, peak RSS, CPU used, and checks
    the result: every row issued, a sample of the credentials verifies (and a tampered copy
    is refused).
    Baseline from the same run: the per-sign cost on DISTINCT documents of the job's shape
    (issued credentials with a fresh id each, unsigned again; fresh JSON-LD engine, warmed on
    other documents), wall and CPU, median of 3 rounds. The target of issue 20 is
    bulk wall <= 1.5 x (N x per-sign CPU / cores); the ratio is printed with PASS/FAIL.
(2) HTTP: the real service (`opendossier serve issuer`) on a free port of 127.0.0.1, an
    organisation made with `opendossier issuer create-org`, then POST /credentials/issue from
    20 concurrent clients; prints throughput and p50/p95/p99 latency, and a 1-client
    baseline from the same run. (Each issue gets a fresh id and proof from the service, so
    no two signed documents are the same.)

Prints figures and the machine's load before and after; asserts nothing about time.

    .venv/bin/python bench/bench_issuer.py [--count 10000] [--requests 1000] [--clients 20]
        [--backends sqlite,postgres] [--database-url URL] [--quick] [--skip-bulk]
        [--skip-http]
    .venv/bin/python bench/bench_issuer.py --quick     # 300 rows, 100 requests: < 1 minute
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
# The issuer and standards modules are imported inside the functions (see bench/bulk_issue.py).
from bench.bulk_issue import bench_bulk, fresh_database, postgres_missing  # noqa: E402
from bench.measure import load_average  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", "--rows", dest="rows", type=int, default=10_000,
                        help="bulk CSV rows (default 10,000)")
    parser.add_argument("--requests", type=int, default=1000, help="HTTP issue requests")
    parser.add_argument("--clients", type=int, default=20, help="concurrent HTTP clients")
    parser.add_argument("--backends", default="sqlite,postgres",
                        help="bulk on these, each a fresh database (default: sqlite,postgres)")
    parser.add_argument("--database-url", help="bulk and HTTP on this database instead, e.g. "
                        "postgresql+psycopg://postgres@127.0.0.1/bench")
    parser.add_argument("--workers", type=int, help="signing processes (default: one per core)")
    parser.add_argument("--quick", action="store_true", help="small sizes (300 rows, 100 "
                        "requests) for a fast check")
    parser.add_argument("--skip-bulk", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.requests = min(args.rows, 300), min(args.requests, 100)
    print(f"before: {load_average()}")
    with tempfile.TemporaryDirectory(prefix="bench-issuer-") as directory:
        if not args.skip_bulk:
            if args.database_url:
                bench_bulk(Path(directory) / "bulk", args, args.database_url, "given database")
            for backend in ([] if args.database_url else args.backends.split(",")):
                missing = postgres_missing() if backend == "postgres" else None
                if missing:
                    print(f"\n(1) bulk issue on PostgreSQL skipped: {missing}")
                    continue
                with fresh_database(backend, Path(directory)) as url:
                    bench_bulk(Path(directory) / f"bulk-{backend}", args, url,
                               {"sqlite": "SQLite", "postgres": "PostgreSQL"}[backend])
        if not args.skip_http:
            bench_http(Path(directory) / "http", args)
    print(f"\nafter: {load_average()}")


# --- (2) HTTP ------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def bench_http(data_dir: Path, args: argparse.Namespace) -> None:
    import httpx

    data_dir.mkdir(parents=True)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    storage = ["--data-dir", str(data_dir)]
    if args.database_url:
        storage += ["--database-url", args.database_url]
    cli = [sys.executable, "-m", "opendossier"]
    log = (data_dir / "server.log").open("wb")
    server = subprocess.Popen([*cli, "serve", "issuer", "--port", str(port), *storage],
                              cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(base, server)
        created = json.loads(subprocess.run(
            [*cli, "issuer", "create-org", "Pabo HTTP", "--public-url", base, *storage],
            cwd=ROOT, check=True, capture_output=True, text=True).stdout)
        headers = {"Authorization": f"Bearer {created['api_token']}"}
        body = {"credential": unsigned_credential(created["did"]), "options": {}}
        with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
            for _ in range(5):  # warm up: contexts parsed, connections pooled
                issue(client, body)
            single = [issue(client, body) for _ in range(max(20, args.requests // 20))]
        latencies: list[float] = []
        lock = threading.Lock()
        per_client = [args.requests // args.clients + (i < args.requests % args.clients)
                      for i in range(args.clients)]

        def run_client(count: int) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=120) as client:
                mine = [issue(client, body) for _ in range(count)]
            with lock:
                latencies.extend(mine)

        threads = [threading.Thread(target=run_client, args=(n,)) for n in per_client]
        start = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"\n(2) POST /credentials/issue over HTTP on 127.0.0.1 (one service process, "
          f"{'PostgreSQL' if args.database_url else 'SQLite'}, eddsa-rdfc-2022)")
    print(f"  {args.clients} clients, {len(latencies)} requests: {len(latencies) / wall:6.1f} "
          f"issued/s; latency p50 {pct(latencies, 50):6.1f} ms  p95 {pct(latencies, 95):6.1f} "
          f"ms  p99 {pct(latencies, 99):6.1f} ms")
    print(f"  1 client, {len(single)} requests (same run): p50 {pct(single, 50):6.1f} ms  "
          f"p95 {pct(single, 95):6.1f} ms")


def unsigned_credential(issuer_did: str) -> dict[str, Any]:
    from tests.ob3_sample import realistic_ob3_credential

    credential = realistic_ob3_credential("did:example:student-1", 1, issuer_id=issuer_did)
    for name in ("id", "credentialStatus", "proof"):
        credential.pop(name, None)  # the service sets these; the caller names its issuer
    return credential


def issue(client: Any, body: dict[str, Any]) -> float:
    start = time.perf_counter()
    response = client.post("/credentials/issue", json=body)
    elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 201:
        raise SystemExit(f"issue failed: {response.status_code} {response.text[:300]}")
    return elapsed


def pct(values: list[float], percentile: int) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(percentile / 100 * (len(ordered) - 1)))]


def wait_for(base: str, server: subprocess.Popen[bytes]) -> None:
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the issuer service exited; see its log")
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise SystemExit("the issuer service did not start")


if __name__ == "__main__":
    main()

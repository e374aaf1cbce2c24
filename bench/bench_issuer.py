"""Issuer figures: bulk issue from a CSV, and single issue over HTTP under concurrency.

(1) Bulk: a CSV of N recipients (default 10,000) against a fresh SQLite data directory (or
    --database-url), run through `run_bulk_job` with eddsa-rdfc-2022. Prints wall time,
    rows/s, peak RSS of this process and of the signing workers, and a baseline from the same
    run: one `sign_document` of the same credential in a loop; the bulk time is reported as a
    ratio to N x single-sign time / cores (1.0 would be signing alone on every core).
(2) HTTP: the real service (`opendossier serve issuer`) on a free port of 127.0.0.1, an
    organisation made with `opendossier issuer create-org`, then POST /credentials/issue from
    20 concurrent clients; prints throughput and p50/p95/p99 latency, and a 1-client
    baseline from the same run.

Prints figures; asserts nothing about time.

    .venv/bin/python bench/bench_issuer.py [--rows 10000] [--requests 1000] [--clients 20]
        [--database-url URL] [--quick] [--skip-bulk] [--skip-http]
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import resource
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
# The issuer and standards modules are imported inside the functions: the signing workers are
# spawned processes that import this script again, and should stay as light as they are when
# the service runs the job.

FRAMEWORK_CSV = """code,name,description
1.1,Pedagogisch bekwaam,Schept een veilig leerklimaat.
1.2,Vakinhoudelijk bekwaam,Beheerst de leerstof.
1.3,Vakdidactisch bekwaam,Maakt de leerstof leerbaar.
"""
RESULTS = [{"id": "urn:uuid:7d3b2a10-0000-4000-8000-000000000001",
            "type": ["ResultDescription"], "name": "Beoordeling stage",
            "resultType": "RubricCriterionLevel", "rubricCriterionLevel": [
                {"id": f"urn:uuid:7d3b2a10-0000-4000-8000-00000000000{i}",
                 "type": ["RubricCriterionLevel"], "name": name}
                for i, name in ((2, "Onvoldoende"), (3, "Voldoende"), (4, "Goed"))]}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000, help="bulk CSV rows")
    parser.add_argument("--requests", type=int, default=1000, help="HTTP issue requests")
    parser.add_argument("--clients", type=int, default=20, help="concurrent HTTP clients")
    parser.add_argument("--database-url", help="e.g. postgresql+psycopg://postgres@127.0.0.1/"
                        "bench (default: SQLite in a fresh temporary directory)")
    parser.add_argument("--workers", type=int, help="signing processes (default: one per core)")
    parser.add_argument("--quick", action="store_true", help="small sizes (500 rows, 100 "
                        "requests) for a fast check")
    parser.add_argument("--skip-bulk", action="store_true")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.requests = min(args.rows, 500), min(args.requests, 100)
    with tempfile.TemporaryDirectory(prefix="bench-issuer-") as directory:
        if not args.skip_bulk:
            bench_bulk(Path(directory) / "bulk", args)
        if not args.skip_http:
            bench_http(Path(directory) / "http", args)


# --- (1) bulk ------------------------------------------------------------------------------
def recipients_csv(rows: int) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["recipient", "name", "reference", "evidence_url", "evidence_name",
                     "achieved_level"])
    for i in range(rows):
        writer.writerow([f"student.{i}@pabo.example", f"Student {i}", "2025-1",
                         f"https://dossier.example/evidence/{i}/stageverslag.pdf",
                         "Stageverslag", ("Voldoende", "Goed")[i % 2]])
    return out.getvalue().encode()


def bench_bulk(data_dir: Path, args: argparse.Namespace) -> None:
    from sqlmodel import Session, select

    from issuer.config import IssuerSettings
    from issuer.models import IssuedCredential, Organisation
    from issuer.services.achievements import AchievementInput, create_achievement
    from issuer.services.bulk import create_bulk_job, run_bulk_job
    from issuer.services.bulk_signing import default_workers
    from issuer.services.context import IssuerContext
    from issuer.services.frameworks import competences_of, import_csv
    from issuer.services.keys import active_key_row, signing_key_for
    from issuer.services.organisations import create_organisation, default_profile
    from standards.data_integrity import sign_document

    settings = IssuerSettings(data_dir=data_dir, database_url=args.database_url,
                              public_url="https://issuer.pabo.example")
    ctx = IssuerContext.open(settings)
    with Session(ctx.engine, expire_on_commit=False) as session:
        created = create_organisation(ctx, session, "Pabo Voorbeeld",
                                      url="https://pabo.example", email="badges@pabo.example")
        org = session.get(Organisation, created.org_id)
        assert org is not None
        framework = import_csv(ctx, session, org, title="Bekwaamheidseisen leraar",
                               csv_text=FRAMEWORK_CSV)
        session.flush()
        achievement = create_achievement(ctx, session, org, AchievementInput(
            name="Startbekwaam leraar basisonderwijs", achievement_type="Certificate",
            description="Heeft de bekwaamheidseisen op startniveau aangetoond in de stage.",
            criteria_narrative="1. Stageverslag met reflecties.\n2. Drie lesobservaties.\n"
                               "3. Eindbeoordeling door de stagebegeleider.",
            image_url="https://pabo.example/badges/startbekwaam.png",
            result_descriptions=RESULTS,
            competence_ids=[c.id for c in competences_of(session, framework.id)],
            valid_days=5 * 365))
        session.commit()
    data = recipients_csv(args.rows)
    workers = args.workers if args.workers is not None else default_workers(args.rows)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    job = create_bulk_job(ctx, org, achievement.id, filename="bench.csv", csv_bytes=data)
    printed = [-1]

    def progress(done: int, total: int) -> None:
        if done * 10 // total > printed[0]:  # a line every 10 %
            printed[0] = done * 10 // total
            print(f"  {done:6d}/{total} rows  {time.perf_counter() - start:6.1f} s",
                  file=sys.stderr)

    cpu_before = cpu_seconds()
    start = time.perf_counter()
    job = run_bulk_job(ctx, org, job.id, data, progress, workers=workers)
    wall = time.perf_counter() - start
    cpu_after = cpu_seconds()
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    with Session(ctx.engine) as session:
        record = session.exec(select(IssuedCredential).where(
            IssuedCredential.bulk_job_id == job.id)).first()
        profile = default_profile(session, org)
        key = signing_key_for(ctx, active_key_row(session, profile.id), profile.did)
    assert record is not None
    unsigned = {k: v for k, v in json.loads(record.document).items() if k != "proof"}
    loops = max(50, min(500, args.rows // 20))
    sign_document(unsigned, key)
    t0 = time.perf_counter()
    for _ in range(loops):
        sign_document(unsigned, key)
    single = (time.perf_counter() - t0) / loops
    cores = max(1, workers)
    ideal = args.rows * single / cores

    print(f"\n(1) bulk issue, eddsa-rdfc-2022, {'PostgreSQL' if args.database_url else 'SQLite'}"
          f", {workers} signing processes on {os.cpu_count()} cores")
    print(f"  rows                    {job.total} ({job.issued} issued, {job.skipped} "
          f"already issued, {job.failed} errors; state {job.state})")
    print(f"  credential size         {len(record.document)} bytes of JSON")
    print(f"  wall time               {wall:8.1f} s   ({job.total / wall:6.0f} rows/s)")
    print(f"  peak RSS                {rss_self / 1024:8.0f} MB this process (before the job "
          f"{rss_before / 1024:.0f} MB), {rss_children / 1024:.0f} MB largest worker")
    print(f"  baseline, same run      {single * 1000:8.2f} ms per sign_document of the same "
          f"credential ({loops} in a loop)")
    print(f"  ideal (N x sign/cores)  {ideal:8.1f} s   -> bulk is {wall / ideal:4.2f}x of "
          "signing alone")
    if cpu_before and cpu_after:
        ours = cpu_after[1] - cpu_before[1]
        print(f"  CPU during the job      {ours:8.1f} s this process and its workers, "
              f"{max(0.0, cpu_after[0] - cpu_before[0] - ours):.1f} s other processes "
              f"(of {wall * (os.cpu_count() or 1):.0f} s on {os.cpu_count()} cores)")
    ctx.close()


def cpu_seconds() -> tuple[float, float] | None:
    """(CPU seconds used on the whole machine, by this process and its reaped children)."""
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    except (OSError, ValueError):
        return None
    busy = sum(fields) - fields[3] - fields[4]  # all but idle and iowait
    own = sum(getattr(resource.getrusage(who), name) for who in (
        resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for name in ("ru_utime", "ru_stime"))
    return busy / os.sysconf("SC_CLK_TCK"), own


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

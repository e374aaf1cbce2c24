"""Moving school at scale: export and import of a dossier with N MB of evidence and N
credentials, through the real CLI (`opendossier wallet export` / `import`), timed, with the
peak memory (RSS) of each command, against a baseline with 10x less evidence: if the archive
is streamed, the peak stays flat.

    .venv/bin/python bench/bench_wallet_archive.py [--evidence-mb 1000] [--credentials 1000]

Credentials are signed locally by a did:key issuer (no issuer service) and added with
`add_credential`, so import re-verifies each one offline (a few ms each). Files go to a
temporary directory (about 3x the evidence size on disk).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.keys import generate_key
from wallet.config import WalletSettings
from wallet.db import session_scope
from wallet.evidence_store import evidence_store
from wallet.models import Evidence
from wallet.services.access import owner_actor
from wallet.services.accounts import new_account
from wallet.services.context import WalletContext
from wallet.services.credentials import add_credential

REPO = Path(__file__).resolve().parent.parent
EMAIL = "bench@example.org"
FILE_MB = 10
# Runs the CLI as a child and reports the child's peak RSS (ru_maxrss of that child only).
MEASURE = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
           "r = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
           "print(r.returncode, time.perf_counter() - t, "
           "resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
           "sys.stderr.write(r.stderr[-2000:] if r.returncode else '')")


def fill(data_dir: Path, evidence_mb: int, credentials: int) -> None:
    ctx = WalletContext.open(WalletSettings(data_dir=data_dir))
    issuer = generate_key("ed25519")
    issuer_did = did_key_from_key_pair(issuer)
    issuer.id = f"{issuer_did}#{issuer.public_key_multibase()}"
    try:
        with session_scope(ctx.engine) as session:
            account = new_account(ctx, session, EMAIL, password=None)
            actor = owner_actor(account)
            for number in range(credentials):
                unsigned = {
                    "@context": ["https://www.w3.org/ns/credentials/v2",
                                 "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
                    "id": f"urn:uuid:{uuid.uuid4()}",
                    "type": ["VerifiableCredential", "OpenBadgeCredential"],
                    "issuer": {"id": issuer_did, "type": ["Profile"], "name": "Benchschool"},
                    "validFrom": "2026-01-01T00:00:00Z", "name": f"Badge {number}",
                    "credentialSubject": {
                        "id": account.did, "type": ["AchievementSubject"],
                        "achievement": {"id": f"https://example.org/a/{number}",
                                        "type": ["Achievement"], "name": f"Badge {number}",
                                        "description": "Een benchmarkbadge.",
                                        "criteria": {"narrative": "Gedaan."}}}}
                signed = sign_document(unsigned, issuer)
                add_credential(ctx, session, actor, json.dumps(signed).encode(),
                               source="import")
            store = evidence_store(ctx.settings.evidence_dir)
            for number in range(max(1, evidence_mb // FILE_MB)):
                with store.writer(FILE_MB * 1024 * 1024) as writer:
                    for _ in range(FILE_MB):
                        writer.write(os.urandom(1024 * 1024))
                    blob = writer.finish()
                session.add(Evidence(owner_id=account.id, added_by=account.id, kind="video",
                                     title=f"Video {number}", media_type="video/mp4",
                                     size=blob.size, sha256=blob.sha256))
    finally:
        ctx.close()


def measured(*args: str) -> tuple[float, int]:
    """(seconds, peak RSS in MB) of `opendossier ARGS`."""
    command = [sys.executable, "-c", MEASURE, sys.executable, "-m", "opendossier", *args]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, check=True)
    code, seconds, rss_kb = done.stdout.split()
    if code != "0":
        raise SystemExit(f"opendossier {' '.join(args)} failed:\n{done.stderr}")
    return float(seconds), int(rss_kb) // 1024


def run(evidence_mb: int, credentials: int, work: Path) -> dict[str, float]:
    source, target = work / f"a-{evidence_mb}", work / f"b-{evidence_mb}"
    started = time.perf_counter()
    fill(source, evidence_mb, credentials)
    fill_seconds = time.perf_counter() - started
    archive = work / f"dossier-{evidence_mb}.zip"
    export_s, export_mb = measured("wallet", "export", EMAIL, "--out", str(archive),
                                   "--quiet", "--data-dir", str(source))
    import_s, import_mb = measured("wallet", "import", str(archive), "--quiet",
                                   "--data-dir", str(target))
    return {"evidence_mb": evidence_mb, "credentials": credentials,
            "archive_mb": archive.stat().st_size / 1024 / 1024, "fill_s": fill_seconds,
            "export_s": export_s, "export_peak_mb": export_mb, "import_s": import_s,
            "import_peak_mb": import_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--evidence-mb", type=int, default=1000)
    parser.add_argument("--credentials", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-archive-") as directory:
        work = Path(directory)
        rows = [run(max(FILE_MB, args.evidence_mb // 10), args.credentials, work),
                run(args.evidence_mb, args.credentials, work)]
    print(f"{'evidence MB':>11} {'creds':>6} {'zip MB':>7} {'export s':>9} {'export RSS':>10} "
          f"{'import s':>9} {'import RSS':>10}")
    for row in rows:
        print(f"{row['evidence_mb']:>11} {row['credentials']:>6} {row['archive_mb']:>7.0f} "
              f"{row['export_s']:>9.1f} {row['export_peak_mb']:>8} MB {row['import_s']:>9.1f} "
              f"{row['import_peak_mb']:>8} MB")
    print("Import re-verifies every credential (Data Integrity proof, schema, did:key); "
          "that is most of its time at 1,000 credentials.")


if __name__ == "__main__":
    main()

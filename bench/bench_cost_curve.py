"""The cost curve of verifying one credential: CPU and wall time against its size.

Issue 17 item 10: a 420 kB credential with 4,000 identical alignments cost 25-28 s of CPU
on the public `POST /credentials/verify`. This signs OB 3.0 credentials whose achievement has
1, 10, 100, 1,000 and 4,000 identical alignments (about 105 bytes each, as in the report),
three distinct documents per size, and verifies each in a fresh process (empty content caches:
nothing canonicalised or validated before) through the verifier's own code path
(`verify_credential_report`, with its per-request work budget), after one small warm-up
credential so that imports and the bundled contexts are not counted. Every result is checked:
verified, or refused with the reason when `--expect-refused-above N` says so. Prints the
median of the three CPU and wall times per size, and the growth factor between sizes.

Baselines, in the same run on the same documents: Digital Bazaar's verifier
(`interop/js/bench-verify.mjs`, one node process per size that verifies the 1-alignment
warm-up credential first, then the three documents: its figure is their mean wall time), and
raw Ed25519 verification with `cryptography` as the floor (what the signature alone costs).

    .venv/bin/python bench/bench_cost_curve.py [--sizes 1,10,100,1000,4000] [--budget UNITS]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from servicekit.errors import TooLarge  # noqa: E402
from standards.data_integrity import sign_document  # noqa: E402
from standards.dids import did_key_from_key_pair  # noqa: E402
from standards.fetcher import Fetcher  # noqa: E402
from standards.keys import KeyPair, generate_key  # noqa: E402
from tests.ob3_sample import realistic_ob3_credential  # noqa: E402
from verifier.config import VerifierSettings  # noqa: E402
from verifier.services.context import VerifierContext  # noqa: E402
from verifier.services.verification import VerifyOptions, verify_credential_report  # noqa: E402

JS_BENCH = ROOT / "interop" / "js" / "bench-verify.mjs"
ALIGNMENT = {"type": ["Alignment"], "targetName": "Klassenmanagement",
             "targetUrl": "https://example.org/frameworks/sbl/competences/1"}
REPEATS = 3


def credential_with_alignments(key: KeyPair, did: str, alignments: int,
                               index: int) -> dict[str, Any]:
    """A signed OB 3.0 credential whose achievement has `alignments` identical alignments;
    `index` makes it a distinct document."""
    unsigned = realistic_ob3_credential("did:example:holder", index, issuer_id=did)
    unsigned.pop("credentialStatus", None)
    unsigned["credentialSubject"]["achievement"]["alignment"] = [
        dict(ALIGNMENT) for _ in range(alignments)]
    return sign_document(unsigned, key, suite="eddsa-rdfc-2022",
                         verification_method=str(key.id))


def verify_in_this_process(path: Path, warm_up: Path, budget: int | None) -> dict[str, Any]:
    """Verify the credential in `path` (after `warm_up`): times, verdict or refusal."""
    settings = VerifierSettings() if budget is None else VerifierSettings(max_request_work=budget)
    ctx = VerifierContext(settings=settings, fetcher=Fetcher.offline())
    options = VerifyOptions(check_status=False)
    assert verify_credential_report(ctx, json.loads(warm_up.read_text()), options)["verified"]
    credential = json.loads(path.read_text())
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        report = verify_credential_report(ctx, credential, options)
        outcome = {"verified": report["verified"], "errors": report["errors"][:2]}
    except TooLarge as refused:
        outcome = {"refused": str(refused)}
    return {**outcome, "cpu": time.process_time() - cpu, "wall": time.perf_counter() - wall}


def ed25519_floor_ms(rounds: int = 2000) -> float:
    """Wall ms of one raw Ed25519 verification (distinct messages, each checked)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    signed = [(m, private.sign(m)) for m in (os.urandom(64) for _ in range(rounds))]
    start = time.perf_counter()
    for message, signature in signed:
        public.verify(signature, message)  # raises on a wrong signature
    return (time.perf_counter() - start) * 1000 / rounds


def digital_bazaar_ms(warm_up: Path, documents: list[Path]) -> float | None:
    """Digital Bazaar's mean wall ms per document (None when node or its packages are
    missing: `./scripts/bootstrap --with-js`)."""
    if not (ROOT / "interop" / "js" / "node_modules").is_dir():
        return None
    credentials = [json.loads(p.read_text()) for p in [warm_up, *documents]]
    answer = subprocess.run(["node", str(JS_BENCH), "--warmup", "1"], check=True,
                            input=json.dumps(credentials), capture_output=True, text=True,
                            cwd=JS_BENCH.parent)
    result = json.loads(answer.stdout)
    if not result["all_verified"]:
        raise SystemExit(f"Digital Bazaar did not verify: {result}")
    # Its mean includes the small warm-up document once more; over four documents.
    return float(result["ms_per_verify"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1,10,100,1000,4000")
    parser.add_argument("--budget", type=int, default=None,
                        help="the verifier's max_request_work (default: its default)")
    parser.add_argument("--expect-refused-above", type=int, default=None,
                        help="sizes above this must be refused with a reason, not verified")
    parser.add_argument("--verify-one", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.verify_one:  # the child process
        print(json.dumps(verify_in_this_process(Path(args.verify_one[0]),
                                                Path(args.verify_one[1]), args.budget)))
        return
    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    key = dataclasses.replace(key, id=f"{did}#{did.removeprefix('did:key:')}", controller=did)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"raw Ed25519 verify (floor): {ed25519_floor_ms():.3f} ms")
    print(f"{'alignments':>10} {'bytes':>9} {'cpu s (median)':>15} {'wall s (median)':>16} "
          f"{'DB wall s (mean)':>17}  result")
    previous: tuple[int, float] | None = None
    with tempfile.TemporaryDirectory() as directory:
        warm_up = Path(directory) / "warm-up.json"
        warm_up.write_text(json.dumps(credential_with_alignments(key, did, 1, 10**6)))
        for size in sizes:
            runs, paths = [], []
            for repeat in range(REPEATS):
                path = Path(directory) / f"credential-{size}-{repeat}.json"
                paths.append(path)
                text = json.dumps(credential_with_alignments(key, did, size, size * 10 + repeat))
                path.write_text(text)
                command = [sys.executable, __file__, "--verify-one", str(path), str(warm_up)]
                if args.budget is not None:
                    command += ["--budget", str(args.budget)]
                run = json.loads(subprocess.run(command, check=True, capture_output=True,
                                                text=True).stdout)
                refuse = args.expect_refused_above is not None and size > args.expect_refused_above
                if refuse:
                    assert "refused" in run and "units" in run["refused"], run
                else:
                    assert run.get("verified") is True, run
                runs.append(run)
            cpu = statistics.median(r["cpu"] for r in runs)
            wall = statistics.median(r["wall"] for r in runs)
            result = ("refused: " + runs[0]["refused"][:60]) if "refused" in runs[0] \
                else "verified"
            js_ms = digital_bazaar_ms(warm_up, paths)
            js = f"{js_ms / 1000:>17.3f}" if js_ms is not None else f"{'(no node)':>17}"
            growth = ""
            if previous is not None and previous[1] > 0:
                growth = f"  (x{cpu / previous[1]:.1f} CPU for x{size / previous[0]:.0f} size)"
            print(f"{size:>10} {len(text):>9} {cpu:>15.3f} {wall:>16.3f} {js}  {result}{growth}")
            previous = (size, cpu)


if __name__ == "__main__":
    main()

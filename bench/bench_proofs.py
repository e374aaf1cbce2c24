"""Sign and verify throughput per core for eddsa-rdfc-2022 and eddsa-jcs-2022.

Works on many distinct ~3 kB OB 3.0 credentials (achievement, alignment, evidence, result;
a different subject and id each, so nothing but the parsed contexts can be cached), in one
process (one core). Verification cost is split into expansion, RDF conversion,
canonicalisation, hashing and signature. Digital Bazaar's JavaScript verifier runs on the
same signed credentials in the same run as the baseline (needs `npm ci --prefix interop/js`).

    .venv/bin/python bench/bench_proofs.py [--count 300]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from standards import rdfc  # noqa: E402
from standards.data_integrity import sign_document, verify_document_proofs  # noqa: E402
from standards.dids import did_key_from_key_pair  # noqa: E402
from standards.jsonld import engine_for  # noqa: E402
from standards.keys import KeyPair, generate_key  # noqa: E402
from standards.verification import verify_credential  # noqa: E402
from tests.ob3_sample import realistic_ob3_credential  # noqa: E402


def per_item_ms(items: list[Any], work: Callable[[Any], Any]) -> float:
    start = time.perf_counter()
    for item in items:
        work(item)
    return (time.perf_counter() - start) * 1000 / len(items)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="distinct credentials")
    args = parser.parse_args()

    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    vm = f"{did}#{did.removeprefix('did:key:')}"
    public = key.public_only()

    def resolve(_vm: str, _purpose: str) -> KeyPair:
        return public

    credentials = [realistic_ob3_credential(f"did:example:learner-{i}", i)
                   for i in range(args.count)]
    for credential in credentials:
        credential["issuer"]["id"] = did
    size = sum(len(json.dumps(c)) for c in credentials) / len(credentials)
    engine = engine_for()
    # Warm up: parse the bundled contexts once, as a long-running service would have.
    sign_document(credentials[0], key, verification_method=vm)

    print(f"{args.count} distinct OB 3.0 credentials, mean {size:.0f} bytes of JSON, one core")
    results: dict[str, float] = {}
    signed: dict[str, list[dict[str, Any]]] = {}
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        out: list[dict[str, Any]] = []

        def sign(document: dict[str, Any], suite: str = suite,
                 out: list[dict[str, Any]] = out) -> None:
            out.append(sign_document(document, key, suite=suite, verification_method=vm))

        results[f"{suite} sign"] = per_item_ms(credentials, sign)
        signed[suite] = out

        def verify(document: dict[str, Any]) -> None:
            [result] = verify_document_proofs(document, resolve)
            assert result.verified, result.error

        results[f"{suite} verify"] = per_item_ms(out, verify)

    # The whole verification a verifier runs: JSON-LD safety, proof, did:key resolution,
    # issuer binding, dates and the OB 3.0 JSON Schema.
    full_ms = per_item_ms(signed["eddsa-rdfc-2022"],
                          lambda d: _require(verify_credential(d).verified))

    unsecured = [{k: v for k, v in d.items() if k != "proof"} for d in signed["eddsa-rdfc-2022"]]
    expand_ms = per_item_ms(unsecured, engine.expand)
    datasets: list[Any] = []
    dataset_ms = per_item_ms(unsecured, lambda d: datasets.append(engine.to_dataset(d)))
    canon: list[str] = []
    canon_ms = per_item_ms(datasets, lambda ds: canon.append(rdfc.canonicalize_dataset(ds)))
    hash_ms = per_item_ms(canon, lambda text: hashlib.sha256(text.encode()).digest())
    signature = key.sign(b"x" * 64)
    sig_ms = per_item_ms(canon, lambda _: public.verify(b"x" * 64, signature))

    print("\nper credential, milliseconds (lower is better)")
    for name, value in results.items():
        print(f"  {name:26s} {value:7.3f} ms   {1000 / value:8.0f} /s per core")
    print(f"  {'verify_credential (rdfc, all checks)':26s} {full_ms:7.3f} ms")
    print("\neddsa-rdfc-2022 verification cost split, document part only (the proof")
    print("configuration is canonicalised too, about a tenth of the document's cost):")
    print(f"  JSON-LD expansion          {expand_ms:7.3f} ms")
    print(f"  RDF conversion             {max(dataset_ms - expand_ms, 0):7.3f} ms")
    print(f"  RDFC-1.0 canonicalisation  {canon_ms:7.3f} ms")
    print(f"  SHA-256                    {hash_ms:7.3f} ms")
    print(f"  Ed25519 verify             {sig_ms:7.3f} ms")

    baseline = run_js_baseline(signed["eddsa-rdfc-2022"])
    ours = results["eddsa-rdfc-2022 verify"]
    if baseline is not None:
        print(f"\nDigital Bazaar JS verifier, same credentials, same run: {baseline:.3f} ms")
        print(f"OpenDossier eddsa-rdfc-2022 verify is {baseline / ours:.2f}x the JS speed "
              "(target: at least 2x)")
    jcs = results["eddsa-jcs-2022 verify"]
    print(f"eddsa-jcs-2022 verify {jcs:.3f} ms (target: under 0.5 ms)")


def _require(ok: bool) -> None:
    if not ok:
        raise SystemExit("a benchmark credential did not verify")


def run_js_baseline(documents: list[dict[str, Any]]) -> float | None:
    script = ROOT / "interop" / "js" / "bench-verify.mjs"
    if not shutil.which("node") or not (ROOT / "interop" / "js" / "node_modules").is_dir():
        print("\n(JS baseline skipped: run `npm ci --prefix interop/js` first)")
        return None
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(documents, handle)
    completed = subprocess.run(["node", str(script), handle.name], capture_output=True,
                               text=True, check=False, timeout=600)
    Path(handle.name).unlink()
    if completed.returncode != 0:
        print(f"\n(JS baseline failed: {completed.stderr.strip()[:300]})")
        return None
    report = json.loads(completed.stdout)
    if not report.get("all_verified"):
        print("\n(JS baseline: Digital Bazaar did NOT verify every credential)")
    return float(report["ms_per_verify"])


if __name__ == "__main__":
    main()

"""Measuring for the benchmarks: wall and CPU time per item, medians of rounds, the machine's
load, fresh engine caches, the physical floors (raw signature checks) and Digital Bazaar's
verifier as the baseline in the same run.

Every per-item figure is a mean over one round of distinct items; a reported figure is the
median of the rounds' means. CPU time is this process's (`time.process_time`): on a shared
machine it moves less than wall time, so ratios are taken on CPU time and wall is shown too.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parents[1]
JS_BENCH = ROOT / "interop" / "js" / "bench-verify.mjs"
T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    """Milliseconds per item, wall clock and this process's CPU."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:8.3f} ms wall {self.cpu:8.3f} ms CPU"


def timed_each(items: Iterable[T], work: Callable[[T], Any]) -> tuple[list[Any], list[Timing]]:
    """`work(item)` for each item: the results, and each call's wall and CPU milliseconds."""
    results, timings = [], []
    for item in items:
        cpu, wall = time.process_time(), time.perf_counter()
        results.append(work(item))
        timings.append(Timing((time.perf_counter() - wall) * 1000,
                              (time.process_time() - cpu) * 1000))
    return results, timings


def mean(timings: Sequence[Timing]) -> Timing:
    return Timing(statistics.fmean(t.wall for t in timings),
                  statistics.fmean(t.cpu for t in timings))


def median(rounds: Sequence[Timing]) -> Timing:
    """The median of per-round means, wall and CPU each."""
    return Timing(statistics.median(t.wall for t in rounds),
                  statistics.median(t.cpu for t in rounds))


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def fresh_engine_caches() -> None:
    """Drop the JSON-LD engine (its canonical-form cache, processed-context memo and
    whatever else it holds): the next `engine_for()` is a new one. The bundled context
    files stay parsed (module level, as in a running service); a warm-up should follow so
    that context processing is not counted. Schema results are memoised by content too
    (standards.ob3.validate), but only distinct documents are measured, so they never hit."""
    from standards.jsonld import drop_engines

    drop_engines()


def raw_ed25519_verify(count: int) -> Timing:
    """Mean cost of one raw Ed25519 verification with `cryptography` (distinct 64-byte
    messages, each checked): the physical floor of an eddsa proof check."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    public = private.public_key()
    signed = [(m, private.sign(m)) for m in (os.urandom(64) for _ in range(count))]
    _, timings = timed_each(signed, lambda pair: public.verify(pair[1], pair[0]))
    return mean(timings)


def raw_p256_verify(count: int) -> Timing:
    """Mean cost of one raw ECDSA P-256/SHA-256 verification (the ecdsa-rdfc-2019 floor)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key()
    algorithm = ec.ECDSA(hashes.SHA256())
    signed = [(m, private.sign(m, algorithm)) for m in (os.urandom(64) for _ in range(count))]
    _, timings = timed_each(signed, lambda pair: public.verify(pair[1], pair[0], algorithm))
    return mean(timings)


@dataclass(frozen=True)
class JsBaseline:
    rounds: list[Timing]
    all_verified: bool
    tampered_refused: int
    tampered_total: int

    @property
    def median(self) -> Timing:
        return median(self.rounds)


def digital_bazaar(rounds: Sequence[Sequence[dict[str, Any]]],
                   warmup: Sequence[dict[str, Any]],
                   tampered: Sequence[dict[str, Any]]) -> JsBaseline | str:
    """Digital Bazaar's `vc.verifyCredential` on the same documents, one node process (one
    core), each round timed on its own documents after warming up on `warmup`; or why it
    could not run."""
    node = shutil.which("node")
    if node is None or not (JS_BENCH.parent / "node_modules").is_dir():
        return "node or interop/js/node_modules missing (npm ci --prefix interop/js)"
    payload = {"rounds": [list(r) for r in rounds], "warmupCredentials": list(warmup),
               "warmup": 2 * len(warmup), "tampered": list(tampered)}
    done = subprocess.run([node, str(JS_BENCH)], input=json.dumps(payload),
                          capture_output=True, text=True, check=False, cwd=JS_BENCH.parent)
    if done.returncode != 0:
        return f"bench-verify.mjs failed: {(done.stdout + done.stderr).strip()[:300]}"
    report = json.loads(done.stdout)
    return JsBaseline([Timing(r["ms_per_verify"], r["cpu_ms_per_verify"])
                       for r in report["rounds"]], bool(report["all_verified"]),
                      int(report.get("tampered_refused", 0)),
                      int(report.get("tampered_total", 0)))


def verdict(ratios: Sequence[float], target: float, at_least: bool) -> str:
    """'PASS' when every one of `ratios` (CPU and wall: the less favourable one decides)
    meets `target` (at least / at most), else 'FAIL'."""
    ok = all(r >= target if at_least else r <= target for r in ratios)
    return "PASS" if ok else "FAIL"

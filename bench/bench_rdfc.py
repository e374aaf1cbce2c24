"""RDFC-1.0 per credential, lean path vs the full algorithm (one step of bench_proofs.py's
split, on its own).

    .venv/bin/python bench/bench_rdfc.py [credentials] [rounds]

`canonicalize_dataset` (flat form: lean path, else the full algorithm on it) against the
reference `RDFC10Canonicalizer.main` (full algorithm on quad dicts, as before issue 20)
on the RDF datasets of distinct realistic OB 3.0 credentials (tests.ob3_sample), made before
timing; then the same on credentials with two identical alignments, which the lean path
declines (the full algorithm on the flat form). Rounds alternate; medians of CPU
(process_time) and wall time per credential.
"""

from __future__ import annotations

import copy
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from standards.document_loader import DEFAULT_LOADER
from standards.jsonld import JsonLdEngine
from standards.rdfc import RDFC10Canonicalizer, canonicalize_dataset
from tests.ob3_sample import realistic_ob3_credential


def _datasets(count: int, *, look_alikes: bool) -> list[Any]:
    engine = JsonLdEngine(DEFAULT_LOADER)
    datasets = []
    for index in range(count):
        credential = realistic_ob3_credential(f"did:example:holder{index}", index)
        credential["name"] = f"Data Steward, level 2 ({index})"
        if look_alikes:  # the same alignment twice: two blank nodes with one first-degree hash
            alignments = credential["credentialSubject"]["achievement"]["alignment"]
            alignments.append(copy.deepcopy(alignments[0]))
            alignments[0]["targetCode"] = alignments[-1]["targetCode"] = f"D.{index}"
        datasets.append(engine.to_dataset(credential))
    return datasets


def _per_credential(run: Callable[[Any], str], datasets: list[Any]) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for dataset in datasets:
        run(dataset)
    count = len(datasets)
    return ((time.process_time() - cpu) / count * 1e3, (time.perf_counter() - wall) / count * 1e3)


def _compare(label: str, datasets: list[Any], rounds: int) -> None:
    paths: dict[str, Callable[[Any], str]] = {
        "canonicalize_dataset (flat form)": canonicalize_dataset,
        "RDFC10Canonicalizer.main (reference)": lambda dataset: RDFC10Canonicalizer().main(dataset),
    }
    assert len({run(dataset) for run in paths.values() for dataset in datasets[:1]}) == 1
    figures: dict[str, list[tuple[float, float]]] = {name: [] for name in paths}
    for _ in range(rounds):
        for name, run in paths.items():
            figures[name].append(_per_credential(run, datasets))
    print(f"{label}: {len(datasets)} distinct credentials, {rounds} rounds, medians")
    for name, values in figures.items():
        cpu = statistics.median(v[0] for v in values)
        wall = statistics.median(v[1] for v in values)
        print(f"  {name:36s} CPU {cpu:.3f} ms  wall {wall:.3f} ms")


def main(count: int = 200, rounds: int = 5) -> None:
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    _compare("lean path taken", _datasets(count, look_alikes=False), rounds)
    _compare("lean path declined", _datasets(count, look_alikes=True), rounds)


if __name__ == "__main__":
    main(*(int(argument) for argument in sys.argv[1:3]))

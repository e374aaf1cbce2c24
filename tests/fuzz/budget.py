"""How much the fuzzers run: enough to find the next hole in the suite's few minutes (about
two minutes on the 2-core CI machine, PostgreSQL included). `OPENDOSSIER_FUZZ_SCALE=N`
multiplies every count, for a longer hunt on a developer's machine; each run stays
reproducible (Hypothesis derandomised), so a scale gives the same examples every time."""

from __future__ import annotations

import os

SCALE = max(1, int(os.environ.get("OPENDOSSIER_FUZZ_SCALE", "1")))

# Requests per OpenAPI operation (107 operations: issuer 40, wallet 58, verifier 9).
EXAMPLES_PER_OPERATION = 15 * SCALE
# Perturbed documents per document fuzzer and backend.
DOCUMENTS = 100 * SCALE


def backend_of(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgresql") else "sqlite"

"""Issue 17 item 10: cost grows with size, not faster. A credential whose achievement has
4,000 identical alignments (the ~420 kB document that cost 25-28 s of CPU) is verified by the
real verifier's POST /credentials/verify; a request that needs more than the verifier's
per-request work budget is refused with 413 and the reason. No wall-clock asserts: the
figures are in bench/bench_cost_curve.py."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from standards.document_loader import DEFAULT_LOADER
from standards.jsonld import JsonLdEngine, engine_for
from standards.work_budget import work_budget
from tests.verifier.conftest import VerifierService
from tests.verifier.signing import achievement_credential, new_signer

ROOT = Path(__file__).resolve().parents[2]
ALIGNMENT = {"type": ["Alignment"], "targetName": "Klassenmanagement",
             "targetUrl": "https://example.org/frameworks/sbl/competences/1"}


def with_alignments(count: int) -> dict[str, Any]:
    signer = new_signer()
    credential = achievement_credential(signer.did, "did:example:holder")
    credential["credentialSubject"]["achievement"]["alignment"] = [
        dict(ALIGNMENT) for _ in range(count)]
    return signer.sign(credential)


@pytest.fixture(scope="module")
def many_alignments() -> dict[str, Any]:
    """Signed in a process of its own, so that no canonical form of it is memoised here and
    the verifier does all the work."""
    made = subprocess.run(
        [sys.executable, "-c", "import json; from tests.verifier.test_verifier_cost import "
         "with_alignments; print(json.dumps(with_alignments(4000)))"],
        cwd=ROOT, check=True, capture_output=True, text=True)
    credential: dict[str, Any] = json.loads(made.stdout)
    return credential


@pytest.fixture(scope="module")
def small_budget_verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifierService]:
    """A verifier whose per-request budget is what a 100-alignment credential needs."""
    server = VerifierService(tmp_path_factory.mktemp("small-budget"),
                             max_request_work=_units_to_verify(with_alignments(100))).start()
    try:
        yield server
    finally:
        server.stop()


def _units_to_verify(credential: dict[str, Any]) -> int:
    """Roughly what verifying `credential` charges: its canonical form twice over."""
    unsigned = {k: v for k, v in credential.items() if k != "proof"}
    with work_budget(10**12) as budget:
        engine_for().to_dataset(unsigned)
    return 2 * budget.spent


def test_4000_identical_alignments_verify(verifier: VerifierService,
                                          many_alignments: dict[str, Any]) -> None:
    report = verifier.verify_credential(many_alignments, checkStatus=False)
    assert report["verified"], report["errors"][:3]
    assert all(check["ok"] for check in report["checks"])


def test_work_grows_linearly_with_the_alignments() -> None:
    def units(count: int) -> int:
        credential = with_alignments(count)
        # A fresh engine: the shared one memoised this canonical form when it signed it.
        with work_budget(10**12) as budget:
            JsonLdEngine(DEFAULT_LOADER).canonicalize(
                {k: v for k, v in credential.items() if k != "proof"})
        return budget.spent

    small, large = units(400), units(4000)
    assert large < 11 * small  # ten times the alignments, about ten times the work


def test_a_request_over_the_work_budget_is_refused_with_the_reason(
        small_budget_verifier: VerifierService) -> None:
    # Canonical forms are memoised by content, and one memoised costs (and is charged)
    # nothing; signing here memoised this one, so a changed copy stands for a document this
    # process has never seen (the budget runs out before the signature is checked).
    unseen = with_alignments(1000)
    unseen["name"] = "Klassenmanagement (nooit eerder gezien)"
    with small_budget_verifier.client() as client:
        answer = client.post("/credentials/verify",
                             json={"verifiableCredential": unseen,
                                   "options": {"checkStatus": False}})
    assert answer.status_code == 413, answer.text[:500]
    assert answer.json()["error"] == "too_large"
    message = answer.json()["message"]
    assert "more work than one request may use" in message and "units" in message
    # a credential within the budget still verifies there
    assert small_budget_verifier.verify_credential(with_alignments(10),
                                                   checkStatus=False)["verified"]


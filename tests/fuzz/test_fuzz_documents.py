"""Odd credentials (`tests.fuzz.documents`: a valid Open Badges 3.0 credential, perturbed)
through the three places that sign, verify and import them, through the real services
in-process (issuer and wallet on SQLite and PostgreSQL):

- the issuer's VC-API `POST /credentials/issue` signs it (201) or refuses it (4xx, and then
  issues nothing); what it signs, the verifier finds correctly signed;
- the verifier's `POST /credentials/verify` and `POST /presentations/verify` answer a verdict
  (200) or a 4xx, for the document as perturbed and then signed, and as signed and then
  perturbed (tampered);
- the wallet's `POST /api/dossiers/{owner}/credentials` imports it (2xx) or refuses it (4xx,
  and then the dossier holds no more credentials than before).

Never a 5xx, never a request slower than `SLOW_SECONDS` (a hang). Each run is reproducible
(Hypothesis derandomised); a finding does not stop it, the test fails at the end with all of
them (the document that caused each, shortened).
"""

from __future__ import annotations

import json
import os
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.fuzz.api_fuzzing import SLOW_SECONDS
from tests.fuzz.budget import DOCUMENTS, backend_of
from tests.fuzz.documents import json_text
from tests.fuzz.known_until_merged import odd_credentials
from tests.issuer.conftest import IssuerService
from tests.ob3_sample import realistic_ob3_credential
from tests.verifier.conftest import VerifierService
from tests.verifier.signing import LocalSigner, new_signer
from tests.wallet.conftest import WalletService

pytestmark = pytest.mark.fuzz

# A file to append each finding's whole document to (JSON lines), to reproduce it with.
DUMP = os.environ.get("OPENDOSSIER_FUZZ_DUMP")


def where_raised(error: BaseException) -> str:
    """The last frames of `error`'s traceback, one line each."""
    frames = traceback.extract_tb(error.__traceback__)[-4:]
    return "\n".join(f"    at {frame.filename}:{frame.lineno} {frame.name}" for frame in frames)



@dataclass
class DocumentRun:
    """What one test sent and what came back; findings are collected, not raised."""

    name: str
    examples: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    findings: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def send(self, document: Any, call: Callable[[], httpx.Response]) -> httpx.Response | None:
        """`call()`'s answer, or None (a finding) when it raised, was a 5xx or was slow."""
        self.examples += 1
        started = time.monotonic()
        try:
            answer = call()
        except Exception as error:  # the app raised through the in-process transport
            self.finding(document, f"the call raised {type(error).__name__}: {error}\n"
                                   f"{where_raised(error)}")
            return None
        elapsed = time.monotonic() - started
        self.statuses[answer.status_code] = self.statuses.get(answer.status_code, 0) + 1
        if answer.status_code >= 500:
            self.finding(document, f"{answer.status_code}: {answer.text[:300]}")
            return None
        if elapsed > SLOW_SECONDS:
            self.finding(document, f"took {elapsed:.1f} s (status {answer.status_code})")
        return answer

    def finding(self, document: Any, problem: str) -> None:
        shown = json.dumps(document, ensure_ascii=True)
        self.findings.append(f"{problem}\n    document: {shown[:1500]}")
        if DUMP:  # the whole document, to reproduce with
            with Path(DUMP).open("a") as dump:
                dump.write(json.dumps({"test": self.name, "problem": problem,
                                       "document": document}) + "\n")

    def finish(self, record: Callable[[str, object], None]) -> None:
        classes: dict[str, int] = {}
        for status, count in self.statuses.items():
            classes[f"{status // 100}xx"] = classes.get(f"{status // 100}xx", 0) + count
        record("fuzz", f"{self.name}: {self.examples} requests in "
                       f"{time.monotonic() - self.started:.1f} s, responses "
                       f"{dict(sorted(classes.items()))}, {len(self.findings)} findings")
        assert not self.findings, "\n\n".join(self.findings)


def fuzz(strategy: st.SearchStrategy[Any], body: Callable[[Any], None]) -> None:
    """`body(example)` for `DOCUMENTS` examples of `strategy`, reproducibly."""

    @settings(max_examples=DOCUMENTS, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate])
    @given(strategy)
    def run(example: Any) -> None:
        body(example)

    run()


def post_json(client: httpx.Client, path: str, value: Any) -> httpx.Response:
    """`value` as JSON text (see `tests.fuzz.documents.json_text`)."""
    return client.post(path, content=json_text(value),
                       headers={"content-type": "application/json"})


def signed_or_not(signer: LocalSigner, document: dict[str, Any]) -> dict[str, Any]:
    """`document` signed by `signer`, or as it is when the test's own signer cannot sign
    it (the service must answer an unsigned document too)."""
    try:
        return signer.sign(document)
    except Exception:
        return document


# --- issue ----------------------------------------------------------------------------------

def test_the_issuer_signs_or_refuses_odd_credentials(fuzz_issuer: IssuerService,
                                                     fuzz_verifier: VerifierService,
                                                     record_property: Any) -> None:
    org = fuzz_issuer.create_org("Fuzz Academy")
    base = realistic_ob3_credential(new_signer().did, 0, issuer_id=org["did"])
    del base["id"]  # the issuer gives each credential its own (one id is issued once)
    run = DocumentRun(f"issuer VC-API issue [{backend_of(fuzz_issuer.database_url)}]")
    with fuzz_issuer.client(org["api_token"]) as api, fuzz_verifier.client() as verifier:
        def issued_count() -> int:
            return int(api.get("/api/credentials").json()["total"])

        assert api.post("/credentials/issue", json={"credential": base}).status_code == 201

        def issue(document: dict[str, Any]) -> None:
            before = issued_count()
            answer = run.send(document, partial(post_json, api, "/credentials/issue",
                                                {"credential": document}))
            if answer is None:
                return
            if answer.status_code != 201:
                if not 400 <= answer.status_code < 500:
                    run.finding(document, f"answered {answer.status_code}: {answer.text[:300]}")
                elif issued_count() != before:
                    run.finding(document, f"refused ({answer.status_code}) but issued")
                return
            signed = answer.json()["verifiableCredential"]
            verdict = run.send(signed, lambda: verifier.post(
                "/credentials/verify", json={"verifiableCredential": signed}))
            if verdict is not None and not proof_holds(verdict):
                run.finding(signed, f"issued, but its proof does not verify: {verdict.text[:500]}")

        fuzz(odd_credentials(base), issue)
    run.finish(record_property)


def proof_holds(verdict: httpx.Response) -> bool:
    # 200 when verified, 400 with the report when not: the proof may hold either way
    return verdict.status_code in (200, 400) and any(
        check["check"] == "proof" and check["ok"] for check in verdict.json().get("checks", []))


# --- verify ---------------------------------------------------------------------------------

def test_the_verifier_answers_every_odd_credential(fuzz_verifier: VerifierService,
                                                   record_property: Any) -> None:
    signer = new_signer()
    base = realistic_ob3_credential(new_signer().did, 0, issuer_id=signer.did)
    signed_base = signer.sign(base)
    run = DocumentRun("verifier VC-API verify")
    documents = st.one_of(
        # perturbed, then signed: well signed, odd content
        odd_credentials(base).map(lambda document: ("sign", document)),
        # signed, then perturbed: tampered
        odd_credentials(signed_base).map(lambda document: ("as is", document)))
    with fuzz_verifier.client() as verifier:
        def verify(example: tuple[str, dict[str, Any]]) -> None:
            how, document = example
            if how == "sign":
                document = signed_or_not(signer, document)
            presentation = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                            "type": ["VerifiablePresentation"],
                            "verifiableCredential": [document]}
            for path, body in (
                    ("/credentials/verify", {"verifiableCredential": document}),
                    ("/presentations/verify", {"verifiablePresentation": presentation})):
                answer = run.send(document, partial(post_json, verifier, path, body))
                if answer is not None and answer.status_code == 200 and answer.json().get(
                        "verified") is not True:
                    run.finding(document, f"{path} answered 200 without verified: true")

        assert proof_holds(verifier.post("/credentials/verify",
                                         json={"verifiableCredential": signed_base}))
        fuzz(documents, verify)
    run.finish(record_property)


# --- import ---------------------------------------------------------------------------------

def test_the_wallet_imports_or_refuses_odd_credentials(fuzz_wallet: WalletService,
                                                       record_property: Any) -> None:
    owner = fuzz_wallet.create_owner()
    signer = new_signer()
    base = realistic_ob3_credential(owner.did, 0, issuer_id=signer.did)
    run = DocumentRun(f"wallet import [{backend_of(fuzz_wallet.database_url)}]")

    def held() -> int:
        return len(owner.client.get(owner.url("/credentials")).json())

    first = owner.client.post(owner.url("/credentials"), json=signer.sign(base))
    assert first.status_code == 201, first.text
    documents = st.tuples(odd_credentials(base), st.booleans())

    def import_(example: tuple[dict[str, Any], bool]) -> None:
        document, sign = example
        if sign:
            document = signed_or_not(signer, document)
        before = held()
        answer = run.send(document, partial(post_json, owner.client, owner.url("/credentials"),
                                            document))
        if answer is None:
            return
        if 400 <= answer.status_code < 500 and held() != before:
            run.finding(document, f"refused ({answer.status_code}) but stored")
        elif answer.status_code not in (200, 201) and not 400 <= answer.status_code < 500:
            run.finding(document, f"answered {answer.status_code}: {answer.text[:300]}")

    fuzz(documents, import_)
    run.finish(record_property)

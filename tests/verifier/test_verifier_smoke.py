"""The verifier answers the VC-API shapes for a credential issued by the real issuer."""

from __future__ import annotations

from typing import Any

import httpx

from tests.issuer.test_issuer_vc_api import unsigned_credential
from tests.verifier.conftest import VerifierProcess


def test_issued_credential_verifies_with_trusted_issuer(verifier: VerifierProcess,
                                                       issuer_api: httpx.Client,
                                                       issuer_org: dict[str, Any]) -> None:
    response = issuer_api.post("/credentials/issue", json={"credential": unsigned_credential()})
    assert response.status_code == 201, response.text
    report = verifier.verify_credential(response.json()["verifiableCredential"])
    assert report["verified"], report
    assert report["trust"]["status"] == "trusted"
    assert report["trust"]["entry"]["registryIdentifiers"] == [{"type": "BRIN", "value": "12AB"}]
    assert {"verified", "checks", "warnings", "errors"} <= set(report)

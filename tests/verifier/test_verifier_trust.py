"""The trust registry over real HTTP: a known issuer is shown with its registry entry, an
unknown one is shown as unknown (a warning, never an error), an entry outside its valid period
says so; a registry can be a URL, and a broken one stops the service from starting."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests import inprocess
from tests.issuer.conftest import free_port, opendossier
from tests.issuer.test_issuer_vc_api import unsigned_credential_of
from tests.local_server import LocalServer
from tests.verifier.conftest import LOCAL, VerifierService
from tests.verifier.signing import LocalSigner, achievement_credential, new_signer

REGISTRY_NAME = "Register onderwijsinstellingen (test)"


@pytest.fixture(scope="module")
def signers() -> dict[str, LocalSigner]:
    return {name: new_signer() for name in ("listed", "closed", "future", "unlisted")}


@pytest.fixture(scope="module")
def registry_server(signers: dict[str, LocalSigner]) -> Iterator[LocalServer]:
    """A registry served over HTTP, with one current, one ended and one future entry."""
    registry = {"name": REGISTRY_NAME, "issuers": [
        {"id": signers["listed"].did, "name": "Praktijkschool De Brug", "country": "NL",
         "sector": "praktijkonderwijs",
         "registryIdentifiers": [{"type": "BRIN", "value": "99ZZ"}],
         "validFrom": "2020-01-01T00:00:00Z"},
        {"id": signers["closed"].did, "name": "Opgeheven school",
         "validUntil": "2021-08-01T00:00:00Z"},
        {"id": signers["future"].did, "name": "Nieuwe school",
         "validFrom": "2099-08-01T00:00:00Z"}]}
    with LocalServer() as server:
        server.json_route("/registry.json", registry)
        yield server


@pytest.fixture(scope="module")
def url_registry_verifier(tmp_path_factory: pytest.TempPathFactory,
                          registry_server: LocalServer) -> Iterator[VerifierService]:
    server = VerifierService(tmp_path_factory.mktemp("url-registry-verifier"), ["127.0.0.1"],
                             f"{registry_server.base}/registry.json").start()
    try:
        yield server
    finally:
        server.stop()


def credential_by(signer: LocalSigner) -> dict[str, Any]:
    return signer.sign(achievement_credential(signer.did, new_signer().did))


# --- the registry file of the `verifier` fixture ----------------------------------------
def test_known_issuer_is_trusted_with_name_and_brin(verifier: VerifierService,
                                                    issuer_api: httpx.Client,
                                                    issuer_org: dict[str, Any]) -> None:
    credential = unsigned_credential_of(issuer_api)
    response = issuer_api.post("/credentials/issue", json={"credential": credential})
    assert response.status_code == 201, response.text
    report = verifier.verify_credential(response.json()["verifiableCredential"])
    assert report["verified"] is True, report
    trust = report["trust"]
    assert trust["status"] == "trusted"
    assert trust["issuer"] == issuer_org["did"]
    assert trust["registry"] == "Testregister"
    assert trust["message"] == "OBS De Linde is a known issuer in Testregister"
    assert trust["entry"]["name"] == "OBS De Linde"
    assert trust["entry"]["registryIdentifiers"] == [{"type": "BRIN", "value": "12AB"}]
    assert not any("trust registry" in warning for warning in report["warnings"])
    # a registry read from a file: configured, but its path on the server is not shown
    assert trust["registryConfigured"] is True and trust["registrySource"] is None
    assert inprocess.get(f"{verifier.base_url}/trust-registry").json()["source"] is None


def test_unknown_issuer_is_shown_as_unknown_without_failing(verifier: VerifierService) -> None:
    stranger = new_signer()
    report = verifier.verify_credential(credential_by(stranger))
    assert report["verified"] is True, report
    assert report["errors"] == []
    assert report["trust"]["status"] == "unknown"
    assert report["trust"]["entry"] is None
    assert (f"the issuer {stranger.did} is not in the trust registry (Testregister)"
            in report["warnings"])


def test_registry_is_published(verifier: VerifierService, issuer_org: dict[str, Any]) -> None:
    response = inprocess.get(f"{verifier.base_url}/trust-registry", timeout=30)
    assert response.status_code == 200
    registry = response.json()
    assert registry["name"] == "Testregister"
    assert [entry["id"] for entry in registry["issuers"]] == [issuer_org["did"]]


# --- a registry given as a URL ----------------------------------------------------------
def test_registry_from_a_url_trusts_its_issuers(url_registry_verifier: VerifierService,
                                                registry_server: LocalServer,
                                                signers: dict[str, LocalSigner]) -> None:
    report = url_registry_verifier.verify_credential(credential_by(signers["listed"]))
    trust = report["trust"]
    assert trust["status"] == "trusted"
    assert trust["registry"] == REGISTRY_NAME
    assert trust["registrySource"] == f"{registry_server.base}/registry.json"
    assert trust["entry"]["registryIdentifiers"] == [{"type": "BRIN", "value": "99ZZ"}]
    assert trust["entry"]["sector"] == "praktijkonderwijs"
    unlisted = url_registry_verifier.verify_credential(credential_by(signers["unlisted"]))
    assert unlisted["trust"]["status"] == "unknown"
    assert unlisted["verified"] is True


@pytest.mark.parametrize("who", ["closed", "future"])
def test_entry_outside_its_valid_period_is_reported(url_registry_verifier: VerifierService,
                                                    signers: dict[str, LocalSigner],
                                                    who: str) -> None:
    report = url_registry_verifier.verify_credential(credential_by(signers[who]))
    trust = report["trust"]
    assert trust["status"] == "outside-valid-period"
    assert f"is in {REGISTRY_NAME}, but its entry is not valid at" in trust["message"]
    assert trust["message"] in report["warnings"]
    assert report["verified"] is True  # the credential itself is sound; trust is shown apart


# --- a broken registry stops the service ------------------------------------------------
def serve_with_registry(tmp_path: Path, registry: str) -> tuple[int, str]:
    result = opendossier("serve", "verifier", "--port", str(free_port()), "--data-dir",
                         str(tmp_path / "data"), *LOCAL, "--trust-registry", registry,
                         check=False)
    return result.returncode, result.stderr


@pytest.mark.parametrize(("content", "reason"), [
    ('{"issuers": [', "cannot read the trust registry"),
    ('{"name": "x"}', 'a trust registry is a JSON object with an "issuers" list'),
    ('{"issuers": [{"id": "did:web:school.example"}]}', 'issuers[0] needs a "name"'),
    ('{"issuers": [{"id": "did:web:a.example", "name": "A", "validUntil": "gisteren"}]}',
     "issuers[0].validUntil"),
])
def test_broken_registry_file_exits_2_with_the_reason(tmp_path: Path, content: str,
                                                      reason: str) -> None:
    registry = tmp_path / "registry.json"
    registry.write_text(content)
    code, stderr = serve_with_registry(tmp_path, str(registry))
    assert code == 2
    assert stderr.startswith("opendossier: ")
    assert reason in stderr


def test_missing_registry_file_and_unreachable_url_exit_2(tmp_path: Path,
                                                          local_server: LocalServer) -> None:
    code, stderr = serve_with_registry(tmp_path, str(tmp_path / "nowhere.json"))
    assert code == 2 and "nowhere.json" in stderr
    missing = f"{local_server.base}/registry.json"
    code, stderr = serve_with_registry(tmp_path, missing)
    assert code == 2
    assert f"cannot load the trust registry {missing}" in stderr
    assert "HTTP status 404" in stderr

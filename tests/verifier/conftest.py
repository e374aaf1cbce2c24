"""Verifier test fixtures: the real verifier app in-process (`VerifierService`, on
`tests.inprocess.NETWORK`, with a clock tests advance), a real issuer app to issue from, and
helpers to sign locally. `VerifierProcess` runs `opendossier serve verifier` in a subprocess
for the tests that need a process.

`verifier` may fetch from 127.0.0.1 (`--allow-local-host`), as when every service runs on one
machine; `strict_verifier` runs the default policy (https, public addresses only).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.inprocess import NETWORK, TestClock
from tests.issuer.conftest import IssuerService, free_port
from tests.local_server import LocalServer
from tests.service_process import start_service, stop_service
from verifier.api.app import create_app
from verifier.config import VerifierSettings
from verifier.services.context import VerifierContext

LOCAL = ["--allow-local-host", "127.0.0.1"]


class VerifierClient:
    """The VC-API calls tests make, on whichever verifier `base_url` names."""

    base_url: str

    def client(self) -> httpx.Client:
        return NETWORK.client(self.base_url)

    def verify_credential(self, credential: Any, **options: Any) -> dict[str, Any]:
        return self._post("/credentials/verify",
                          {"verifiableCredential": credential, "options": options})

    def verify_presentation(self, presentation: Any, **options: Any) -> dict[str, Any]:
        return self._post("/presentations/verify",
                          {"verifiablePresentation": presentation, "options": options})

    def challenge(self) -> str:
        with self.client() as client:
            response = client.post("/challenges")
        assert response.status_code == 201, response.text
        return str(response.json()["challenge"])

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.client() as client:
            response = client.post(path, json=body)
        report: dict[str, Any] = response.json()
        # 200 when verified, 400 with the same report when not (issue 19)
        assert response.status_code == (200 if report.get("verified") else 400), response.text
        assert "checks" in report, response.text
        return report


@dataclass
class VerifierService(VerifierClient):
    """The real verifier app in-process, reached through `NETWORK` at `base_url`.
    `allow_local_hosts` is `--allow-local-host`; `clock` is the service's clock."""

    data_dir: Path
    allow_local_hosts: list[str] = field(default_factory=list)
    trust_registry: str | None = None
    challenge_lifetime_seconds: int | None = None
    max_request_work: int | None = None
    base_url: str = field(default_factory=NETWORK.reserve)
    clock: TestClock = field(default_factory=TestClock)
    context: VerifierContext | None = None

    def start(self) -> VerifierService:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        settings = VerifierSettings(data_dir=self.data_dir, public_url=self.base_url,
                                    trust_registry=self.trust_registry,
                                    allow_local_hosts=list(self.allow_local_hosts))
        if self.challenge_lifetime_seconds is not None:
            settings.challenge_lifetime_seconds = self.challenge_lifetime_seconds
        if self.max_request_work is not None:
            settings.max_request_work = self.max_request_work
        self.context = VerifierContext.open(
            settings, clock=self.clock,
            fetch_transport=NETWORK.fetch_transport(settings.fetch_policy))
        NETWORK.add(self.base_url, create_app(context=self.context))
        return self

    def stop(self) -> None:
        NETWORK.remove(self.base_url)
        if self.context is not None:
            self.context.close()


@dataclass
class VerifierProcess(VerifierClient):
    """A running `opendossier serve verifier`."""

    data_dir: Path
    extra_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    base_url: str = field(init=False)

    def __post_init__(self) -> None:
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self) -> VerifierProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"verifier-{self.port}.log"
        self.process = start_service(
            ["serve", "verifier", "--port", str(self.port), "--data-dir", str(self.data_dir),
             *self.extra_args], self.base_url, self.log_path)
        return self

    def stop(self) -> None:
        stop_service(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""



def failed(report: dict[str, Any]) -> dict[str, str]:
    """{check name: message} of the failed checks (the last one of a name wins)."""
    return {c["check"]: c["message"] for c in report["checks"] if not c["ok"]}


@pytest.fixture(scope="session")
def trust_registry_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A registry file; tests that need known issuers write it before the verifier starts
    (see `registered_issuer`)."""
    path = tmp_path_factory.mktemp("registry") / "registry.json"
    path.write_text(json.dumps({"name": "Testregister", "issuers": []}))
    return path


@pytest.fixture(scope="session")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssuerService]:
    """A real issuer app on SQLite (the verifier has no database of its own to vary)."""
    directory = tmp_path_factory.mktemp("issuer-for-verifier")
    server = IssuerService(directory / "data",
                           f"sqlite:///{directory / 'data' / 'issuer.db'}").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def issuer_org(issuer: IssuerService) -> dict[str, Any]:
    """An organisation with a did:web profile served by the issuer on 127.0.0.1."""
    return issuer.create_org("OBS De Linde", did="web")


@pytest.fixture(scope="session")
def verifier(tmp_path_factory: pytest.TempPathFactory, trust_registry_file: Path,
             issuer_org: dict[str, Any]) -> Iterator[VerifierService]:
    registry = {"name": "Testregister", "issuers": [
        {"id": issuer_org["did"], "name": "OBS De Linde", "country": "NL",
         "sector": "primary education",
         "registryIdentifiers": [{"type": "BRIN", "value": "12AB"}]}]}
    trust_registry_file.write_text(json.dumps(registry))
    server = VerifierService(tmp_path_factory.mktemp("verifier"), ["127.0.0.1"],
                             str(trust_registry_file)).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def strict_verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifierService]:
    server = VerifierService(tmp_path_factory.mktemp("strict-verifier")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    with LocalServer() as server:
        yield server


@pytest.fixture
def issuer_api(issuer: IssuerService, issuer_org: dict[str, Any]) -> Iterator[httpx.Client]:
    with issuer.client(issuer_org["api_token"]) as client:
        yield client

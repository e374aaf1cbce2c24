"""Smoke tests: each service as the operator runs it, `opendossier serve <role>` in a process
of its own, answers one real request over a socket. Everything else about the services is
tested in-process (tests/inprocess.py); these show the command, the server and the socket
still fit together."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.issuer.conftest import IssuerProcess
from tests.issuer.test_issuer_vc_api import unsigned_credential
from tests.verifier.conftest import LOCAL, VerifierProcess
from tests.wallet.conftest import PASSWORD, WalletProcess


@pytest.fixture
def issuer_process(tmp_path: Path) -> Iterator[IssuerProcess]:
    server = IssuerProcess(tmp_path / "issuer", f"sqlite:///{tmp_path / 'issuer.db'}").start()
    try:
        yield server
    finally:
        server.stop()


def test_issuer_process_issues_a_credential(issuer_process: IssuerProcess) -> None:
    org = issuer_process.create_org("Smoke school")
    with issuer_process.client(org["api_token"]) as client:
        credential = unsigned_credential(org["did"])
        response = client.post("/credentials/issue", json={"credential": credential})
    assert response.status_code == 201, response.text
    assert response.json()["verifiableCredential"]["issuer"]["id"] == org["did"]


def test_wallet_process_signs_up_an_owner(tmp_path: Path) -> None:
    server = WalletProcess(tmp_path / "wallet", f"sqlite:///{tmp_path / 'wallet.db'}").start()
    try:
        response = server.client().post("/api/accounts", json={
            "email": f"smoke-{os.urandom(3).hex()}@example.org", "password": PASSWORD,
            "name": "Smoke"})
    finally:
        server.stop()
    assert response.status_code == 201, response.text
    assert response.json()["did"].startswith("did:key:")


def test_verifier_process_hands_out_a_challenge(tmp_path: Path) -> None:
    server = VerifierProcess(tmp_path / "verifier", LOCAL).start()
    try:
        challenge = server.challenge()
    finally:
        server.stop()
    assert len(challenge) >= 20

"""Wallet test fixtures: the real wallet app in-process (`WalletService`, on
`tests.inprocess.NETWORK`, with a clock tests advance), against SQLite and against
PostgreSQL; owners made through the real API. `WalletProcess` runs `opendossier serve wallet`
in a subprocess for the tests that need a process (raw sockets, streaming limits).

One service per backend per test session; every test makes its own owners (random e-mail
addresses), so tests do not see each other's data.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from standards.fetcher import FetchPolicy
from tests.databases import BACKENDS, started_on_fresh_database
from tests.inprocess import NETWORK, TestClock
from tests.issuer.conftest import free_port, opendossier, opendossier_in_process
from tests.service_process import start_service, stop_service
from wallet.api.app import create_app
from wallet.config import WalletSettings
from wallet.services.context import WalletContext

PASSWORD = "correct horse battery staple"
LOCAL = ["--allow-local-host", "127.0.0.1"]


@dataclass
class Owner:
    """An owner (or delegate) account with a logged-in API client."""

    email: str
    id: str
    did: str
    client: httpx.Client

    def url(self, path: str = "", owner_id: str | None = None) -> str:
        """`/api/dossiers/{owner}{path}`: this owner's dossier, or `owner_id`'s."""
        return f"/api/dossiers/{owner_id or self.id}{path}"


class WalletAccounts:
    """Accounts, log-ins and the CLI on a wallet at `base_url` with this storage (in-process
    or a process: `NETWORK` reaches both)."""

    data_dir: Path
    database_url: str
    base_url: str
    clients: list[httpx.Client]

    def storage_args(self) -> list[str]:
        return ["--data-dir", str(self.data_dir), "--database-url", self.database_url,
                "--public-url", self.base_url, *LOCAL]

    def close_clients(self) -> None:
        for client in self.clients:
            client.close()

    def cli(self, *args: str, check: bool = True,
            in_process: bool = False) -> subprocess.CompletedProcess[str]:
        """`opendossier wallet ARGS` against this wallet's storage: in a process of its own,
        or (`in_process`) the same command's `main` called here."""
        run = opendossier_in_process if in_process else opendossier
        return run("wallet", *args, *self.storage_args(), check=check)

    def client(self, token: str | None = None) -> httpx.Client:
        client = NETWORK.client(self.base_url, token)
        self.clients.append(client)
        return client

    def create_owner(self, email: str | None = None, name: str = "") -> Owner:
        """An owner made through the sign-up API (fast: no process start), logged in."""
        return self.sign_up(email or f"owner-{os.urandom(4).hex()}@example.org", name)

    def create_owner_cli(self, email: str | None = None, name: str = "") -> Owner:
        """An owner made with `opendossier wallet create-owner`, logged in over the API."""
        email = email or f"owner-{os.urandom(4).hex()}@example.org"
        password_file = self.data_dir / f"password-{os.urandom(4).hex()}"
        password_file.write_text(PASSWORD + "\n")
        made = json.loads(self.cli("create-owner", email, "--password-file",
                                   str(password_file), "--name", name).stdout)
        return self.log_in(email, made["owner"], made["did"])

    def sign_up(self, email: str | None = None, name: str = "") -> Owner:
        """An account made through `POST /api/accounts` (as the sign-up page does)."""
        email = email or f"person-{os.urandom(4).hex()}@example.org"
        answer = self.client().post("/api/accounts", json={"email": email, "password": PASSWORD,
                                                           "name": name})
        assert answer.status_code == 201, answer.text
        made = answer.json()
        return self.log_in(email, made["owner"], made["did"])

    def log_in(self, email: str, owner_id: str, did: str) -> Owner:
        answer = self.client().post("/api/session", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        return Owner(email, owner_id, did, self.client(answer.json()["token"]))

    def delegate(self, owner: Owner, role: str, scopes: list[str] | None = None) -> Owner:
        """A new account that `owner` invited as `role` and that accepted."""
        email = f"{role}-{os.urandom(4).hex()}@example.org"
        body: dict[str, Any] = {"email": email, "role": role}
        if scopes is not None:
            body["scopes"] = scopes
        invited = owner.client.post(owner.url("/delegations"), json=body)
        assert invited.status_code == 201, invited.text
        accepted = self.client().post(f"/api/invitations/{invited.json()['inviteToken']}/accept",
                                      json={"password": PASSWORD, "name": role.title()})
        assert accepted.status_code == 200, accepted.text
        delegate = self.log_in(email, accepted.json()["delegate"], "")
        delegate.did = delegate.client.get("/api/me").json()["did"]
        return delegate


@dataclass
class WalletService(WalletAccounts):
    """The real wallet app in-process, reached through `NETWORK` at `base_url`;
    `clock` is the service's clock."""

    data_dir: Path
    database_url: str
    max_upload_bytes: int | None = None  # `--max-upload-mb`
    base_url: str = field(default_factory=NETWORK.reserve)
    clock: TestClock = field(default_factory=TestClock)
    context: WalletContext | None = None
    clients: list[httpx.Client] = field(default_factory=list)

    def start(self) -> WalletService:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        settings = WalletSettings(data_dir=self.data_dir, database_url=self.database_url,
                                  public_url=self.base_url,
                                  fetch_policy=FetchPolicy(allow_http_for=["127.0.0.1"],
                                                           allow_private_for=["127.0.0.1"]))
        if self.max_upload_bytes is not None:
            settings.max_upload_bytes = self.max_upload_bytes
        self.context = WalletContext.open(
            settings, clock=self.clock,
            fetch_transport=NETWORK.fetch_transport(settings.fetch_policy))
        NETWORK.add(self.base_url, create_app(context=self.context))
        return self

    def stop(self) -> None:
        self.close_clients()
        NETWORK.remove(self.base_url)
        if self.context is not None:
            self.context.close()


@dataclass
class WalletProcess(WalletAccounts):
    """A running `opendossier serve wallet`."""

    data_dir: Path
    database_url: str
    extra_args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    clients: list[httpx.Client] = field(default_factory=list)

    @property
    def base_url(self) -> str:  # type: ignore[override]
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> WalletProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self.process = start_service(["serve", "wallet", "--port", str(self.port),
                                      *self.storage_args(), *self.extra_args],
                                     self.base_url, self.log_path)
        return self

    def stop(self) -> None:
        self.close_clients()
        stop_service(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""


@pytest.fixture(scope="session", params=BACKENDS)
def wallet_server(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletService]:
    directory = tmp_path_factory.mktemp(f"wallet-{request.param}")
    with started_on_fresh_database(request.param, directory, WalletService) as server:
        yield server


@pytest.fixture(scope="session")
def sqlite_wallet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletService]:
    """A wallet on SQLite only, for tests whose subject is not the database."""
    directory = tmp_path_factory.mktemp("wallet-sqlite")
    server = WalletService(directory / "data", f"sqlite:///{directory / 'wallet.db'}").start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def owner(wallet_server: WalletService) -> Owner:
    return wallet_server.create_owner()


@pytest.fixture(scope="module")
def wallet_process(wallet_server: WalletService) -> Iterator[WalletProcess]:
    """`opendossier serve wallet` on the storage of `wallet_server` (the same accounts and
    tokens), for what needs a real process: raw sockets, the server's log."""
    server = WalletProcess(wallet_server.data_dir, wallet_server.database_url).start()
    try:
        yield server
    finally:
        server.stop()

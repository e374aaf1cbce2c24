"""Issuer test fixtures: the real issuer app in-process (`IssuerService`, on
`tests.inprocess.NETWORK`), against SQLite and against PostgreSQL; `IssuerProcess` runs the
real `opendossier serve issuer` in a subprocess for the tests that need a process.

One service per backend per test session; tests create their own organisations, so they do
not see each other's data.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlmodel import Session

from issuer.api.app import create_app
from issuer.config import IssuerSettings
from issuer.services.context import IssuerContext
from issuer.services.organisations import create_organisation
from tests.databases import BACKENDS, started_on_fresh_database
from tests.inprocess import NETWORK
from tests.service_process import REPO, start_service, stop_service


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def opendossier(*args: str, check: bool = True, env: dict[str, str] | None = None,
                input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real CLI (`python -m opendossier ...`)."""
    result = subprocess.run([sys.executable, "-m", "opendossier", *args], capture_output=True,
                            text=True, cwd=REPO, env=env, input=input, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"opendossier {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def create_org(ctx: IssuerContext, name: str, did: str = "key",
               key_type: str = "ed25519") -> dict[str, Any]:
    """What `opendossier issuer create-org` makes → {"org", "did", "api_token"}."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        created = create_organisation(ctx, session, name, did_method=did, key_type=key_type)
        session.commit()
    return {"org": created.org_id, "did": created.did, "api_token": created.api_token}


def opendossier_in_process(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    """The real CLI's `main(ARGS)` in this process, its output captured: for tests whose
    subject is what a command does, not the process around it (those use `opendossier`)."""
    from opendossier.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else 2
    result = subprocess.CompletedProcess(["opendossier", *args], code, out.getvalue(),
                                         err.getvalue())
    if check and code != 0:
        raise AssertionError(f"opendossier {' '.join(args)} failed ({code}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


@dataclass
class IssuerService:
    """The real issuer app in-process, reached through `NETWORK` at `base_url`."""

    data_dir: Path
    database_url: str
    public_url: str | None = None  # default: its own base URL
    base_url: str = field(default_factory=NETWORK.reserve)
    context: IssuerContext | None = None

    def storage_args(self) -> list[str]:
        return ["--data-dir", str(self.data_dir), "--database-url", self.database_url]

    def start(self) -> IssuerService:
        settings = IssuerSettings(data_dir=self.data_dir, database_url=self.database_url,
                                  public_url=self.public_url or self.base_url)
        self.context = IssuerContext.open(
            settings, fetch_transport=NETWORK.fetch_transport(settings.fetch_policy))
        NETWORK.add(self.base_url, create_app(context=self.context))
        return self

    def stop(self) -> None:
        NETWORK.remove(self.base_url)
        if self.context is not None:
            self.context.close()

    @property
    def ctx(self) -> IssuerContext:
        assert self.context is not None, "the issuer has not started"
        return self.context

    def create_org(self, name: str, did: str = "key",
                   key_type: str = "ed25519") -> dict[str, Any]:
        return create_org(self.ctx, name, did, key_type)

    def client(self, token: str | None = None) -> httpx.Client:
        return NETWORK.client(self.base_url, token)


@dataclass
class IssuerProcess:
    """A running `opendossier serve issuer`."""

    data_dir: Path
    database_url: str
    port: int = field(default_factory=free_port)
    public_url: str | None = None  # default: its own base URL
    log_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    env: dict[str, str] | None = None  # the process's environment (default: this one's)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def storage_args(self) -> list[str]:
        return ["--data-dir", str(self.data_dir), "--database-url", self.database_url]

    def start(self) -> IssuerProcess:
        self.log_path = self.data_dir / f"server-{self.port}.log"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.process = start_service(
            ["serve", "issuer", "--port", str(self.port),
             "--public-url", self.public_url or self.base_url, *self.storage_args()],
            self.base_url, self.log_path, self.env)
        return self

    def stop(self) -> None:
        stop_service(self.process)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path else ""

    def create_org(self, name: str, did: str = "key") -> dict[str, Any]:
        """Made through the service layer on the process's storage (no CLI process)."""
        ctx = IssuerContext.open(IssuerSettings(
            data_dir=self.data_dir, database_url=self.database_url,
            public_url=self.public_url or self.base_url), run_migrations=False)
        try:
            return create_org(ctx, name, did)
        finally:
            ctx.close()

    def client(self, token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=60)


@pytest.fixture(scope="session", params=BACKENDS)
def issuer_server(request: pytest.FixtureRequest,
                  tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssuerService]:
    directory = tmp_path_factory.mktemp(f"issuer-{request.param}")
    with started_on_fresh_database(request.param, directory, IssuerService) as server:
        yield server


@pytest.fixture
def org(issuer_server: IssuerService) -> dict[str, Any]:
    """A new organisation with a did:key profile on the running issuer."""
    return issuer_server.create_org(f"School {os.urandom(3).hex()}")


@pytest.fixture
def api(issuer_server: IssuerService, org: dict[str, Any]) -> Iterator[httpx.Client]:
    with issuer_server.client(org["api_token"]) as client:
        yield client

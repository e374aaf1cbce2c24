"""Fuzzing fixtures: the real issuer, wallet and verifier apps in-process, of their own (the
fuzzers make many accounts, organisations and refused requests; other tests need not see
them), the issuer and wallet on SQLite and on PostgreSQL.

Every fuzz module is marked `fuzz` (it runs in the normal suite; `-m "not fuzz"` leaves
it out locally), and each test records what it ran as a `fuzz` user property, which the
terminal summary prints: operations, examples, time and findings per service, also under
pytest-xdist.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.databases import BACKENDS, started_on_fresh_database
from tests.issuer.conftest import IssuerService
from tests.verifier.conftest import VerifierService
from tests.wallet.conftest import WalletService


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    lines = [value for reports in terminalreporter.stats.values() for report in reports
             if getattr(report, "when", None) == "call"
             for name, value in getattr(report, "user_properties", []) if name == "fuzz"]
    if lines:
        terminalreporter.write_sep("-", "what the fuzzers ran")
        for line in lines:
            terminalreporter.write_line(str(line))


@pytest.fixture(scope="session", params=BACKENDS)
def fuzz_issuer(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[IssuerService]:
    directory = tmp_path_factory.mktemp(f"fuzz-issuer-{request.param}")
    with started_on_fresh_database(request.param, directory, IssuerService) as server:
        yield server


@pytest.fixture(scope="session", params=BACKENDS)
def fuzz_wallet(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletService]:
    directory = tmp_path_factory.mktemp(f"fuzz-wallet-{request.param}")
    with started_on_fresh_database(request.param, directory, WalletService) as server:
        yield server


@pytest.fixture(scope="session")
def fuzz_verifier(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VerifierService]:
    """The verifier keeps no database (its challenges live in memory): one run covers it.
    It may fetch from 127.0.0.1, as when every service runs on one machine."""
    server = VerifierService(tmp_path_factory.mktemp("fuzz-verifier"), ["127.0.0.1"]).start()
    try:
        yield server
    finally:
        server.stop()

"""The periodic re-check (`PeriodicRecheck`, issue 17): while the wallet runs, a credential
kept "not checked yet" becomes verified once its issuer answers again; a round that fails
(the database away) does not end the loop; `stop()` ends it; the app's lifespan starts and
stops it. A real wallet (SQLite and PostgreSQL) and a real issuer, taken off the in-process
network and put back. The test waits for the rounds the thread reports, never sleeps."""

from __future__ import annotations

import queue
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from starlette.testclient import TestClient

from tests.databases import BACKENDS, started_on_fresh_database
from tests.inprocess import NETWORK
from tests.issuer.conftest import IssuerService
from tests.wallet.conftest import WalletService
from tests.wallet.test_wallet_archive import issue_to
from tests.wallet.test_wallet_not_checked_yet import add, by_id, key_school, school  # noqa: F401
from wallet.api.app import create_app
from wallet.config import WalletSettings
from wallet.services.context import WalletContext
from wallet.services.credential_rechecks import (
    PeriodicRecheck,
    RecheckSummary,
    recheck_not_checked,
)

ROUND_SECONDS = 0.01  # the loop's own interval: rounds follow each other quickly
WAIT_SECONDS = 60  # at most, for the round a test waits for

Rounds = queue.Queue[RecheckSummary | None]


@pytest.fixture(scope="module", params=BACKENDS)
def lone_wallet(request: pytest.FixtureRequest,
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletService]:
    """A wallet of its own: the re-check goes over every dossier, and the test takes a
    table away from its database for a moment."""
    directory = tmp_path_factory.mktemp(f"recheck-wallet-{request.param}")
    with started_on_fresh_database(request.param, directory, WalletService) as server:
        yield server


def wait_for(rounds: Rounds, wanted: Callable[[RecheckSummary | None], bool],
             what: str) -> RecheckSummary | None:
    """The first round reported from now on that is `wanted`."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            summary = rounds.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError(f"no round {what} within {WAIT_SECONDS} s") from None
        if wanted(summary):
            return summary


@contextmanager
def credentials_table_away(ctx: WalletContext) -> Iterator[None]:
    """The wallet's credentials table is gone until the block ends (as if the database
    were away): every round fails meanwhile."""
    with ctx.engine.begin() as connection:
        connection.execute(text("ALTER TABLE storedcredential RENAME TO storedcredential_away"))
    try:
        yield
    finally:
        with ctx.engine.begin() as connection:
            connection.execute(
                text("ALTER TABLE storedcredential_away RENAME TO storedcredential"))


def test_a_running_recheck_verifies_a_credential_once_its_issuer_answers(
        lone_wallet: WalletService, school: IssuerService,  # noqa: F811
        key_school: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    ctx = lone_wallet.context
    assert ctx is not None
    owner = lone_wallet.create_owner()
    rounds: Rounds = queue.Queue()
    rechecks = PeriodicRecheck(ctx, ROUND_SECONDS, on_round=rounds.put)
    credential = issue_to(key_school, owner.did, "Stage")  # a did:key, its status list away
    try:
        with NETWORK.unreachable(school.base_url):
            added = add(owner, credential)
            assert added["verified"] is False
            assert added["notCheckedYet"].startswith("status unknown: ")
            with credentials_table_away(ctx):
                rechecks.start()
                wait_for(rounds, lambda summary: summary is None, "that failed")
            # the loop goes on: the next rounds find the credential, still not checkable
            wait_for(rounds, lambda summary: summary is not None
                     and summary.still_not_checked == [added["id"]], "that could not check")
            assert by_id(owner)[added["id"]]["verified"] is False
        # the issuer answers again
        wait_for(rounds, lambda summary: summary is not None
                 and summary.verified == [added["id"]], "that verified the credential")
    finally:
        rechecks.stop()
    assert not rechecks.running
    assert "checking credentials again failed" in caplog.text
    listed = by_id(owner)[added["id"]]
    assert listed["verified"] is True and listed["notCheckedYet"] is None


def test_the_served_wallet_runs_the_recheck_while_it_runs(tmp_path: Path) -> None:
    """Started with the app, stopped with it; not at all when the interval is 0."""
    served = create_app(WalletSettings(data_dir=tmp_path / "served"))
    try:
        with TestClient(served):
            rechecks = served.state.rechecks
            assert isinstance(rechecks, PeriodicRecheck) and rechecks.running
            assert rechecks.interval == 3600
        assert not rechecks.running
    finally:
        served.state.wallet.close()
    quiet = create_app(WalletSettings(data_dir=tmp_path / "quiet", recheck_interval_seconds=0))
    try:
        with TestClient(quiet):
            assert quiet.state.rechecks is None
    finally:
        quiet.state.wallet.close()


def test_one_credential_that_cannot_be_checked_holds_up_no_other(
        lone_wallet: WalletService, school: IssuerService,  # noqa: F811
        key_school: httpx.Client, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    """The longest unchecked goes first, so a round of one takes turns; a credential whose
    check fails (here its stored text is damaged) is counted as failed, and the others are
    still checked, round after round."""
    ctx = lone_wallet.context
    assert ctx is not None
    owner = lone_wallet.create_owner()
    issued = [issue_to(key_school, owner.did, name) for name in ("Stage 1", "Stage 2", "Stage 3")]
    with NETWORK.unreachable(school.base_url):
        first, second, damaged = (add(owner, credential)["id"] for credential in issued)
        with ctx.engine.begin() as connection:
            connection.execute(text("UPDATE storedcredential SET content = '{' WHERE id = :id"),
                               {"id": damaged})
        turns = []
        for _ in range(3):
            lone_wallet.clock.advance(60)
            turns += recheck_not_checked(ctx, owner_id=owner.id, limit=1).still_not_checked
        assert sorted(turns[:2]) == sorted([first, second])  # each once, then the first again
    lone_wallet.clock.advance(60)
    summary = recheck_not_checked(ctx, owner_id=owner.id)
    assert summary.failed == [damaged]
    assert sorted(summary.verified) == sorted([first, second])
    assert f"checking credential {damaged} again failed" in caplog.text

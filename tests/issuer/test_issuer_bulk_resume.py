"""Interrupted bulk jobs finish, every row issued exactly once (SQLite and PostgreSQL): a real
`opendossier serve issuer` killed with SIGKILL mid-job and started again on the same data;
in-process, a run that dies mid-job is resumed, a lease keeps a second run out and fences a
run that lost it, and a job that keeps killing its process ends."""

from __future__ import annotations

import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from issuer.models import BulkJob, BulkJobInput, BulkRow, IssuedCredential, utc_now
from issuer.services.bulk import create_bulk_job, job_rows, run_bulk_job
from issuer.services.bulk_lease import (
    MAX_ATTEMPTS,
    LeaseLost,
    claim,
    fence,
    interrupted_jobs,
    new_lease_token,
    stop_all_runs,
)
from issuer.services.bulk_runs import resume_interrupted_jobs
from issuer.services.bulk_signing import default_workers
from issuer.services.context import IssuerContext
from servicekit.database import make_engine
from servicekit.errors import Conflict
from tests.databases import BACKENDS, fresh_database
from tests.issuer.conftest import IssuerProcess
from tests.issuer.test_issuer_bulk import (  # noqa: F401 (service is a fixture)
    Service,
    new_achievement,
    recipients_csv,
    service,
    upload,
)

LEASE_SECONDS = 3  # the killed process's lease expires this soon after it died


# --- what every test checks: each row once -------------------------------------------------
def issued_once_per_row(engine: Engine, job_id: str, rows: int) -> None:
    """The job finished; every row has exactly one result, `issued`, naming a credential of
    its own, and the job's credentials are exactly those: one per row."""
    with Session(engine) as session:
        job = session.get(BulkJob, job_id)
        results = session.exec(select(BulkRow).where(BulkRow.job_id == job_id)).all()
        records = session.exec(select(IssuedCredential).where(
            IssuedCredential.bulk_job_id == job_id)).all()
        kept_input = session.get(BulkJobInput, job_id)
    assert job is not None and job.state == "finished", job
    assert (job.done, job.issued, job.skipped, job.failed) == (rows, rows, 0, 0)
    assert job.lease_owner is None and kept_input is None  # the CSV is not kept after
    per_row = Counter(row.row_number for row in results)
    assert sorted(per_row) == list(range(2, rows + 2)) and set(per_row.values()) == {1}
    assert {row.outcome for row in results} == {"issued"}
    per_recipient = Counter(record.recipient for record in records)
    assert len(records) == rows and set(per_recipient.values()) == {1}
    assert {row.credential_id for row in results} == {r.credential_id for r in records}


# --- kill -9 of a real issuer mid-job ------------------------------------------------------
@pytest.fixture(params=BACKENDS)
def issuer_process(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[IssuerProcess]:
    with fresh_database(request.param, tmp_path) as database_url:
        env = {**os.environ, "OPENDOSSIER_ISSUER_BULK_JOB_LEASE_SECONDS": str(LEASE_SECONDS)}
        server = IssuerProcess(tmp_path / "data", database_url, env=env).start()
        try:
            yield server
        finally:
            server.stop()


def progress(api: httpx.Client, job_id: str) -> dict[str, Any]:
    answer = api.get(f"/api/bulk/{job_id}")
    assert answer.status_code == 200, answer.text
    return answer.json()  # type: ignore[no-any-return]


def kill_mid_job(issuer: IssuerProcess, token: str, rows: int) -> str:
    """Start a bulk job of `rows` on `issuer`, SIGKILL the issuer once some rows are done
    (before all are), and see its signing processes go with it. Returns the job's id."""
    with issuer.client(token) as api:
        started = upload(api, new_achievement(api), recipients_csv(rows, bad=False))
        assert started.status_code == 202, started.text
        job_id: str = started.json()["job"]
        deadline = time.monotonic() + 180
        while (done := progress(api, job_id)["done"]) == 0:
            assert time.monotonic() < deadline, issuer.log()
            time.sleep(0.05)
    assert issuer.process is not None
    workers = descendants(issuer.process.pid)  # its signing processes
    assert workers or default_workers(rows) == 0, "the job signs in worker processes"
    issuer.process.kill()  # SIGKILL: no clean-up of any kind
    issuer.process.wait()
    assert 0 < done < rows, f"the job was not mid-way when killed ({done} of {rows})"
    deadline = time.monotonic() + 30
    while alive := [pid for pid in workers if running(pid)]:
        assert time.monotonic() < deadline, f"signing processes outlived the issuer: {alive}"
        time.sleep(0.1)
    with database(issuer.database_url) as engine, Session(engine) as session:
        halted = session.get(BulkJob, job_id)
        assert halted is not None and halted.state == "running"  # as the crash left it
    return job_id


def finished_by(issuer: IssuerProcess, token: str, job_id: str, rows: int) -> None:
    """`issuer` resumes the job and finishes it: every row issued exactly once."""
    with issuer.client(token) as api:
        deadline = time.monotonic() + 240
        while (job := progress(api, job_id))["state"] == "running":
            assert time.monotonic() < deadline, f"not resumed: {job}\n{issuer.log()}"
            time.sleep(0.2)
    assert "resuming interrupted bulk job" in issuer.log()
    with database(issuer.database_url) as engine:
        issued_once_per_row(engine, job_id, rows)


def test_a_killed_issuer_finishes_the_job_after_a_restart(issuer_process: IssuerProcess) -> None:
    rows = 400  # enough for the signing pool to run for seconds
    token = issuer_process.create_org("Praktijkschool")["api_token"]
    job_id = kill_mid_job(issuer_process, token, rows)
    with issuer_process.client(token) as api, pytest.raises(httpx.TransportError):
        api.get("/health")
    issuer_process.start()  # the same data directory and database
    finished_by(issuer_process, token, job_id, rows)


def test_another_instance_takes_over_the_job_of_a_killed_one(
        issuer_process: IssuerProcess) -> None:
    rows = 400
    # A second instance on the same database and storage, behind the same public URL.
    other = IssuerProcess(issuer_process.data_dir, issuer_process.database_url,
                          public_url=issuer_process.base_url, env=issuer_process.env).start()
    try:
        token = issuer_process.create_org("Praktijkschool")["api_token"]
        job_id = kill_mid_job(issuer_process, token, rows)
        finished_by(other, token, job_id, rows)  # without any restart
    finally:
        other.stop()


def descendants(pid: int) -> list[int]:
    """The processes `pid` started, and theirs (Linux /proc; none found elsewhere)."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            found += [int(child), *descendants(int(child))]
    return found


def running(pid: int) -> bool:
    """The process exists and is not a zombie (dead, waiting for its parent to reap it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


@contextmanager
def database(url: str) -> Iterator[Engine]:
    """The process's database, read from here."""
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


# --- in-process: a run that dies, leases, attempts -----------------------------------------
class Killed(BaseException):
    """The process dies here: no `except Exception` runs, nothing is cleaned up."""


def expire_lease(ctx: IssuerContext, job_id: str) -> None:
    """What the passing of a lease period does to a lease nobody renews (no sleeping)."""
    with ctx.engine.begin() as connection:
        connection.execute(update(BulkJob).where(col(BulkJob.id) == job_id)
                           .values(lease_expires_at=utc_now() - timedelta(seconds=1)))


def test_a_run_that_dies_mid_job_is_resumed(service: Service) -> None:  # noqa: F811
    ctx, org, achievement_id = service
    rows = 30
    data = recipients_csv(rows, bad=False)
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv", csv_bytes=data)

    def die(done: int, total: int) -> None:
        raise Killed()

    with pytest.raises(Killed):
        run_bulk_job(ctx, org, job.id, data, die, workers=0)
    with Session(ctx.engine) as session:
        halted = session.get(BulkJob, job.id)
        assert halted is not None and halted.state == "running" and 0 < halted.done < rows
        first_rows = {row.row_number for row in job_rows(session, org, job.id)}
    assert interrupted_jobs(ctx.engine, ctx.settings.bulk_job_lease_seconds) == []
    with pytest.raises(Conflict, match="another run is working on it"):
        run_bulk_job(ctx, org, job.id, workers=0)  # its lease has not expired yet

    expire_lease(ctx, job.id)
    assert interrupted_jobs(ctx.engine, ctx.settings.bulk_job_lease_seconds) == [job.id]
    threads = resume_interrupted_jobs(ctx)  # as the next start does, from the stored CSV
    assert len(threads) == 1
    threads[0].join(timeout=120)
    issued_once_per_row(ctx.engine, job.id, rows)
    with Session(ctx.engine) as session:
        recorded = {row.row_number: row.credential_id for row in job_rows(session, org, job.id)}
    assert first_rows < set(recorded)  # the first run's rows stayed as they were
    assert interrupted_jobs(ctx.engine, ctx.settings.bulk_job_lease_seconds) == []


def test_a_lease_admits_one_run_and_fences_the_one_that_lost_it(
        service: Service) -> None:  # noqa: F811
    ctx, org, achievement_id = service
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv",
                          csv_bytes=recipients_csv(3, bad=False))
    first, second = new_lease_token(), new_lease_token()
    assert claim(ctx.engine, job.id, first, 30)
    assert not claim(ctx.engine, job.id, second, 30)  # held: the second run stays out
    later = utc_now() + timedelta(seconds=31)
    assert claim(ctx.engine, job.id, second, 30, now=later)  # expired: taken over
    with ctx.engine.begin() as connection:
        fence(connection, job.id, second)  # the holder may record
    with pytest.raises(LeaseLost), ctx.engine.begin() as connection:
        fence(connection, job.id, first)  # the run that lost it may not


def test_a_job_nobody_took_counts_as_interrupted(service: Service) -> None:  # noqa: F811
    ctx, org, achievement_id = service
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv",
                          csv_bytes=recipients_csv(3, bad=False))
    seconds = ctx.settings.bulk_job_lease_seconds
    assert job.id not in interrupted_jobs(ctx.engine, seconds)  # its creator runs it now
    later = utc_now() + timedelta(seconds=seconds + 1)
    assert job.id in interrupted_jobs(ctx.engine, seconds, now=later)  # the creator died


def test_a_job_that_keeps_killing_its_process_ends(service: Service) -> None:  # noqa: F811
    ctx, org, achievement_id = service
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv",
                          csv_bytes=recipients_csv(3, bad=False))
    with ctx.engine.begin() as connection:
        connection.execute(update(BulkJob).where(col(BulkJob.id) == job.id)
                           .values(attempts=MAX_ATTEMPTS))
    ended = run_bulk_job(ctx, org, job.id, workers=0)
    assert ended.state == "failed" and f"interrupted {MAX_ATTEMPTS} times" in (ended.message
                                                                               or "")
    with Session(ctx.engine) as session:
        assert session.get(BulkJobInput, job.id) is None


def test_a_stopping_process_lets_go_of_its_job(service: Service) -> None:  # noqa: F811
    ctx, org, achievement_id = service
    rows = 30
    data = recipients_csv(rows, bad=False)
    job = create_bulk_job(ctx, org, achievement_id, filename="a.csv", csv_bytes=data)
    def stop_after_first_chunk(done: int, total: int) -> None:
        stop_all_runs()  # as the service's shutdown does

    stopped = run_bulk_job(ctx, org, job.id, data, stop_after_first_chunk, workers=0)
    assert stopped.state == "running" and 0 < stopped.done < rows
    assert stopped.lease_owner is None  # let go of: resumable at once, no lease to wait for
    assert interrupted_jobs(ctx.engine, ctx.settings.bulk_job_lease_seconds) == [job.id]
    thread = threading.Thread(target=run_bulk_job, args=(ctx, org, job.id),
                              kwargs={"workers": 0})
    thread.start()
    thread.join(timeout=120)
    issued_once_per_row(ctx.engine, job.id, rows)

"""Leases on bulk jobs: which run works on a running job, so that an interrupted job is
resumed exactly once, by this instance or by any other on the same database.

A run takes a job by `claim`: one UPDATE that succeeds only while nobody holds an unexpired
lease, so of two instances trying at once exactly one gets it. While it works, a
`LeaseKeeper` thread renews the lease every third of its length, and every chunk the run
records is fenced: the transaction that writes the chunk's credentials and row results
counts them only `WHERE lease_owner = <this run>`, and rolls back when another run took the
job over (the lease expired, e.g. the process stalled). A process that dies (`kill -9`, a
power cut) stops renewing; once its lease expired, `interrupted_jobs` names the job and the
next run takes it on, skipping the rows already recorded (see bulk.py).
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from datetime import datetime, timedelta
from typing import ClassVar

from sqlalchemy import Connection, and_, delete, or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from issuer.models import BulkJob, BulkJobInput, utc_now

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # runs that may take a job on; a job that kills its process every time ends


class LeaseLost(Exception):
    """Another run holds the job now (or this one was asked to stop): stop, write nothing."""


def new_lease_token() -> str:
    """Names one run: the host and process (for the log) and a random part."""
    return f"{socket.gethostname()[:24]}-{os.getpid()}-{secrets.token_hex(8)}"


def claim(engine: Engine, job_id: str, token: str, seconds: int, *,
          now: datetime | None = None) -> bool:
    """Take the running job `job_id` for the run `token`, when no unexpired lease is held."""
    now = now or utc_now()
    with engine.begin() as connection:
        taken = connection.execute(
            update(BulkJob).where(col(BulkJob.id) == job_id, col(BulkJob.state) == "running",
                                  or_(col(BulkJob.lease_expires_at).is_(None),
                                      col(BulkJob.lease_expires_at) < now))
            .values(lease_owner=token, lease_expires_at=now + timedelta(seconds=seconds),
                    attempts=col(BulkJob.attempts) + 1))
        return bool(taken.rowcount)


def renew(engine: Engine, job_id: str, token: str, seconds: int) -> bool:
    """Extend the run's lease; False when the run no longer holds it."""
    with engine.begin() as connection:
        renewed = connection.execute(
            update(BulkJob).where(col(BulkJob.id) == job_id, col(BulkJob.lease_owner) == token,
                                  col(BulkJob.state) == "running")
            .values(lease_expires_at=utc_now() + timedelta(seconds=seconds)))
        return bool(renewed.rowcount)


def fence(connection: Connection, job_id: str, token: str) -> None:
    """In a transaction that records work of the run: LeaseLost (rolling it back) when the
    run no longer holds the job. The UPDATE also locks the job's row until the commit, so
    a takeover waits for this transaction and then sees what it recorded."""
    held = connection.execute(
        update(BulkJob).where(col(BulkJob.id) == job_id, col(BulkJob.lease_owner) == token,
                              col(BulkJob.state) == "running")
        .values(lease_owner=token))
    if not held.rowcount:
        raise LeaseLost(f"bulk job {job_id} is no longer held by this run")


def end(engine: Engine, job_id: str, token: str, state: str, message: str | None) -> bool:
    """The run ends the job (`finished` or `failed`) and drops its stored CSV; False when the
    run no longer held it (then another run goes on with it)."""
    with engine.begin() as connection:
        ended = connection.execute(
            update(BulkJob).where(col(BulkJob.id) == job_id, col(BulkJob.lease_owner) == token,
                                  col(BulkJob.state) == "running")
            .values(state=state, message=message, finished_at=utc_now(), lease_owner=None,
                    lease_expires_at=None))
        if not ended.rowcount:
            return False
        connection.execute(delete(BulkJobInput).where(col(BulkJobInput.job_id) == job_id))
        return True


def release(engine: Engine, job_id: str, token: str) -> None:
    """Let go of a job that is not done (this process stops): any run may take it at once."""
    with engine.begin() as connection:
        connection.execute(
            update(BulkJob).where(col(BulkJob.id) == job_id, col(BulkJob.lease_owner) == token)
            .values(lease_owner=None, lease_expires_at=utc_now()))


def interrupted_jobs(engine: Engine, seconds: int, *, now: datetime | None = None) -> list[str]:
    """Running jobs nobody works on: their lease expired, or nobody took them within a lease
    period of their creation (the process that made them died first). Oldest first."""
    now = now or utc_now()
    with Session(engine) as session:
        return list(session.exec(
            select(BulkJob.id).where(
                col(BulkJob.state) == "running",
                or_(col(BulkJob.lease_expires_at) < now,
                    and_(col(BulkJob.lease_expires_at).is_(None),
                         col(BulkJob.created_at) < now - timedelta(seconds=seconds))))
            .order_by(col(BulkJob.created_at))))


class LeaseKeeper:
    """Renews a run's lease in a background thread. `check()` raises LeaseLost once the lease
    is gone or `stop_requested` was set (this process is shutting down)."""

    running: ClassVar[set[LeaseKeeper]] = set()  # the runs of this process

    def __init__(self, engine: Engine, job_id: str, token: str, seconds: int) -> None:
        self.engine, self.job_id, self.token, self.seconds = engine, job_id, token, seconds
        self.lost = threading.Event()
        self.stop_requested = threading.Event()
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"lease-{job_id}",
                                        daemon=True)

    def start(self) -> LeaseKeeper:
        self._thread.start()
        LeaseKeeper.running.add(self)
        return self

    def check(self) -> None:
        if self.lost.is_set():
            raise LeaseLost(f"bulk job {self.job_id}: another run took it over")
        if self.stop_requested.is_set():
            raise LeaseLost(f"bulk job {self.job_id}: this process is stopping")

    def close(self) -> None:
        LeaseKeeper.running.discard(self)
        self._done.set()
        self._thread.join(timeout=self.seconds)

    def wait_closed(self, seconds: float) -> bool:
        """Wait until the run is over (its `close`)."""
        return self._done.wait(seconds)

    def _renew(self) -> None:
        while not self._done.wait(self.seconds / 3):
            try:
                if not renew(self.engine, self.job_id, self.token, self.seconds):
                    self.lost.set()
                    return
            except Exception:  # the database is away for a moment: try again next time
                log.warning("bulk job %s: could not renew the lease", self.job_id,
                            exc_info=True)


def stop_all_runs() -> None:
    """This process is stopping: each of its runs stops after its current chunk and lets go
    of its job, which the next start (or another instance) resumes at once."""
    for keeper in list(LeaseKeeper.running):
        keeper.stop_requested.set()

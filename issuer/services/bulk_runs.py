"""Bulk jobs in the background of the issuer service: started on upload, resumed when a run
was interrupted, let go of when the service stops.

`JobWatcher` runs while the service does: at start and then every half lease period it
looks for interrupted jobs (bulk_lease.interrupted_jobs: a lease that expired, because the
process that held it died) and resumes each in a thread. Several instances on one database
may all watch; `claim` gives each job to exactly one of them.
"""

from __future__ import annotations

import logging
import threading

from sqlmodel import Session

from issuer.models import BulkJob, Organisation
from issuer.services.bulk import create_bulk_job, run_bulk_job
from issuer.services.bulk_lease import LeaseKeeper, interrupted_jobs, stop_all_runs
from issuer.services.context import IssuerContext
from servicekit.errors import Conflict

log = logging.getLogger(__name__)


def start_bulk_job(ctx: IssuerContext, org: Organisation, achievement_id: str, *,
                   filename: str, csv_bytes: bytes) -> BulkJob:
    """Create the job and run it in a background thread of this process; returns at once."""
    job = create_bulk_job(ctx, org, achievement_id, filename=filename, csv_bytes=csv_bytes)
    run_in_background(ctx, org, job.id, csv_bytes)
    return job


def run_in_background(ctx: IssuerContext, org: Organisation, job_id: str,
                      csv_bytes: bytes | None = None) -> threading.Thread:
    def run() -> None:
        try:
            run_bulk_job(ctx, org, job_id, csv_bytes)
        except Conflict as taken:  # another run got the job first: nothing to do here
            log.info("bulk job %s: %s", job_id, taken)
        except Exception:
            log.exception("bulk job %s could not run", job_id)

    thread = threading.Thread(target=run, name=f"bulk-{job_id}", daemon=True)
    thread.start()
    return thread


def resume_interrupted_jobs(ctx: IssuerContext) -> list[threading.Thread]:
    """Resume, each in a thread of its own, the jobs whose run was interrupted."""
    threads = []
    for job_id in interrupted_jobs(ctx.engine, ctx.settings.bulk_job_lease_seconds):
        with Session(ctx.engine) as session:
            job = session.get(BulkJob, job_id)
            org = session.get(Organisation, job.org_id) if job else None
        if org is not None:
            # A warning: the process that ran it stopped without finishing (a crash).
            log.warning("resuming interrupted bulk job %s", job_id)
            threads.append(run_in_background(ctx, org, job_id))
    return threads


class JobWatcher:
    """Resumes interrupted jobs while the service runs (started and stopped with the app)."""

    def __init__(self, ctx: IssuerContext) -> None:
        self.ctx = ctx
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="bulk-job-watcher",
                                        daemon=True)

    def start(self) -> JobWatcher:
        self._thread.start()
        return self

    def stop(self, wait_seconds: float = 10) -> None:
        """Stop watching; this process's runs stop after their current chunk and let go
        of their jobs (waiting up to `wait_seconds` for them)."""
        self._stop.set()
        stop_all_runs()
        self._thread.join(timeout=wait_seconds)
        for keeper in list(LeaseKeeper.running):
            keeper.wait_closed(wait_seconds)

    def _watch(self) -> None:
        period = self.ctx.settings.bulk_job_lease_seconds / 2
        while True:
            try:
                resume_interrupted_jobs(self.ctx)
            except Exception:  # the database is away for a moment: look again later
                log.warning("could not look for interrupted bulk jobs", exc_info=True)
            if self._stop.wait(period):
                return

"""Bulk issue: one achievement to every recipient of a CSV, as a job with a result per row.

A job (`run_bulk_job`) reads the CSV one chunk of rows at a time. For each chunk this process
checks the rows, looks up which were issued before (a row's idempotency key is derived from
organisation, achievement, recipient and `reference`) and allocates status-list indexes for
the rest in one block. Building and signing (pure-Python JSON-LD and RDFC, the expensive
part) runs in worker processes, one per core. Each chunk's credentials, status entries, row
results and job counters are then written in ONE transaction: a crash leaves whole chunks
done or not done. The CSV is kept with the job while it runs, and each run holds a lease on
the job (bulk_lease.py): when the process dies mid-job, the job is resumed, by this instance
at its next start or by another one, and goes on with the rows that have no result yet, so
every row is issued exactly once. Two runs of one CSV at once (two jobs) cannot issue twice
either: the unique (organisation, idempotency key) constraint refuses the second insert, and
that row becomes `already_issued`.
"""

from __future__ import annotations

import logging
import uuid
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from sqlalchemy import Connection, insert, text
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from issuer.models import (
    BulkJob,
    BulkJobInput,
    BulkRow,
    IssuedCredential,
    Organisation,
    StatusEntry,
    new_id,
    utc_now,
)
from issuer.services.achievements import achievement_json, get_achievement
from issuer.services.bulk_csv import (
    BadRow,
    RecipientRow,
    ResultRules,
    checked_rows,
    count_rows,
    read_layout,
)
from issuer.services.bulk_lease import (
    MAX_ATTEMPTS,
    LeaseKeeper,
    LeaseLost,
    claim,
    end,
    fence,
    new_lease_token,
    release,
)
from issuer.services.bulk_signing import (
    Signed,
    Signer,
    SigningTemplate,
    SignTask,
    default_workers,
)
from issuer.services.context import IssuerContext
from issuer.services.issuing import idempotency_key_for
from issuer.services.keys import active_key_row, signing_key_for
from issuer.services.organisations import profile_json, profile_of
from issuer.services.status import AllocatedIndex, allocate_indexes, status_entry_json
from servicekit.errors import Conflict, NotFound, ServiceError
from standards.errors import StandardsError

log = logging.getLogger(__name__)

CHUNK_ROWS = 100  # rows per worker task and per database transaction
STATUS_PURPOSE = "revocation"
ProgressCallback = Callable[[int, int], None]


# --- jobs ----------------------------------------------------------------------------------
def create_bulk_job(ctx: IssuerContext, org: Organisation, achievement_id: str, *,
                    filename: str, csv_bytes: bytes) -> BulkJob:
    """Check the header and count the rows (refusing the whole file when either is wrong),
    then record the job. Nothing is issued yet."""
    with Session(ctx.engine) as session:
        get_achievement(session, org, achievement_id)  # 404 before reading a large file
    total = count_rows(csv_bytes, read_layout(csv_bytes))
    job = BulkJob(org_id=org.id, achievement_id=achievement_id, filename=filename[:300],
                  total=total)
    with Session(ctx.engine, expire_on_commit=False) as session:
        session.add(job)
        session.flush()
        session.add(BulkJobInput(job_id=job.id, csv=csv_bytes))
        session.commit()
    return job


def run_bulk_job(ctx: IssuerContext, org: Organisation, job_id: str,
                 csv_bytes: bytes | None = None, progress: ProgressCallback | None = None, *,
                 workers: int | None = None) -> BulkJob:
    """Issue every row of the job's CSV that has no result yet, synchronously (a new job
    from its first row; an interrupted one from where it stopped); `progress(done, total)`
    after each chunk. `csv_bytes`: the job's CSV, read from the database when not given.
    `workers`: signing processes (0 signs in this process; default one per core for large
    jobs). Conflict when the job has ended or another run holds it. An unexpected failure
    leaves the job in state `failed` with the reason."""
    with Session(ctx.engine) as session:
        get_job(session, org, job_id)  # another organisation's job: NotFound, untouched
    lease_seconds = ctx.settings.bulk_job_lease_seconds
    token = new_lease_token()
    if not claim(ctx.engine, job_id, token, lease_seconds):
        raise Conflict("this job is not waiting to run: it has ended (upload the CSV again to "
                       "complete it; rows issued before come back as already issued), or "
                       "another run is working on it")
    keeper = LeaseKeeper(ctx.engine, job_id, token, lease_seconds).start()
    try:
        _run_claimed(ctx, org, job_id, csv_bytes, progress, workers, keeper)
    finally:
        keeper.close()
    with Session(ctx.engine, expire_on_commit=False) as session:
        return get_job(session, org, job_id)


def _run_claimed(ctx: IssuerContext, org: Organisation, job_id: str, csv_bytes: bytes | None,
                 progress: ProgressCallback | None, workers: int | None,
                 keeper: LeaseKeeper) -> None:
    token = keeper.token
    try:
        with Session(ctx.engine) as session:
            job = get_job(session, org, job_id)
            stored = session.get(BulkJobInput, job_id)
            data = csv_bytes if csv_bytes is not None else stored.csv if stored else None
            plan = _plan(ctx, session, org, job, token) if data is not None else None
            recorded = _recorded_rows(session, job_id)
        if data is None or plan is None:
            end(ctx.engine, job_id, token, "failed", "the job was interrupted and its file "
                "was not kept (it was started by an older version); upload the CSV again: "
                "rows issued before come back as already issued")
            return
        if job.attempts > MAX_ATTEMPTS:
            end(ctx.engine, job_id, token, "failed", f"the job was interrupted {MAX_ATTEMPTS} "
                "times (the service stopped while it ran). Rows recorded so far stay "
                "recorded; upload the same CSV again to complete it.")
            return
        layout = read_layout(data)
        workers = default_workers(job.total) if workers is None else workers
        # Small jobs in smaller chunks, so that every worker gets some.
        size = max(5, min(CHUNK_ROWS, job.total // (4 * max(1, workers))))
        signer = Signer(plan.template, workers)
        try:
            rows = (row for row in checked_rows(data, layout, plan.rules,
                                                valid_days=plan.valid_days)
                    if row.row_number not in recorded)
            _run_chunks(ctx, plan, _chunks(rows, size), signer, progress, keeper, job.done)
        finally:
            signer.close()
        end(ctx.engine, job_id, token, "finished", None)
    except LeaseLost as lost:
        log.info("%s; this run stops", lost)
        release(ctx.engine, job_id, token)
    except Exception as error:
        log.exception("bulk job %s stopped", job_id)
        reason = str(error) if isinstance(error, ServiceError | StandardsError) else \
            "an internal error (see the service log)"
        end(ctx.engine, job_id, token, "failed", f"the job stopped: {reason}. Rows recorded "
            "so far stay recorded; running the same CSV again completes the job."[:2000])


def get_job(session: Session, org: Organisation, job_id: str) -> BulkJob:
    job = session.get(BulkJob, job_id)
    if job is None or job.org_id != org.id:
        raise NotFound(f"no bulk job {job_id} in this organisation")
    return job


def list_jobs(session: Session, org: Organisation, *, achievement_id: str | None = None,
              limit: int = 50) -> list[BulkJob]:
    """The organisation's jobs, newest first."""
    query = select(BulkJob).where(BulkJob.org_id == org.id)
    if achievement_id:
        query = query.where(BulkJob.achievement_id == achievement_id)
    newest_first = BulkJob.created_at.desc()  # type: ignore[attr-defined]
    return list(session.exec(query.order_by(newest_first).limit(limit)))


def job_rows(session: Session, org: Organisation, job_id: str, *, outcome: str | None = None,
             offset: int = 0, limit: int | None = None) -> list[BulkRow]:
    """The job's row results in row order (optionally one outcome only, or one page)."""
    get_job(session, org, job_id)
    query = select(BulkRow).where(BulkRow.job_id == job_id)
    if outcome:
        query = query.where(BulkRow.outcome == outcome)
    query = query.order_by(BulkRow.row_number).offset(offset)  # type: ignore[arg-type]
    return list(session.exec(query.limit(limit) if limit is not None else query))


# --- the pipeline --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Plan:
    """What does not change from row to row, worked out once per job."""

    job_id: str
    org_id: str
    total: int
    achievement_id: str
    achievement_name: str
    valid_days: int | None
    profile_id: str
    signing_key_id: str
    rules: ResultRules
    template: SigningTemplate
    lease: str  # the run's lease token (bulk_lease.py)


@dataclass(frozen=True)
class _Outcome:
    row_number: int
    recipient: str
    outcome: str  # issued | already_issued | error
    message: str | None = None
    credential_id: str | None = None


@dataclass(frozen=True)
class _Pending:
    """A row sent to sign, with what recording it needs."""

    row: RecipientRow
    key: str  # idempotency key
    slot: AllocatedIndex
    credential_id: str


@dataclass
class _Chunk:
    outcomes: list[_Outcome] = field(default_factory=list)  # known before signing
    pending: dict[int, _Pending] = field(default_factory=dict)  # by row number
    tasks: list[SignTask] = field(default_factory=list)


def _plan(ctx: IssuerContext, session: Session, org: Organisation, job: BulkJob,
          lease: str) -> _Plan:
    achievement = get_achievement(session, org, job.achievement_id)
    document = achievement_json(ctx, session, achievement)
    profile = profile_of(session, org, achievement.profile_id)
    issuer = profile_json(session, profile)
    key_row = active_key_row(session, profile.id)
    key = signing_key_for(ctx, key_row, profile.did)
    template = SigningTemplate(
        achievement=document, issuer=issuer, name=achievement.name,
        description=achievement.description, verification_method=key_row.verification_method,
        controller=profile.did, public_multibase=key_row.public_multibase,
        secret_multibase=key.secret_key_multibase())
    return _Plan(job.id, org.id, job.total, achievement.id, achievement.name,
                 achievement.valid_days, profile.id, key_row.id, ResultRules.of(document),
                 template, lease)


def _recorded_rows(session: Session, job_id: str, among: list[int] | None = None) -> set[int]:
    """The job's rows that have a result (all, or those of `among`)."""
    query = select(BulkRow.row_number).where(BulkRow.job_id == job_id)
    if among is not None:
        query = query.where(col(BulkRow.row_number).in_(among))
    return set(session.exec(query))


def _chunks(rows: Iterator[RecipientRow | BadRow], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


def _run_chunks(ctx: IssuerContext, plan: _Plan, chunks: Iterator[list[RecipientRow | BadRow]],
                signer: Signer, progress: ProgressCallback | None, keeper: LeaseKeeper,
                done: int) -> None:
    """`done`: rows recorded by earlier runs of the job."""
    # A bounded number of chunks in flight: memory stays flat however long the file is.
    in_flight = 2 * signer.workers
    pending: deque[tuple[_Chunk, Future[list[Signed]]]] = deque()
    for rows in chunks:
        keeper.check()
        chunk = _prepare(ctx, plan, rows)
        pending.append((chunk, signer.submit(chunk.tasks)))
        while pending and (len(pending) > in_flight or pending[0][1].done()):
            done += _write_chunk(ctx, plan, *pending.popleft())
            if progress is not None:
                progress(done, plan.total)
    while pending:
        done += _write_chunk(ctx, plan, *pending.popleft())
        if progress is not None:
            progress(done, plan.total)


def _prepare(ctx: IssuerContext, plan: _Plan, rows: list[RecipientRow | BadRow]) -> _Chunk:
    """Find the chunk's rows issued before, allocate status indexes for the rest."""
    chunk = _Chunk(outcomes=[_Outcome(row.row_number, row.recipient, "error", row.message)
                             for row in rows if isinstance(row, BadRow)])
    keyed = [(row, idempotency_key_for(plan.org_id, plan.achievement_id, row.recipient,
                                       row.reference))
             for row in rows if isinstance(row, RecipientRow)]
    earlier = _earlier(ctx, plan.org_id, [key for _row, key in keyed])
    new = []
    for row, key in keyed:
        if key in earlier:
            chunk.outcomes.append(_already_issued(row.row_number, row.recipient, earlier[key]))
        else:
            new.append((row, key))
    slots = allocate_indexes(ctx, plan.profile_id, STATUS_PURPOSE, len(new)) if new else []
    for (row, key), slot in zip(new, slots, strict=True):
        pending = _Pending(row, key, slot, f"urn:uuid:{uuid.uuid4()}")
        chunk.pending[row.row_number] = pending
        chunk.tasks.append(SignTask(
            row.row_number, pending.credential_id, row.recipient, row.kind, row.evidence,
            row.results, row.valid_from, row.valid_until, status_entry_json(ctx.public_url, slot)))
    return chunk


def _earlier(ctx: IssuerContext, org_id: str, keys: list[str]) -> dict[str, str]:
    """Idempotency key -> credential id, for those of `keys` issued before."""
    if not keys:
        return {}
    with Session(ctx.engine) as session:
        found = session.exec(select(IssuedCredential.idempotency_key,
                                    IssuedCredential.credential_id).where(
            IssuedCredential.org_id == org_id,
            IssuedCredential.idempotency_key.in_(keys)))  # type: ignore[union-attr]
        return {key: credential_id for key, credential_id in found if key}


def _already_issued(number: int, recipient: str, credential_id: str) -> _Outcome:
    return _Outcome(number, recipient, "already_issued",
                    "issued before (same recipient, achievement and reference)", credential_id)


def _write_chunk(ctx: IssuerContext, plan: _Plan, chunk: _Chunk,
                 future: Future[list[Signed]]) -> int:
    """Record a signed chunk: credentials, status entries, row results and counters."""
    results = future.result()
    outcomes = chunk.outcomes + [
        _Outcome(s.row_number, chunk.pending[s.row_number].row.recipient, "error", s.error)
        for s in results if s.document is None]
    signed = [(chunk.pending[s.row_number], s.document) for s in results
              if s.document is not None]
    try:
        with ctx.engine.begin() as connection:
            fence(connection, plan.job_id, plan.lease)
            issued = _insert_credentials(connection, plan, signed)
            _insert_outcomes(connection, plan.job_id, outcomes + issued)
    except IntegrityError:
        # Another run of the same CSV recorded some of these rows first, or the file names
        # one recipient twice: record the credentials one at a time to find out which.
        # (Rows this job recorded meanwhile, in a run that took it over, stay as they are.
        # Should this run lose the job between a credential and the results, the credential
        # stays recorded once: the run that took over finds it by its idempotency key.)
        with Session(ctx.engine) as session:
            taken = _recorded_rows(session, plan.job_id, [o.row_number for o in outcomes] +
                                   [pending.row.row_number for pending, _ in signed])
        outcomes = [o for o in outcomes if o.row_number not in taken]
        signed = [(p, document) for p, document in signed if p.row.row_number not in taken]
        issued = []
        for pending, document in signed:
            try:
                with ctx.engine.begin() as connection:
                    fence(connection, plan.job_id, plan.lease)
                    issued += _insert_credentials(connection, plan, [(pending, document)])
            except IntegrityError:
                issued.append(_conflict(ctx, plan, pending))
        with ctx.engine.begin() as connection:
            fence(connection, plan.job_id, plan.lease)
            _insert_outcomes(connection, plan.job_id, outcomes + issued)
    return len(outcomes) + len(signed)


def _insert_credentials(connection: Connection, plan: _Plan,
                        signed: list[tuple[_Pending, str]]) -> list[_Outcome]:
    # Core inserts, not ORM objects: building SQLModel instances cost more than signing.
    if not signed:
        return []
    now = utc_now()
    records = [dict(
        id=new_id(), credential_id=p.credential_id, org_id=plan.org_id,
        profile_id=plan.profile_id, achievement_id=plan.achievement_id,
        achievement_ref=plan.template.achievement["id"], achievement_name=plan.achievement_name,
        recipient=p.row.recipient, recipient_kind=p.row.kind, recipient_name=p.row.name,
        format="ldp_vc", document=document, signing_key_id=plan.signing_key_id,
        issued_at=now, valid_until=p.row.valid_until, revoked=False, suspended=False,
        idempotency_key=p.key, bulk_job_id=plan.job_id) for p, document in signed]
    connection.execute(insert(IssuedCredential.__table__), records)  # type: ignore[attr-defined]
    connection.execute(insert(StatusEntry.__table__), [  # type: ignore[attr-defined]
        dict(status_list_id=p.slot.status_list_id, list_index=p.slot.index,
             issued_credential_id=record["id"], value=0, updated_at=now)
        for (p, _document), record in zip(signed, records, strict=True)])
    return [_Outcome(p.row.row_number, p.row.recipient, "issued", credential_id=p.credential_id)
            for p, _document in signed]


def _conflict(ctx: IssuerContext, plan: _Plan, pending: _Pending) -> _Outcome:
    row = pending.row
    earlier = _earlier(ctx, plan.org_id, [pending.key])
    if not earlier:
        return _Outcome(row.row_number, row.recipient, "error",
                        "could not record the credential: it conflicts with another record")
    return _already_issued(row.row_number, row.recipient, earlier[pending.key])


def _insert_outcomes(connection: Connection, job_id: str, outcomes: list[_Outcome]) -> None:
    connection.execute(insert(BulkRow.__table__), [  # type: ignore[attr-defined]
        dict(job_id=job_id, row_number=o.row_number, recipient=o.recipient, outcome=o.outcome,
             message=o.message, credential_id=o.credential_id) for o in outcomes])
    counts = {name: sum(1 for o in outcomes if o.outcome == name)
              for name in ("issued", "already_issued", "error")}
    # Increments in SQL, so concurrent writers never overwrite each other's counts.
    connection.execute(text(
        "UPDATE bulkjob SET done = done + :done, issued = issued + :issued, "
        "skipped = skipped + :skipped, failed = failed + :failed WHERE id = :id"),
        {"done": len(outcomes), "issued": counts["issued"],
         "skipped": counts["already_issued"], "failed": counts["error"], "id": job_id})

"""Signing for bulk issue: building and signing credentials in worker processes.

JSON-LD expansion and RDFC canonicalisation are pure Python, so signing is CPU-bound and
runs in a pool of processes, one per core. Each worker gets the job's `SigningTemplate`
(achievement and issuer JSON, key) once, then lists of `SignTask`s, and returns the signed
documents as JSON text; it never touches the database. This module imports the standards
core only, so that a worker process starts in well under a second.
"""

from __future__ import annotations

import json
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from standards.data_integrity import sign_document
from standards.keys import KeyPair, key_pair_from_multikey
from standards.ob3 import Evidence, Result, build_achievement_credential, hashed_email_identity
from standards.ob3.schema import definition_uri, ensure_conforms

POOL_MIN_ROWS = 200  # below this, starting worker processes costs more than it saves
STAND_IN = ("id", "type", "name", "description", "criteria")  # required by the schema


@dataclass(frozen=True)
class SigningTemplate:
    """What every credential of one job shares; sent once to each worker process."""

    achievement: dict[str, Any]
    issuer: dict[str, Any]
    name: str
    description: str
    verification_method: str
    controller: str
    public_multibase: str
    secret_multibase: str = field(repr=False)  # only in this process and its own workers

    def __post_init__(self) -> None:
        # The parts every credential of the job shares, checked once (see `build_and_sign`).
        # (Not run again in the workers: unpickling does not call it.)
        ensure_conforms(self.achievement, definition_uri("Achievement"), "the achievement")
        ensure_conforms(self.issuer, definition_uri("ProfileRef"), "the issuer profile")

    @property
    def achievement_stand_in(self) -> dict[str, Any]:
        """The achievement's required properties only (see `build_and_sign`)."""
        return {name: self.achievement[name] for name in STAND_IN}

    def key(self) -> KeyPair:
        pair = key_pair_from_multikey(self.public_multibase, self.secret_multibase)
        return KeyPair(pair.key_type, pair.public_key, pair.private_key,
                       id=self.verification_method, controller=self.controller)


@dataclass(frozen=True)
class SignTask:
    """One row to issue, checked and with its status entry allocated (see bulk.py)."""

    row_number: int
    credential_id: str
    recipient: str  # normalised e-mail address or DID
    kind: str  # "email" | "did"
    evidence: tuple[Evidence, ...]
    results: tuple[Result, ...]
    valid_from: datetime
    valid_until: datetime | None
    credential_status: dict[str, Any]


@dataclass(frozen=True)
class Signed:
    row_number: int
    document: str | None  # the signed credential (JSON text); None with `error`
    error: str | None = None


def build_and_sign(template: SigningTemplate, key: KeyPair, task: SignTask) -> str:
    """The bulk variant of `issue_achievement`'s build-and-sign step, with the achievement and
    issuer JSON and the status entry prepared by the job. Returns the signed JSON text.

    The OB 3.0 schema checks `issuer` and `credentialSubject.achievement` through a $ref
    alone; no keyword relates them to their siblings. So the credential passes the schema
    exactly when it passes with small stand-ins there and the real parts pass their own
    definitions. Each row is checked with the stand-ins (a fifth of the cost: schema checks
    were as costly as signing); the real parts are checked once, in __post_init__.
    """
    # The AchievementSubject as `build_achievement_subject` makes it, without its own schema
    # check: the credential's check below covers the subject, and checks cost time here.
    subject: dict[str, Any] = {"id": task.recipient} if task.kind == "did" else {}
    subject["type"] = ["AchievementSubject"]
    if task.kind == "email":
        subject["identifier"] = [hashed_email_identity(task.recipient)]
    subject["achievement"] = template.achievement_stand_in
    if task.results:
        subject["result"] = [result.to_json() for result in task.results]
    credential = build_achievement_credential(
        id=task.credential_id, issuer=template.issuer["id"], subject=subject,
        name=template.name, description=template.description, valid_from=task.valid_from,
        valid_until=task.valid_until, awarded_date=task.valid_from, evidence=task.evidence,
        credential_status=task.credential_status,
    )
    credential["issuer"] = template.issuer
    credential["credentialSubject"]["achievement"] = template.achievement
    return json.dumps(sign_document(credential, key), ensure_ascii=False)


def sign_tasks(template: SigningTemplate, key: KeyPair, tasks: list[SignTask]) -> list[Signed]:
    signed = []
    for task in tasks:
        try:
            signed.append(Signed(task.row_number, build_and_sign(template, key, task)))
        except Exception as error:  # a bad row must never stop the others
            signed.append(Signed(task.row_number, None, f"cannot issue: {error}"[:1000]))
    return signed


_worker: tuple[SigningTemplate, KeyPair] | None = None  # set in each worker process


def _init_worker(template: SigningTemplate) -> None:
    global _worker
    _worker = (template, template.key())
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_with_parent, args=(parent.sentinel,),
                         name="exit-with-parent", daemon=True).start()


def _exit_with_parent(parent_sentinel: int) -> None:
    # When the service process dies without shutting the pool down (kill -9), nothing else
    # would end this worker: it would wait for tasks for ever.
    multiprocessing.connection.wait([parent_sentinel])
    os._exit(1)


def _sign_in_worker(tasks: list[SignTask]) -> list[Signed]:
    if _worker is None:
        raise RuntimeError("_init_worker has not run in this signing process")
    return sign_tasks(_worker[0], _worker[1], tasks)


def default_workers(total: int) -> int:
    """Signing processes for a job of `total` rows: one per core, none for small jobs."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else \
        os.cpu_count() or 1
    return cores if total >= POOL_MIN_ROWS and cores > 1 else 0


class Signer:
    """Signs lists of tasks in `workers` processes, or in this process when `workers` is 0."""

    def __init__(self, template: SigningTemplate, workers: int) -> None:
        self.template = template
        self.workers = workers
        self._key = template.key() if workers == 0 else None
        self._pool: Executor | None = ProcessPoolExecutor(
            max_workers=workers, initializer=_init_worker, initargs=(template,),
            # spawn, not fork: the service process has threads, and forking a threaded
            # process can copy a lock another thread holds into the child.
            mp_context=multiprocessing.get_context("spawn")) if workers else None

    def submit(self, tasks: list[SignTask]) -> Future[list[Signed]]:
        if self._pool is not None:
            return self._pool.submit(_sign_in_worker, tasks)
        if self._key is None:
            raise RuntimeError("a signer without worker processes holds its key")
        future: Future[list[Signed]] = Future()
        future.set_result(sign_tasks(self.template, self._key, tasks))
        return future

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)

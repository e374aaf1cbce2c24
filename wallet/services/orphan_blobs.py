"""Removing evidence files no evidence row refers to: what a crash between placing a blob and
committing its row leaves (an upload, or an archive import, which places every file before it
commits all rows at the end). `sweep_orphan_blobs` runs when the wallet starts.

The rule: a blob goes when no evidence row (of any owner) refers to its digest AND it was
placed more than `orphan_blob_grace_seconds` ago (its file's modification time, against the
context's clock). The grace is there because the store may be shared by several instances:
one of them may just have placed a blob whose row it has not committed yet, and an import
places its first file long before its commit (it reads the whole archive and checks every
credential first). So the grace must be longer than the longest import, plus any difference
between the clocks of the instances and the file server; the default, a day, is far more. A
blob placed again meanwhile (the same bytes, uploaded or imported again) is new and stays
(`EvidenceStore.remove_orphan`).

Safeguard: when no evidence row at all refers to a file, nothing is removed. A wallet started
with an existing data directory but a new or wrong database (a mistyped database URL) would
otherwise delete every evidence file it has; a warning says so instead.

Cheap at every start: the files are listed and stat'ed (no reading), and their digests are
looked up in the database in batches.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from datetime import timedelta
from itertools import islice

from sqlmodel import Session, col, select

from wallet.evidence_store import PlacedBlob, evidence_store
from wallet.models import Evidence
from wallet.services.context import WalletContext

log = logging.getLogger(__name__)
BATCH = 500  # digests per database query


def sweep_orphan_blobs(ctx: WalletContext, *, batch: int = BATCH) -> int:
    """Remove the blobs no evidence row refers to that are older than the grace; returns
    how many went."""
    store = evidence_store(ctx.settings.evidence_dir)
    cutoff = ctx.now() - timedelta(seconds=ctx.settings.orphan_blob_grace_seconds)
    removed = skipped = failed = 0
    error: OSError | None = None
    with Session(ctx.engine) as session:
        any_row_has_a_file = session.exec(
            select(Evidence.id).where(Evidence.sha256 != "").limit(1)).first() is not None
        for blobs in _batches(store.blobs_placed_before(cutoff), batch):
            digests = [blob.sha256 for blob in blobs]
            used = set(session.exec(select(Evidence.sha256).where(
                col(Evidence.sha256).in_(digests))))
            # Each batch in a transaction of its own: it sees the rows committed by now, and
            # none stays open while files are removed.
            session.rollback()
            for blob in blobs:
                if blob.sha256 in used:
                    continue
                if not any_row_has_a_file:
                    skipped += 1
                    continue
                try:
                    if store.remove_orphan(blob):
                        removed += 1
                except OSError as problem:  # housekeeping: the wallet starts all the same
                    failed, error = failed + 1, problem
    if skipped:
        log.warning("%d evidence file(s) in %s, and no evidence row in the database refers "
                    "to any file: is this the right database? Nothing removed.", skipped,
                    store.blobs_dir)
    if failed:
        log.warning("could not remove %d evidence file(s) no evidence refers to (%s)",
                    failed, error)
    if removed:
        log.warning("removed %d evidence file(s) no evidence refers to, placed before %s "
                    "(left by an upload or import that was interrupted)", removed,
                    cutoff.isoformat(timespec="seconds"))
    elif not (skipped or failed):
        log.info("no evidence files to remove")
    return removed


def _batches(blobs: Iterable[PlacedBlob], size: int) -> Iterator[list[PlacedBlob]]:
    found = iter(blobs)
    while chunk := list(islice(found, size)):
        yield chunk

"""The content-addressed evidence store: every file once, at `blobs/ab/abcdef...` (its SHA-256
in hex) under the store root (`ctx.settings.evidence_dir`).

Bytes arrive through a `BlobWriter`: it writes into this process's scratch directory under
`tmp/` (servicekit.scratch) while counting the size and computing the SHA-256, and only
`finish()` moves the file into place (an atomic rename on the same file system). Whatever
does not finish, by an exception, a refusal or a client that went away, leaves nothing: the
temporary file is deleted on the way out. A crash of the whole process can still leave a
temporary file; `sweep_temp()`, run when the service starts, removes what processes that
ended left, and nothing of a process still running.

Many evidence rows (of any owner) may point at one blob; a blob is removed only when no row
refers to it any more (`delete_if_unused`).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from sqlmodel import Session, select

from servicekit.scratch import scratch_area
from wallet.models import Evidence

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
TEMP_PREFIX = "upload-"


class BlobTooLarge(Exception):
    """More bytes than the writer's `max_bytes`; the temporary file is gone."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(f"the file is larger than the limit of {max_bytes} bytes")
        self.max_bytes = max_bytes


class InvalidDigest(ValueError):
    """Not 64 lower-case hex digits: never turned into a path."""


@dataclass(frozen=True)
class Blob:
    sha256: str
    size: int
    path: Path


class BlobWriter:
    """Bytes on their way into the store. Use it as a context manager: leaving the block
    without `finish()` deletes what was written."""

    def __init__(self, store: EvidenceStore, max_bytes: int) -> None:
        self.store = store
        self.max_bytes = max_bytes
        self.size = 0
        self._hash = hashlib.sha256()
        handle, name = tempfile.mkstemp(prefix=TEMP_PREFIX, dir=store.tmp_dir)
        self.temp_path = Path(name)
        self._file: BinaryIO | None = os.fdopen(handle, "wb")
        self.blob: Blob | None = None

    def __enter__(self) -> BlobWriter:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        if self.blob is None:
            self.discard()

    def write(self, chunk: bytes) -> None:
        if self._file is None:
            raise RuntimeError("the blob writer is closed")
        if self.size + len(chunk) > self.max_bytes:
            self.discard()
            raise BlobTooLarge(self.max_bytes)
        self._file.write(chunk)
        self._hash.update(chunk)
        self.size += len(chunk)

    def finish(self) -> Blob:
        """Move the bytes into place under their digest and return where they are."""
        if self._file is None:
            raise RuntimeError("the blob writer is closed")
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        self._file = None
        sha256 = self._hash.hexdigest()
        target = self.store.path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Also when the blob is already there (the same file again, dedup): replacing it with
        # identical bytes is atomic and costs a rename, and it brings the blob back if a
        # deletion of the last other reference raced with this upload.
        os.replace(self.temp_path, target)
        self.blob = Blob(sha256, self.size, target)
        return self.blob

    def discard(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        self.temp_path.unlink(missing_ok=True)


class EvidenceStore:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.blobs_dir = self.root / "blobs"
        self.scratch = scratch_area(self.root / "tmp")
        self.blobs_dir.mkdir(parents=True, exist_ok=True)

    @property
    def tmp_dir(self) -> Path:
        """Where this process writes uploads on their way in."""
        return self.scratch.directory()

    def writer(self, max_bytes: int) -> BlobWriter:
        return BlobWriter(self, max_bytes)

    def path(self, sha256: str) -> Path:
        """Where the blob `sha256` lives; InvalidDigest for anything but 64 hex digits, so
        no text from outside becomes a path that leaves the store."""
        if not isinstance(sha256, str) or not _SHA256_HEX.fullmatch(sha256):
            raise InvalidDigest("not a SHA-256 digest in hex")
        return self.blobs_dir / sha256[:2] / sha256

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def delete_if_unused(self, session: Session, sha256: str) -> bool:
        """Remove the blob when no evidence row of any owner refers to it (the caller's
        deletion must be flushed in `session` or committed). True when it was removed."""
        if not sha256:
            return False
        still_used = session.exec(select(Evidence.id).where(Evidence.sha256 == sha256)).first()
        if still_used is not None:
            return False
        path = self.path(sha256)
        existed = path.is_file()
        path.unlink(missing_ok=True)
        return existed

    def sweep_temp(self) -> int:
        """Delete temporary files left by processes that ended; returns how many entries
        went (a live upload, in this process or another, is never touched)."""
        return self.scratch.sweep()


_stores: dict[Path, EvidenceStore] = {}


def evidence_store(root: Path) -> EvidenceStore:
    """The store at `root` (`ctx.settings.evidence_dir`), opened once per process."""
    key = Path(root).resolve()
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = EvidenceStore(key)
    return store

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

A blob is placed BEFORE the row that refers to it is committed (an upload, and an archive
import, which places every file and commits all rows at the end). A crash in between leaves
a blob no row refers to: `blobs_placed_before` and `remove_orphan` are how
`wallet.services.orphan_blobs` finds and removes those when the service starts.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import TracebackType
from typing import BinaryIO

from sqlmodel import Session, select

from servicekit.scratch import scratch_area
from wallet.models import Evidence

_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_PREFIX = re.compile(r"[0-9a-f]{2}")
TEMP_PREFIX = "upload-"
ORPHAN_PREFIX = "orphan-"


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


@dataclass(frozen=True)
class PlacedBlob:
    """A blob as the store found it: which file (device, inode) and when it was placed (its
    modification time, in ns: its last byte was written just before it moved into place)."""

    sha256: str
    device: int
    inode: int
    mtime_ns: int

    def same_file(self, stat: os.stat_result) -> bool:
        """Whether `stat` is of this very file (an inode number freed and taken again by a
        new file has another modification time)."""
        return (stat.st_dev, stat.st_ino, stat.st_mtime_ns) == (self.device, self.inode,
                                                                self.mtime_ns)


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

    def blobs_placed_before(self, cutoff: datetime) -> Iterator[PlacedBlob]:
        """Every blob placed before `cutoff`, by the modification time of its file. Only
        regular files at the place `path()` gives are blobs; anything else under `blobs/`
        (other names, links, folders) is not the store's and is neither followed nor
        listed."""
        limit = cutoff.timestamp()
        for prefix in _entries(self.blobs_dir):
            if not (_PREFIX.fullmatch(prefix.name) and prefix.is_dir(follow_symlinks=False)):
                continue
            for entry in _entries(Path(prefix.path)):
                if not (_SHA256_HEX.fullmatch(entry.name) and entry.name[:2] == prefix.name
                        and entry.is_file(follow_symlinks=False)):
                    continue
                try:
                    stat = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue  # removed meanwhile
                if stat.st_mtime < limit:
                    yield PlacedBlob(entry.name, stat.st_dev, stat.st_ino, stat.st_mtime_ns)

    def remove_orphan(self, blob: PlacedBlob) -> bool:
        """Remove `blob` (from `blobs_placed_before`), which no evidence row referred to
        when the caller looked, unless it was placed again since: an upload or import of the
        same bytes replaces the file (a new inode) before it commits its row. True when it
        was removed.

        The file is first moved aside (atomic): what was placed at its name meanwhile is
        then either the moved file, a new one (it goes back), or arrives after the move (it
        stays where it is). So a blob placed for a row is not lost to the sweep, unless this
        process dies in the instant between moving a new file aside and putting it back."""
        path = self.path(blob.sha256)
        aside = self.tmp_dir / f"{ORPHAN_PREFIX}{blob.sha256}"
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            return False  # gone already: deleted with its last row, or by another sweep
        if not blob.same_file(os.stat(aside)):
            # Placed again since it was found: back into place, unless it was placed once
            # more after the move (then the same bytes are there already).
            with contextlib.suppress(FileExistsError):
                os.link(aside, path)
            aside.unlink()
            return False
        aside.unlink()
        return True

    def sweep_temp(self) -> int:
        """Delete temporary files left by processes that ended; returns how many entries
        went (a live upload, in this process or another, is never touched)."""
        return self.scratch.sweep()


def _entries(directory: Path) -> list[os.DirEntry[str]]:
    """The entries of `directory`; none when it cannot be read (not a folder, no access)."""
    try:
        with os.scandir(directory) as entries:
            return list(entries)
    except OSError:
        return []


_stores: dict[Path, EvidenceStore] = {}


def evidence_store(root: Path) -> EvidenceStore:
    """The store at `root` (`ctx.settings.evidence_dir`), opened once per process."""
    key = Path(root).resolve()
    store = _stores.get(key)
    if store is None:
        store = _stores[key] = EvidenceStore(key)
    return store

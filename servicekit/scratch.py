"""Scratch directories for files on their way in or out (uploads, archives) that a crash
cannot leave behind for good.

Each process writes its temporary files into a directory of its own, `<root>/<area>/`, and
holds an exclusive lock (flock) on `<root>/<area>.lock` for as long as it lives. The kernel
drops the lock when the process ends, however it ends (`kill -9` included). `sweep()`, run
when a service starts, removes every area whose lock nobody holds, and any loose file: what
a process that died left. Processes still running on the same root (several instances on
shared storage) hold their locks, so their transfers in progress are left alone.
"""

from __future__ import annotations

import fcntl
import os
import secrets
import shutil
import socket
import threading
from pathlib import Path

LOCK_SUFFIX = ".lock"


class ScratchArea:
    """The scratch directories under `root`: this process's own, and the sweeping of the
    others'."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._guard = threading.Lock()
        self._own: tuple[int, Path, int] | None = None  # (process id, directory, lock's fd)

    def directory(self) -> Path:
        """This process's directory under `root` (made, and its lock taken, on first use;
        a forked child gets one of its own)."""
        with self._guard:
            if self._own is None or self._own[0] != os.getpid():
                self._own = (os.getpid(), *self._take())
            return self._own[1]

    def _take(self) -> tuple[Path, int]:
        self.root.mkdir(parents=True, exist_ok=True)
        while True:
            name = f"{socket.gethostname()[:40]}-{os.getpid()}-{secrets.token_hex(4)}"
            lock_path = self.root / f"{name}{LOCK_SUFFIX}"
            fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_RDWR, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
            # A sweep between the open and the lock may have removed the file (it was not
            # locked yet): then this lock guards nothing, and the next name is tried.
            try:
                kept = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                kept = False
            if kept:
                directory = self.root / name
                directory.mkdir()
                return directory, fd
            os.close(fd)

    def sweep(self) -> int:
        """Remove the areas of processes that ended and loose files; returns how many
        entries went. Never touches a live process's area (this one's included)."""
        if not self.root.is_dir():
            return 0
        own = self._own[1] if self._own is not None else None
        removed = 0
        for entry in list(self.root.iterdir()):
            if entry.name.endswith(LOCK_SUFFIX):
                area = entry.with_name(entry.name[:-len(LOCK_SUFFIX)])
                if area != own and _remove_if_unlocked(entry, area):
                    removed += 1
            elif not entry.exists() and not entry.is_symlink():
                continue  # an area that went with its lock above
            elif entry.is_dir() and not entry.is_symlink():
                # An area whose lock is gone (a sweep stopped half-way); a live process
                # makes its lock before its area, so this one is dead.
                if not entry.with_name(entry.name + LOCK_SUFFIX).exists() and entry != own:
                    shutil.rmtree(entry, ignore_errors=True)
                    removed += 1
            else:
                # No process of this version writes loose files here: older versions did.
                entry.unlink(missing_ok=True)
                removed += 1
        return removed


def _remove_if_unlocked(lock_path: Path, area: Path) -> bool:
    try:
        fd = os.open(lock_path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False  # its process is alive
        shutil.rmtree(area, ignore_errors=True)
        lock_path.unlink(missing_ok=True)
        return True
    finally:
        os.close(fd)


def files_in(root: Path) -> list[Path]:
    """The temporary files under `root`, in any area (the areas' locks not counted)."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*")
                  if path.is_file() and not (path.parent == root and
                                             path.name.endswith(LOCK_SUFFIX)))


_areas: dict[Path, ScratchArea] = {}
_areas_guard = threading.Lock()


def scratch_area(root: Path) -> ScratchArea:
    """The scratch area at `root`, one object per process (so one directory per process)."""
    key = Path(root).resolve()
    with _areas_guard:
        area = _areas.get(key)
        if area is None:
            area = _areas[key] = ScratchArea(key)
        return area

"""The content-addressed evidence store on a real directory: digests while writing, atomic
finish with dedup, nothing left by a writer that does not finish, no paths from outside,
sweeping crash leftovers. (The rest of the store is used through the service in
test_wallet_evidence.py.)"""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from servicekit.scratch import files_in
from tests.service_process import REPO
from wallet.evidence_store import BlobTooLarge, EvidenceStore, InvalidDigest


def test_writer_digest_finish_and_dedup(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    content = b"x" * 100_000 + b"end"
    with store.writer(1_000_000) as writer:
        for start in range(0, len(content), 4096):
            writer.write(content[start:start + 4096])
        blob = writer.finish()
    sha256 = hashlib.sha256(content).hexdigest()
    assert blob.sha256 == sha256 and blob.size == len(content)
    assert blob.path == tmp_path / "blobs" / sha256[:2] / sha256
    assert store.exists(sha256) and store.open(sha256).read() == content
    with store.writer(1_000_000) as again:
        again.write(content)
        assert again.finish().path == blob.path
    assert files_in(tmp_path / "tmp") == []
    assert len(list((tmp_path / "blobs").rglob("*"))) == 2  # one folder, one blob


def test_unfinished_or_failed_writers_leave_nothing(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    with store.writer(10) as writer:
        writer.write(b"half")
    with pytest.raises(RuntimeError), store.writer(10) as writer:
        writer.write(b"half")
        raise RuntimeError("client went away")
    with pytest.raises(BlobTooLarge, match="larger than the limit of 10 bytes"), \
            store.writer(10) as writer:
        writer.write(b"123456")
        writer.write(b"789012")
    assert files_in(tmp_path / "tmp") == []
    assert list((tmp_path / "blobs").iterdir()) == []


@pytest.mark.parametrize("digest", ["../../etc/passwd", "a" * 63, "A" * 64, "g" * 64,
                                    "a" * 64 + "/x", "", "a" * 64 + "\n"])
def test_no_path_tricks(tmp_path: Path, digest: str) -> None:
    with pytest.raises(InvalidDigest):
        EvidenceStore(tmp_path).path(digest)


def hold_an_area(root: Path) -> subprocess.Popen[str]:
    """Another process (another instance) with an upload under way in its scratch area."""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys; from servicekit.scratch import ScratchArea; "
         "d = ScratchArea(sys.argv[1]).directory(); (d / 'upload-live').write_bytes(b'x'); "
         "print(d, flush=True); sys.stdin.read()", str(root)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=REPO)
    assert holder.stdout is not None and holder.stdout.readline()
    return holder


def test_sweep_removes_what_ended_processes_left(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    root = tmp_path / "tmp"
    live = store.writer(100)
    live.write(b"still coming")
    # what a process that died left: its area (its lock file, unlocked now) and a loose
    # file of an older version
    dead = root / "elsewhere-4242-0badc0de"
    dead.mkdir()
    (dead / "upload-crashed").write_bytes(b"left by a crash")
    (root / "elsewhere-4242-0badc0de.lock").touch()
    (root / "upload-older").write_bytes(b"left by an older version")
    other = hold_an_area(root)
    try:
        assert store.sweep_temp() == 2
        assert files_in(root) == sorted([live.temp_path, *(
            path for path in root.rglob("upload-live"))])
        live.discard()
        other.kill()  # as kill -9 does: the kernel drops its lock
        other.wait()
        assert store.sweep_temp() == 1
        assert files_in(root) == []
    finally:
        other.kill()
        other.wait()
    # this process's own area stays, ready for the next upload
    assert store.tmp_dir.is_dir()

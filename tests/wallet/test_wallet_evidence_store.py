"""The content-addressed evidence store on a real directory: digests while writing, atomic
finish with dedup, nothing left by a writer that does not finish, no paths from outside,
sweeping crash leftovers. (The rest of the store is used through the service in
test_wallet_evidence.py.)"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

import pytest

from wallet.evidence_store import BlobTooLarge, EvidenceStore, InvalidDigest, evidence_store


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
    assert list((tmp_path / "tmp").iterdir()) == []
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
    assert list((tmp_path / "tmp").iterdir()) == []
    assert list((tmp_path / "blobs").iterdir()) == []


@pytest.mark.parametrize("digest", ["../../etc/passwd", "a" * 63, "A" * 64, "g" * 64,
                                    "a" * 64 + "/x", "", "a" * 64 + "\n"])
def test_no_path_tricks(tmp_path: Path, digest: str) -> None:
    with pytest.raises(InvalidDigest):
        EvidenceStore(tmp_path).path(digest)


def test_sweep_keeps_live_uploads(tmp_path: Path) -> None:
    store = EvidenceStore(tmp_path)
    stale = tmp_path / "tmp" / "upload-crashed"
    stale.write_bytes(b"left by a crash")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    live = store.writer(100)
    live.write(b"still coming")
    assert store.sweep_temp(older_than_seconds=600) == 1
    assert not stale.exists() and live.temp_path.exists()
    live.discard()
    # opening the store for a process sweeps stale leftovers too
    stale.write_bytes(b"again")
    os.utime(stale, (old, old))
    evidence_store(tmp_path)
    assert not stale.exists()

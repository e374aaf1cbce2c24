"""Evidence files no evidence row refers to (what a crash between placing a file and
committing its row leaves) are removed when the wallet starts, once older than the grace;
referenced and young files stay, and nothing else under `blobs/` is touched (SQLite and
PostgreSQL, a real wallet in-process, the clock the test's). The same with a real process
killed mid import and mid upload: test_wallet_crash_orphans.py."""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from servicekit.scratch import files_in
from tests.databases import BACKENDS, started_on_fresh_database
from tests.wallet.conftest import WalletService
from tests.wallet.evidence_files import jpeg_bytes
from wallet.evidence_store import EvidenceStore, evidence_store
from wallet.services.orphan_blobs import sweep_orphan_blobs

GRACE = timedelta(seconds=24 * 3600)  # the default of orphan_blob_grace_seconds


@pytest.fixture(params=BACKENDS)
def wallet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WalletService]:
    with started_on_fresh_database(request.param, tmp_path, WalletService) as server:
        yield server


def store_of(wallet: WalletService) -> EvidenceStore:
    return evidence_store(wallet.data_dir / "evidence")


def now_of(wallet: WalletService) -> datetime:
    assert wallet.context is not None
    return wallet.context.now()


def place(store: EvidenceStore, content: bytes) -> str:
    """A blob placed as an upload places it, with no row (the crash came before the commit)."""
    with store.writer(len(content)) as writer:
        writer.write(content)
        return writer.finish().sha256


def placed_at(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()), follow_symlinks=False)


def upload(wallet: WalletService, content: bytes) -> str:
    """An evidence item through the API (its row committed); its digest."""
    owner = wallet.create_owner()
    answer = owner.client.post(owner.url("/evidence"), data={"title": "Les", "kind": "photo"},
                               files={"file": ("les.jpg", content, "image/jpeg")})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["sha256"])


def junk(store: EvidenceStore, outside: Path, old: datetime) -> list[Path]:
    """Things under `blobs/` that are not blobs, all old: names that are not digests, a
    digest under the wrong prefix, links (to a file and to a folder outside the store), a
    folder named like a digest. None is the store's to delete, none is followed; the files
    outside the store the links point at are returned too."""
    blobs = store.blobs_dir
    outside.mkdir()
    target = outside / "precious.jpg"
    foreign = outside / "12" / ("12" + "a" * 62)  # a digest's name, behind a linked prefix
    foreign.parent.mkdir()
    for name in ("ab", "zz", "Ab"):
        (blobs / name).mkdir(exist_ok=True)
    files = [target, foreign, blobs / "README", blobs / "ef", blobs / "ab" / ("cd" + "0" * 62),
             blobs / "ab" / ("AB" + "0" * 62), blobs / "ab" / ("ab" + "0" * 61),
             blobs / "zz" / ("zz" + "0" * 62), blobs / "Ab" / ("ab" + "1" * 62),
             blobs / "ab" / ("ab" + "4" * 62) / "inside"]
    files[-1].parent.mkdir()
    for path in files:
        path.write_bytes(b"not a blob")
    links = [blobs / "ab" / ("ab" + "3" * 62), blobs / "12"]
    links[0].symlink_to(target)
    links[1].symlink_to(foreign.parent, target_is_directory=True)
    for path in [*files, *links]:
        placed_at(path, old)
    return [*files, *links]


def test_old_unreferenced_blobs_go_at_start_the_rest_stays(
        wallet: WalletService, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = store_of(wallet)
    old = now_of(wallet) - GRACE - timedelta(minutes=1)
    young = now_of(wallet) - timedelta(hours=1)
    referenced = upload(wallet, jpeg_bytes("orange"))
    orphans = [place(store, jpeg_bytes("teal", size=(40 + n, 30))) for n in range(5)]
    fresh = place(store, jpeg_bytes("navy"))
    for sha256 in [referenced, *orphans]:
        placed_at(store.path(sha256), old)
    placed_at(store.path(fresh), young)
    left_alone = junk(store, tmp_path / "outside", old)

    wallet.stop()
    with caplog.at_level(logging.INFO, logger="wallet.services.orphan_blobs"):
        wallet.start()  # the same data and database: the start sweeps
    assert "removed 5 evidence file(s) no evidence refers to" in caplog.text
    assert not any(store.exists(sha256) for sha256 in orphans)
    assert store.exists(referenced) and store.exists(fresh)
    assert all(path.exists() for path in left_alone)
    assert files_in(store.blobs_dir.parent / "tmp") == []  # nothing set aside stays

    # The clock is the context's: a day later the young one is old enough too.
    wallet.clock.advance(GRACE.total_seconds())
    assert wallet.context is not None
    assert sweep_orphan_blobs(wallet.context, batch=2) == 1
    assert not store.exists(fresh) and store.exists(referenced)
    assert all(path.exists() for path in left_alone)


def test_many_blobs_are_checked_in_batches(wallet: WalletService) -> None:
    store = store_of(wallet)
    old = now_of(wallet) - GRACE - timedelta(minutes=1)
    referenced = [upload(wallet, jpeg_bytes("orange", size=(20 + n, 20))) for n in range(3)]
    orphans = [place(store, jpeg_bytes("teal", size=(20 + n, 20))) for n in range(7)]
    for sha256 in [*referenced, *orphans]:
        placed_at(store.path(sha256), old)
    assert wallet.context is not None
    assert sweep_orphan_blobs(wallet.context, batch=3) == 7
    assert all(store.exists(sha256) for sha256 in referenced)
    assert not any(store.exists(sha256) for sha256 in orphans)


def test_a_blob_placed_again_while_the_sweep_runs_stays(wallet: WalletService) -> None:
    """Found old and unreferenced, then uploaded again by another instance (the same
    bytes, its row on the way): the sweep leaves the new file."""
    store = store_of(wallet)
    upload(wallet, jpeg_bytes("orange"))
    content = jpeg_bytes("teal")
    sha256 = place(store, content)
    old = now_of(wallet) - GRACE - timedelta(minutes=1)
    placed_at(store.path(sha256), old)
    [found] = [blob for blob in store.blobs_placed_before(now_of(wallet) - GRACE)
               if blob.sha256 == sha256]
    assert place(store, content) == sha256  # a new file (inode, time) at the same name
    assert store.remove_orphan(found) is False
    assert store.open(sha256).read() == content
    assert files_in(store.blobs_dir.parent / "tmp") == []
    # Found, then removed by someone else (its last row deleted): nothing to do.
    [found] = [blob for blob in store.blobs_placed_before(now_of(wallet) + timedelta(minutes=1))
               if blob.sha256 == sha256]
    store.path(sha256).unlink()
    assert store.remove_orphan(found) is False


def test_nothing_goes_when_no_row_refers_to_any_file(
        wallet: WalletService, caplog: pytest.LogCaptureFixture) -> None:
    """An existing data directory with a new or wrong database: every file is unreferenced,
    none is deleted, a warning asks about the database."""
    store = store_of(wallet)
    wallet.create_owner()
    blobs = [place(store, jpeg_bytes("teal", size=(20 + n, 20))) for n in range(3)]
    for sha256 in blobs:
        placed_at(store.path(sha256), now_of(wallet) - GRACE * 30)
    assert wallet.context is not None
    with caplog.at_level(logging.WARNING, logger="wallet.services.orphan_blobs"):
        assert sweep_orphan_blobs(wallet.context) == 0
    assert all(store.exists(sha256) for sha256 in blobs)
    assert "3 evidence file(s)" in caplog.text and "is this the right database?" in caplog.text


def test_a_file_that_cannot_be_removed_does_not_stop_the_sweep(
        wallet: WalletService, caplog: pytest.LogCaptureFixture) -> None:
    store = store_of(wallet)
    upload(wallet, jpeg_bytes("orange"))
    stuck, other = (place(store, jpeg_bytes("teal", size=(20 + n, 20))) for n in range(2))
    for sha256 in (stuck, other):
        placed_at(store.path(sha256), now_of(wallet) - GRACE * 2)
    # A real failure, also for root: its way aside is blocked by a folder that is not empty.
    blocked = store.tmp_dir / f"orphan-{stuck}"
    blocked.mkdir()
    (blocked / "in-the-way").write_bytes(b"x")
    assert wallet.context is not None
    with caplog.at_level(logging.WARNING, logger="wallet.services.orphan_blobs"):
        assert sweep_orphan_blobs(wallet.context) == 1
    assert store.exists(stuck) and not store.exists(other)
    assert "could not remove 1 evidence file(s)" in caplog.text
    shutil.rmtree(blocked)

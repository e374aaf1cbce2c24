"""A wallet killed (SIGKILL) after it placed evidence files but before it committed their rows,
mid archive import and mid upload (at once), and started again on the same data (SQLite and
PostgreSQL, a real `opendossier serve wallet`): nothing of the interrupted work is in the
dossier, its files are removed by the start sweep once older than the grace, and doing the
same again then stores every item exactly once.

The moment is made certain, not raced: the test holds a lock on the evidence table from a
connection of its own (as a slow database or another instance's long transaction would), so
the wallet reads, places its files and then waits at its first write; the test sees every
file in place and kills it there. The files are aged with os.utime (the grace is a day).
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.databases import BACKENDS, started_on_fresh_database
from tests.verifier.signing import achievement_credential, new_signer
from tests.wallet.conftest import Owner, WalletProcess, WalletService
from tests.wallet.evidence_files import jpeg_bytes, multipart_body
from tests.wallet.raw_post import raw_post

PHOTOS = 24  # in the archive
PAST_THE_GRACE = time.time() - 2 * 24 * 3600  # the grace is a day


@pytest.fixture(params=BACKENDS)
def wallet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WalletProcess]:
    with started_on_fresh_database(request.param, tmp_path, WalletProcess) as server:
        yield server


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A dossier exported from another wallet: PHOTOS photos, a credential, a reflection."""
    directory = tmp_path_factory.mktemp("source-wallet")
    source = WalletService(directory / "data", f"sqlite:///{directory / 'wallet.db'}").start()
    try:
        owner = source.create_owner()
        for n in range(PHOTOS):
            answer = owner.client.post(
                owner.url("/evidence"), data={"title": f"Les {n}", "kind": "photo"},
                files={"file": (f"les-{n}.jpg", jpeg_bytes("teal", size=(32 + n, 24)),
                                "image/jpeg")})
            assert answer.status_code == 201, answer.text
        school = new_signer()
        badge = school.sign(achievement_credential(school.did, owner.did))
        assert owner.client.post(owner.url("/credentials"), json=badge).status_code == 201
        reflection = owner.client.post(owner.url("/reflections"),
                                       json={"text": "Rust in groep 5."})
        assert reflection.status_code == 201, reflection.text
        exported = owner.client.post(owner.url("/export"), json={})
        assert exported.status_code == 200, exported.text
        return exported.content
    finally:
        source.stop()


@contextmanager
def evidence_writes_held(database_url: str) -> Iterator[None]:
    """Writers of the evidence table wait until the block ends (readers go on)."""
    if database_url.startswith("sqlite"):
        # SQLite has one writer at a time: this one (WAL: readers are not held up)
        with closing(sqlite3.connect(database_url.removeprefix("sqlite:///"),
                                     isolation_level=None)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            yield
            connection.execute("ROLLBACK")
        return
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) \
            as connection:
        connection.execute("LOCK TABLE evidence IN SHARE MODE")
        yield
        connection.rollback()


def blobs(wallet: WalletProcess) -> list[Path]:
    return sorted(path for path in (wallet.data_dir / "evidence" / "blobs").rglob("*")
                  if path.is_file())


def kill_when_placed(wallet: WalletProcess, count: int) -> list[Path]:
    """SIGKILL once `count` files are in the store (the wallet waits at its write)."""
    deadline = time.monotonic() + 30
    while len(found := blobs(wallet)) < count:
        assert time.monotonic() < deadline, f"{len(found)} of {count} files:\n{wallet.log()}"
        time.sleep(0.02)
    assert wallet.process is not None
    wallet.process.kill()
    wallet.process.wait()
    return found


def upload_photo(owner: Owner, title: str, content: bytes) -> None:
    answer = owner.client.post(owner.url("/evidence"), data={"title": title, "kind": "photo"},
                               files={"file": ("foto.jpg", content, "image/jpeg")})
    assert answer.status_code == 201, answer.text


def titles(owner: Owner) -> list[str]:
    return sorted(item["title"] for item in owner.client.get(owner.url("/evidence")).json())


def test_an_import_and_an_upload_killed_before_their_commit_leave_nothing(
        wallet: WalletProcess, archive: bytes) -> None:
    """Both at once: a process start costs seconds, and one kill interrupts both."""
    owner = wallet.create_owner()
    upload_photo(owner, "Eigen foto", jpeg_bytes("orange"))  # what the dossier had before
    own_blob = blobs(wallet)
    photo = jpeg_bytes("navy")
    form = multipart_body("grens", {"title": "Les", "kind": "photo"}, "les.jpg", photo,
                          "image/jpeg")
    with evidence_writes_held(wallet.database_url), \
            closing(raw_post(wallet, owner, owner.url("/import"), "application/zip", archive)), \
            closing(raw_post(wallet, owner, owner.url("/evidence"),
                         "multipart/form-data; boundary=grens", form)):
        placed = kill_when_placed(wallet, len(own_blob) + PHOTOS + 1)
    leftovers = [path for path in placed if path not in own_blob]
    assert len(leftovers) == PHOTOS + 1
    young, *old = leftovers  # one placed just now (within the grace), the rest long ago
    for path in old:
        os.utime(path, (PAST_THE_GRACE, PAST_THE_GRACE))

    wallet.start()  # the same data directory and database
    assert titles(owner) == ["Eigen foto"]  # nothing of the import or upload, no half state
    assert owner.client.get(owner.url("/credentials")).json() == []
    assert owner.client.get(owner.url("/reflections")).json() == []
    assert blobs(wallet) == sorted([*own_blob, young])
    assert f"removed {PHOTOS} evidence file(s) no evidence refers to" in wallet.log()

    upload_photo(owner, "Les", photo)
    again = owner.client.post(owner.url("/import"), content=archive,
                              headers={"content-type": "application/zip"})
    assert again.status_code == 200, again.text
    counts = again.json()["counts"]
    assert counts["evidence"] == {"added": PHOTOS, "alreadyThere": 0, "refused": 0}
    assert counts["credentials"]["added"] == 1 and counts["reflections"]["added"] == 1
    assert titles(owner) == sorted(["Eigen foto", "Les", *(f"Les {n}" for n in range(PHOTOS))])
    assert len(owner.client.get(owner.url("/credentials")).json()) == 1
    assert len(owner.client.get(owner.url("/reflections")).json()) == 1
    assert blobs(wallet) == sorted(placed)  # each file once, every one referred to
    once_more = owner.client.post(owner.url("/import"), content=archive,
                                  headers={"content-type": "application/zip"})
    assert once_more.status_code == 200, once_more.text
    assert all(kind["added"] == 0 for kind in once_more.json()["counts"].values())

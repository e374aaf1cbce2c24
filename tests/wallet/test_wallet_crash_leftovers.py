"""Partial uploads a crash leaves are gone at the next start (SQLite and PostgreSQL): a real
`opendossier serve wallet` is killed with SIGKILL while an evidence file and an archive are
half-way in, and started again on the same data; what another live process is writing in
the same directories stays."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from servicekit.scratch import files_in, scratch_area
from tests.databases import BACKENDS, started_on_fresh_database
from tests.wallet.conftest import Owner, WalletProcess
from tests.wallet.raw_post import raw_post
from tests.wallet.test_wallet_shares import jpeg_bytes

DECLARED = 4 * 1024 * 1024  # the size the uploads say they have; a quarter of it arrives


@pytest.fixture(params=BACKENDS)
def wallet(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[WalletProcess]:
    with started_on_fresh_database(request.param, tmp_path, WalletProcess) as server:
        yield server


def start_upload(wallet: WalletProcess, owner: Owner, path: str, content_type: str,
                 first_bytes: bytes) -> socket.socket:
    """A POST that says it brings DECLARED bytes and sends only the first of them."""
    return raw_post(wallet, owner, path, content_type, first_bytes, declared_length=DECLARED)


def wait_for_files(root: Path) -> list[Path]:
    deadline = time.monotonic() + 30
    while not (found := files_in(root)):
        assert time.monotonic() < deadline, f"no upload file appeared under {root}"
        time.sleep(0.05)
    return found


def test_a_killed_wallet_leaves_no_partial_uploads_after_a_restart(
        wallet: WalletProcess) -> None:
    owner = wallet.create_owner()
    uploads = wallet.data_dir / "evidence" / "tmp"
    archives = wallet.data_dir / "tmp-archives"
    photo = jpeg_bytes()
    quarter = DECLARED // 4
    sockets = [
        start_upload(wallet, owner, owner.url("/evidence") + "?title=Les&kind=photo"
                     "&filename=les.jpg", "image/jpeg", (photo * (quarter // len(photo)))),
        start_upload(wallet, owner, owner.url("/import"), "application/zip",
                     b"PK\x03\x04" + bytes(quarter))]
    partial = wait_for_files(uploads) + wait_for_files(archives)
    # Another instance on the same storage is writing an upload of its own meanwhile.
    other = scratch_area(uploads).directory() / "upload-of-a-live-instance"
    other.write_bytes(b"still coming")

    assert wallet.process is not None
    wallet.process.kill()  # SIGKILL: no clean-up of any kind
    wallet.process.wait()
    for connection in sockets:
        connection.close()
    assert all(path.exists() for path in partial), "the crash left its partial files"

    wallet.start()  # the same data directory and database
    assert files_in(uploads) == [other]  # the dead process's files went, the live one's stay
    assert files_in(archives) == []
    assert owner.client.get(owner.url("/evidence")).json() == []  # nothing half-stored
    other.unlink()

"""The upload size limit, enforced while the body streams in, through a real wallet service
(SQLite and PostgreSQL) whose limit is set low (1 MB), so passing it is quick to show.

The server is `opendossier serve wallet --max-upload-mb 1`."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.databases import BACKENDS, fresh_database
from tests.wallet.conftest import Owner, WalletProcess
from tests.wallet.evidence_files import (
    chunked_until_answer,
    jpeg_bytes,
    left_in_tmp,
    multipart_body,
    status_of,
)

LIMIT = 1024 * 1024


@pytest.fixture(scope="module", params=BACKENDS)
def limited_wallet(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletProcess]:
    directory = tmp_path_factory.mktemp(f"wallet-limited-{request.param}")
    with fresh_database(request.param, directory) as database_url:
        server = WalletProcess(directory / "data", database_url,
                               extra_args=["--max-upload-mb", "1"]).start()
        try:
            yield server
        finally:
            server.stop()


def _nothing_left(server: WalletProcess, owner: Owner) -> None:
    assert left_in_tmp(server) == []
    assert owner.client.get(owner.url("/evidence")).json() == []
    assert list((server.data_dir / "evidence" / "blobs").rglob("*.*")) == []


def padded_jpeg(size: int) -> bytes:
    """A real JPEG with bytes after its end marker, `size` bytes in all."""
    photo = jpeg_bytes("maroon")
    return photo + b"\x00" * (size - len(photo))


def test_multipart_stops_as_soon_as_the_limit_is_passed(limited_wallet: WalletProcess) -> None:
    owner = limited_wallet.create_owner()
    boundary = "limitlimit"
    body = multipart_body(boundary, {"title": "Te groot", "kind": "photo"}, "groot.jpg",
                          padded_jpeg(48 * LIMIT))
    answer, sent = chunked_until_answer(limited_wallet, owner, {
        "Content-Type": f"multipart/form-data; boundary={boundary}"}, body)
    assert status_of(answer) == 413, answer[:300]
    assert b"larger than the limit of 1 MB" in answer
    # refused while streaming, long before the 48 MB were sent (what was sent beyond the
    # limit sits in the loopback's socket buffers, a few MB)
    assert sent < 16 * LIMIT, sent
    _nothing_left(limited_wallet, owner)


def test_raw_body_stops_as_soon_as_the_limit_is_passed(limited_wallet: WalletProcess) -> None:
    owner = limited_wallet.create_owner()
    answer, sent = chunked_until_answer(
        limited_wallet, owner, {"Content-Type": "application/octet-stream"},
        padded_jpeg(48 * LIMIT), path=owner.url("/evidence") + "?title=Groot&filename=g.jpg")
    assert status_of(answer) == 413 and b"larger than the limit" in answer
    assert sent < 16 * LIMIT, sent
    _nothing_left(limited_wallet, owner)


def test_exactly_the_limit_is_accepted_one_more_byte_is_not(
        limited_wallet: WalletProcess) -> None:
    owner = limited_wallet.create_owner()
    over = owner.client.post(owner.url("/evidence"), data={"title": "Eén te veel"},
                             files={"file": ("x.jpg", padded_jpeg(LIMIT + 1), "image/jpeg")})
    assert over.status_code == 413 and "larger than the limit" in over.json()["message"]
    _nothing_left(limited_wallet, owner)
    exact = owner.client.post(owner.url("/evidence"), data={"title": "Precies"},
                              files={"file": ("x.jpg", padded_jpeg(LIMIT), "image/jpeg")})
    assert exact.status_code == 201, exact.text
    assert exact.json()["size"] == LIMIT
    assert len(owner.client.get(exact.json()["file"]).content) == LIMIT


def test_declared_length_over_the_limit_is_refused_up_front(
        limited_wallet: WalletProcess) -> None:
    owner = limited_wallet.create_owner()
    answer = owner.client.post(owner.url("/evidence"), content=padded_jpeg(3 * LIMIT),
                               params={"title": "Groot"},
                               headers={"Content-Type": "application/octet-stream"})
    assert answer.status_code == 413 and "1 MB" in answer.json()["message"]
    _nothing_left(limited_wallet, owner)

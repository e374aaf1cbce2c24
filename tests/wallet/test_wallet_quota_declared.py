"""The dossier's storage quota, judged before the body is read (issue 17): an evidence upload
or an archive import whose declared size (Content-Length) already says it will not fit is
refused with 413 and the same words as once it has arrived, without a byte of the body being
read, nothing stored and no temporary file made; through the API and the pages, on SQLite and
PostgreSQL. What may fit is still taken (the check after arrival stays, for chunked bodies)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from servicekit.scratch import files_in
from tests.databases import BACKENDS, started_on_fresh_database
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.evidence_files import jpeg_bytes, multipart_body
from tests.wallet.pages import PageSession
from wallet.services.archive_import import NON_EVIDENCE_BYTES
from wallet.services.evidence_upload import FORM_OVERHEAD_BYTES

QUOTA = 100_000
FULL = "the dossier's storage is full: "
ARCHIVE_FULL = "the archive is refused: the dossier's storage would be full: "
BOUNDARY = "quotaboundary"


@pytest.fixture(scope="module", params=BACKENDS)
def small_dossiers(request: pytest.FixtureRequest,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletService]:
    """A wallet of its own whose dossiers hold at most QUOTA bytes of evidence."""
    directory = tmp_path_factory.mktemp(f"quota-wallet-{request.param}")
    with started_on_fresh_database(request.param, directory, WalletService) as server:
        assert server.context is not None
        server.context.settings.max_owner_bytes = QUOTA
        yield server


@dataclass
class UnreadBody:
    """A request body that notes whether anyone began to read it."""

    chunk: bytes
    started: bool = False

    def __iter__(self) -> Iterator[bytes]:
        self.started = True
        yield self.chunk


def declared(client: httpx.Client, path: str, size: int, content_type: str,
             **options: Any) -> tuple[httpx.Response, UnreadBody]:
    """POST to `path` declaring a body of `size` bytes (only a few are there)."""
    body = UnreadBody(b"x" * 16)
    answer = client.post(path, content=body, headers={
        "content-type": content_type, "content-length": str(size)}, **options)
    return answer, body


def leftovers(wallet: WalletService) -> list[Any]:
    """Temporary files of uploads and imports (in-process: cleaned up before the answer)."""
    return (files_in(wallet.data_dir / "evidence" / "tmp")
            + files_in(wallet.data_dir / "tmp-archives"))


def an_owner_with_one_file(wallet: WalletService) -> tuple[Owner, int]:
    """An owner whose dossier holds one file; the room left."""
    owner = wallet.create_owner()
    photo = jpeg_bytes() + os.urandom(60_000)
    stored = owner.client.post(owner.url("/evidence"), params={"title": "Les", "kind": "photo",
                                                               "filename": "les.jpg"},
                               content=photo, headers={"content-type": "image/jpeg"})
    assert stored.status_code == 201, stored.text
    return owner, QUOTA - len(photo)


def evidence_count(owner: Owner) -> int:
    return len(owner.client.get(owner.url("/evidence")).json())


def test_an_upload_declared_past_the_room_is_refused_unread(small_dossiers: WalletService) -> None:
    owner, room = an_owner_with_one_file(small_dossiers)
    raw, raw_body = declared(owner.client, owner.url("/evidence"), room + 1, "image/jpeg",
                             params={"title": "Te groot", "kind": "photo"})
    form, form_body = declared(owner.client, owner.url("/evidence"),
                               room + FORM_OVERHEAD_BYTES + 1,
                               f"multipart/form-data; boundary={BOUNDARY}")
    for answer, body in ((raw, raw_body), (form, form_body)):
        assert answer.status_code == 413, answer.text
        assert answer.json()["message"].startswith(FULL)
        assert f"this needs {room + 1} bytes more" in answer.json()["message"]
        assert not body.started
    assert evidence_count(owner) == 1
    assert leftovers(small_dossiers) == []


def test_what_may_fit_is_still_received(small_dossiers: WalletService) -> None:
    """A form whose fields take it past the room, with a file that fits, is taken; the check
    after arrival still refuses a file that does not fit."""
    owner, room = an_owner_with_one_file(small_dossiers)
    photo = jpeg_bytes("navy")
    body = multipart_body(BOUNDARY, {"title": "Past", "kind": "photo",
                                     "description": "€" * 19_000}, "past.jpg", photo,
                          "image/jpeg")
    assert len(photo) < room < len(body)
    answer = owner.client.post(owner.url("/evidence"), content=body, headers={
        "content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert answer.status_code == 201, answer.text
    too_big = jpeg_bytes() + os.urandom(room)
    body = multipart_body(BOUNDARY, {"title": "Te groot", "kind": "photo"}, "groot.jpg",
                          too_big, "image/jpeg")
    answer = owner.client.post(owner.url("/evidence"), content=body, headers={
        "content-type": f"multipart/form-data; boundary={BOUNDARY}"})
    assert answer.status_code == 413 and answer.json()["message"].startswith(FULL)
    assert evidence_count(owner) == 2
    assert leftovers(small_dossiers) == []


def test_an_archive_declared_past_the_quota_is_refused_unread(
        small_dossiers: WalletService) -> None:
    """An archive whose evidence alone would pass the whole quota (what a smaller one holds
    may be files the dossier has already: it is read, and judged once it is in)."""
    owner, _ = an_owner_with_one_file(small_dossiers)
    size = NON_EVIDENCE_BYTES + QUOTA + 1
    for content_type in ("application/zip", f"multipart/form-data; boundary={BOUNDARY}"):
        answer, body = declared(owner.client, owner.url("/import"), size, content_type)
        assert answer.status_code == 413, answer.text
        assert answer.json()["message"].startswith(ARCHIVE_FULL)
        assert not body.started
    assert evidence_count(owner) == 1
    assert leftovers(small_dossiers) == []


def test_the_pages_refuse_in_words_before_reading(small_dossiers: WalletService) -> None:
    owner, room = an_owner_with_one_file(small_dossiers)
    page = PageSession(small_dossiers)
    assert page.log_in(owner.email).status_code == 303
    upload, upload_body = declared(page.http, f"/d/{owner.id}/evidence",
                                   room + FORM_OVERHEAD_BYTES + 1,
                                   f"multipart/form-data; boundary={BOUNDARY}")
    archive, archive_body = declared(page.http, f"/d/{owner.id}/move/import",
                                     NON_EVIDENCE_BYTES + QUOTA + 1,
                                     f"multipart/form-data; boundary={BOUNDARY}")
    for answer, body in ((upload, upload_body), (archive, archive_body)):
        assert answer.status_code == 413, answer.text[:500]
        assert "De opslag van het dossier" in answer.text
        assert not body.started
    assert evidence_count(owner) == 1
    assert leftovers(small_dossiers) == []

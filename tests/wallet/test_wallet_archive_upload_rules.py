"""An archive import obeys every upload rule (issue 17, item 6): each evidence file passes the
checks of an upload (per-file size limit, type sniffed from its bytes, refused types, the
declared kind), and the dossier's storage quota bounds uploads and imports alike. A refusal
says why (413 / 415, naming the file) and stores nothing. Real wallets, SQLite and
PostgreSQL; files go in through the real upload API."""

from __future__ import annotations

import hashlib
import io
import json
import os
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from sqlmodel import Session, select

from tests.databases import fresh_database
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.evidence_files import jpeg_bytes, pdf_bytes
from tests.wallet.test_wallet_archive import storage
from wallet.evidence_store import evidence_store
from wallet.models import Evidence

SMALL_UPLOAD = 1024 * 1024  # the per-file limit of the receiving wallet
ZIP = {"content-type": "application/zip"}


@pytest.fixture(scope="module")
def small_wallet(wallet_server: WalletService,
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[WalletService]:
    """A second wallet that takes files of at most 1 MB, on the same kind of database."""
    backend = "sqlite" if wallet_server.database_url.startswith("sqlite") else "postgres"
    directory = tmp_path_factory.mktemp(f"small-wallet-{backend}")
    with fresh_database(backend, directory) as database_url:
        server = WalletService(directory / "data", database_url,
                               max_upload_bytes=SMALL_UPLOAD).start()
        try:
            yield server
        finally:
            server.stop()


def upload(owner: Owner, filename: str, content: bytes, kind: str = "photo") -> Any:
    return owner.client.post(owner.url("/evidence"), data={"title": filename, "kind": kind},
                             files={"file": (filename, content, "application/octet-stream")})


def exported(owner: Owner) -> dict[str, bytes]:
    answer = owner.client.post(owner.url("/export"), json={})
    assert answer.status_code == 200, answer.text
    with zipfile.ZipFile(io.BytesIO(answer.content)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(members: dict[str, bytes]) -> bytes:
    """An archive of `members` with a manifest listing each of them truly."""
    manifest = json.loads(members["manifest.json"])
    manifest["items"] = [{"path": name, "size": len(data),
                          "sha256": hashlib.sha256(data).hexdigest()}
                         for name, data in members.items() if name != "manifest.json"]
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**members, "manifest.json": json.dumps(manifest).encode()}.items():
            archive.writestr(name, data)
    return out.getvalue()


def with_file_swapped(members: dict[str, bytes], content: bytes,
                      **row: Any) -> dict[str, bytes]:
    """The archive's one evidence file replaced by `content`, its row changed by `row`."""
    dossier = json.loads(members["dossier.json"])
    [item] = dossier["evidence"]
    sha256 = hashlib.sha256(content).hexdigest()
    item.update({"sha256": sha256, "size": len(content), "path": f"evidence/{sha256}", **row})
    kept = {n: d for n, d in members.items() if not n.startswith("evidence/")}
    return {**kept, f"evidence/{sha256}": content,
            "dossier.json": json.dumps(dossier).encode()}


def refused(server: WalletService, archive: bytes, status: int, *words: str) -> None:
    """The import is refused with `status` and `words`; the newcomer's dossier stays empty
    and no file of the archive is left in the store."""
    newcomer = server.sign_up()
    answer = newcomer.client.post(newcomer.url("/import"), content=archive, headers=ZIP)
    assert answer.status_code == status, answer.text
    message = answer.json()["message"]
    assert message.startswith("the archive is refused: "), message
    for word in words:
        assert word in message, message
    assert newcomer.client.get(newcomer.url("/evidence")).json() == []
    assert newcomer.client.get(newcomer.url("/credentials")).json() == []
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        files = [n.removeprefix("evidence/") for n in opened.namelist()
                 if n.startswith("evidence/")]
    with storage(server) as ctx, Session(ctx.engine) as session:
        store = evidence_store(ctx.settings.evidence_dir)
        for sha256 in files:
            used = session.exec(select(Evidence).where(Evidence.sha256 == sha256)).first()
            assert used is not None or not store.exists(sha256), sha256


def test_a_file_over_the_upload_limit_is_refused(wallet_server: WalletService,
                                                 small_wallet: WalletService) -> None:
    owner = wallet_server.create_owner()
    video_sized = jpeg_bytes() + os.urandom(SMALL_UPLOAD + 1000)
    assert upload(owner, "klas.jpg", video_sized).status_code == 201
    refused(small_wallet, zipped(exported(owner)), 413, "klas.jpg",
            "larger than the limit of 1 MB")


def test_a_file_that_is_not_what_it_says_is_refused(wallet_server: WalletService,
                                                    small_wallet: WalletService) -> None:
    owner = wallet_server.create_owner()
    assert upload(owner, "les.jpg", jpeg_bytes()).status_code == 201
    members = exported(owner)
    page = b"<!doctype html><html><script>alert(document.cookie)</script></html>"
    html_as_photo = with_file_swapped(members, page, filename="les.jpg",
                                      mediaType="image/jpeg", kind="photo")
    refused(small_wallet, zipped(html_as_photo), 415, "les.jpg", "HTML/XML markup")
    pdf_as_photo = with_file_swapped(members, pdf_bytes(), filename="verslag.jpg",
                                     mediaType="image/jpeg", kind="photo")
    refused(small_wallet, zipped(pdf_as_photo), 415, "verslag.jpg",
            "sent as a photo, but the file is PDF document")

    # the untouched archive imports; kind, media type and size are the file's own
    newcomer = small_wallet.sign_up()
    kept = with_file_swapped(members, jpeg_bytes("navy"), mediaType="text/html",
                             size=1)
    answer = newcomer.client.post(newcomer.url("/import"), content=zipped(kept), headers=ZIP)
    assert answer.status_code == 200, answer.text
    [item] = newcomer.client.get(newcomer.url("/evidence")).json()
    assert item["mediaType"] == "image/jpeg" and item["kind"] == "photo"
    assert item["size"] == len(jpeg_bytes("navy"))
    served = newcomer.client.get(item["file"])
    assert served.headers["content-type"] == "image/jpeg"


def test_the_storage_quota_holds_for_uploads_and_imports(wallet_server: WalletService,
                                                         small_wallet: WalletService) -> None:
    settings = small_wallet.context.settings if small_wallet.context else None
    assert settings is not None
    first, second = (jpeg_bytes() + os.urandom(60_000) for _ in range(2))
    source = wallet_server.create_owner()
    for name, data in (("een.jpg", first), ("twee.jpg", second)):
        assert upload(source, name, data).status_code == 201
    archive = zipped(exported(source))
    settings.max_owner_bytes = 100_000
    try:
        # by upload: the first file fits, the second does not, and is not kept
        owner = small_wallet.sign_up()
        assert upload(owner, "een.jpg", first).status_code == 201
        full = upload(owner, "twee.jpg", second)
        assert full.status_code == 413, full.text
        assert "the dossier's storage is full" in full.json()["message"]
        assert len(owner.client.get(owner.url("/evidence")).json()) == 1
        # by import: two files past the quota, nothing stored
        refused(small_wallet, archive, 413, "the dossier's storage would be full")
        # room enough: the same archive imports
        settings.max_owner_bytes = 200_000
        newcomer = small_wallet.sign_up()
        done = newcomer.client.post(newcomer.url("/import"), content=archive, headers=ZIP)
        assert done.status_code == 200, done.text
        assert done.json()["counts"]["evidence"]["added"] == 2
    finally:
        settings.max_owner_bytes = type(settings).model_fields["max_owner_bytes"].default

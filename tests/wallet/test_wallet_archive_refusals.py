"""Archives that must be refused, through the real `opendossier wallet import` against a real
wallet (SQLite and PostgreSQL): exit 1 with the reason, and NOTHING changed (no owner made,
no evidence file left in the store)."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from tests.wallet.conftest import PASSWORD, WalletService
from tests.wallet.test_wallet_archive import put_blob, storage, write_password
from wallet.evidence_store import evidence_store
from wallet.models import Account, Evidence
from wallet.services.accounts import account_by_email
from wallet.services.archive_format import ArchiveRefused
from wallet.services.archive_reading import reading_member

Members = dict[str, bytes]
# The start of an MP4 file (an `ftyp` box, brand isom): what type sniffing looks at.
MP4_HEADER = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


@pytest.fixture(scope="module")
def exported(wallet_server: WalletService) -> tuple[Members, str]:
    """A small valid unencrypted archive of an owner with one evidence file (2 MB)."""
    owner = wallet_server.create_owner()
    data = MP4_HEADER + os.urandom(2 * 1024 * 1024)  # a video as far as sniffing goes
    with storage(wallet_server) as ctx, Session(ctx.engine) as session:
        sha256 = put_blob(ctx, data)
        session.add(Evidence(owner_id=owner.id, added_by=owner.id, kind="video", title="Les",
                             media_type="video/mp4", size=len(data), sha256=sha256))
        session.commit()
    path = wallet_server.data_dir / f"valid-{owner.id}.zip"
    wallet_server.cli("export", owner.email, "--out", str(path), in_process=True)
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}, sha256


def write_zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in members:
            archive.writestr(name, data)
    return path


def with_manifest(members: Members, change: Callable[[dict[str, Any]], object]) -> Members:
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    return {**members, "manifest.json": json.dumps(manifest).encode()}


def listed(members: Members, name: str, data: bytes) -> Members:
    """`members` plus `name`, also listed in the manifest with its true digest."""
    def add(manifest: dict[str, Any]) -> None:
        manifest["items"].append({"path": name, "size": len(data),
                                  "sha256": hashlib.sha256(data).hexdigest()})
    return {**with_manifest(members, add), name: data}


def refused_import(server: WalletService, path: Path, *words: str,
                   extra: tuple[str, ...] = ()) -> None:
    email = f"mover-{os.urandom(4).hex()}@example.org"
    answer = server.cli("import", str(path), "--email", email, "--quiet", *extra, check=False,
                        in_process=True)
    assert answer.returncode == 1, answer.stdout
    assert "the archive is refused" in answer.stderr
    for word in words:
        assert word in answer.stderr, answer.stderr
    with storage(server) as ctx, Session(ctx.engine) as session:
        assert account_by_email(session, email) is None  # nothing changed


def tampered_variants(members: Members, sha256: str) -> dict[str, tuple[list[tuple[str, bytes]],
                                                                         tuple[str, ...]]]:
    evidence = f"evidence/{sha256}"
    flipped = bytearray(members[evidence])
    flipped[1000] ^= 0x01
    one = list(members.items())
    bomb = b"\0" * (8 * 1024 * 1024)
    return {
        "evidence byte changed": ([(n, bytes(flipped) if n == evidence else d)
                                   for n, d in one], ("does not match its sha256",)),
        "manifest digest changed": (list(with_manifest(members, lambda m: [
            i.update(sha256="0" * 64) for i in m["items"] if i["path"] == "dossier.json"]
        ).items()), ("dossier.json does not match its sha256",)),
        "wrong format": (list(with_manifest(members, lambda m: m.update(
            format="other-archive")).items()), ("not an OpenDossier archive",)),
        "wrong version": (list(with_manifest(members, lambda m: m.update(
            version=2)).items()), ("version", "not supported")),
        "parent path": (list(listed(members, "../evil.json", b"{}").items()),
                        ("not allowed", "../evil.json")),
        "absolute path": (list(listed(members, "/etc/evil", b"x").items()),
                          ("not allowed",)),
        "name not in manifest": ([*one, ("credentials/abc.json", b"{}")],
                                 ("does not list", "credentials/abc.json")),
        "duplicate name": ([*one, (evidence, members[evidence])], ("more than once",)),
        "zip bomb": (list(with_manifest({**members, evidence: bomb}, lambda m: [
            i.update(size=10) for i in m["items"] if i["path"] == evidence]).items()),
            ("the zip says", "the manifest")),
        "no manifest": ([(n, d) for n, d in one if n != "manifest.json"], ("no manifest",)),
        "key in plain archive": (list(listed(members, "holder-key.json", b"{}").items()),
                                 ("must not carry a private key",)),
    }


CASES = ["evidence byte changed", "manifest digest changed", "wrong format", "wrong version",
         "parent path", "absolute path", "name not in manifest", "duplicate name", "zip bomb",
         "no manifest", "key in plain archive"]


def test_broken_archives_are_refused_and_change_nothing(
        wallet_server: WalletService, exported: tuple[Members, str]) -> None:
    members, sha256 = exported
    store = evidence_store(wallet_server.data_dir / "evidence")
    store.path(sha256).unlink()  # so a blob left behind by a refused import would show
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about the duplicate name, as it should
        for case, (content, words) in tampered_variants(members, sha256).items():
            path = write_zip(wallet_server.data_dir / f"case-{os.urandom(3).hex()}.zip",
                             content)
            try:
                refused_import(wallet_server, path, *words)
            except AssertionError as error:
                raise AssertionError(f"{case}: {error}") from None
            assert not store.exists(sha256), case
            assert not list(store.tmp_dir.iterdir()), case


def test_size_limit_wrong_password_and_not_a_zip(wallet_server: WalletService,
                                                 exported: tuple[Members, str]) -> None:
    members, _ = exported
    plain = write_zip(wallet_server.data_dir / "plain.zip", list(members.items()))
    refused_import(wallet_server, plain, "more than this wallet's limit",
                   extra=("--max-size-mb", "1"))
    owner = wallet_server.create_owner()
    encrypted = wallet_server.data_dir / f"enc-{owner.id}.zip"
    wallet_server.cli("export", owner.email, "--out", str(encrypted), "--password-file",
                      str(write_password(wallet_server)), in_process=True)
    refused_import(wallet_server, encrypted, "wrong password",
                   extra=("--password-file", str(write_password(wallet_server, "x" * 12))))
    refused_import(wallet_server, encrypted, "encrypted", "give its password")
    garbage = wallet_server.data_dir / "garbage.zip"
    garbage.write_bytes(b"this is not a zip file at all")
    refused_import(wallet_server, garbage, "not a readable zip")
    # the right password works, and makes the owner (same DID) without a password
    email = f"moved-{os.urandom(4).hex()}@example.org"
    done = wallet_server.cli("import", str(encrypted), "--email", email, "--password-file",
                             str(write_password(wallet_server, PASSWORD)), check=False,
                             in_process=True)
    # the DID already belongs to the exporting owner in this same wallet: a fresh DID
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["createdOwner"] is True and result["tookHolderKey"] is False
    with storage(wallet_server) as ctx, Session(ctx.engine) as session:
        made = session.get(Account, result["owner"])
        assert made is not None and made.password_hash == "" and made.did != owner.did


@pytest.mark.parametrize(("encrypted", "message"), [
    (True, "wrong password, or dossier.json was changed"),
    (False, "dossier.json is damaged (invalid stored block lengths)")])
def test_an_unreadable_encrypted_member_may_be_a_wrong_password(encrypted: bool,
                                                               message: str) -> None:
    """One wrong password in 65,536 passes WinZip AES's 2-byte check and decrypts to bytes
    the decompressor refuses before the authentication code is reached."""
    with pytest.raises(ArchiveRefused) as refused, \
            reading_member("dossier.json", encrypted):
        raise zlib.error("invalid stored block lengths")
    assert str(refused.value) == f"the archive is refused: {message}"

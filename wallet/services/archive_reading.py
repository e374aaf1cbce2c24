"""Reading an archive for import, checking ALL of it before the dossier is touched.

Order: the zip's names (no duplicates, nothing outside the fixed name rules, so no `../`,
no absolute paths), one encryption for all members, the password, the manifest (format,
version, items), the manifest against the zip (every member listed, every item present,
declared sizes equal, total under the limit), then each item read and hashed. JSON items are
small and kept in memory; evidence files stream into the evidence store through its
`BlobWriter`, which is finished (moved under its digest) only when size and sha256 match the
manifest. A blob in the content-addressed store is not yet part of any dossier; if anything
is refused afterwards, the blobs this import placed are removed again (`undo_blobs`).
A member that unpacks to more than declared is stopped at the declared size (zip bomb).
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyzipper
from sqlmodel import Session

from standards.keys import KeyPair
from wallet.evidence_store import BlobTooLarge, evidence_store
from wallet.services import archive_format as fmt
from wallet.services.archive_export import Progress, ProgressCallback
from wallet.services.archive_format import ArchiveRefused
from wallet.services.context import WalletContext

MAX_HOLDER_KEY_BYTES = 64 * 1024
# what dossier.json must hold, and of which JSON type
DOSSIER_LISTS = ("competences", "credentials", "evidence", "reflections", "internshipReports",
                 "shares")


@dataclass
class CheckedArchive:
    """An archive whose every item matched the manifest."""

    owner: dict[str, Any]
    exported_at: str
    source: str
    encrypted: bool
    dossier: dict[str, Any]
    credentials: dict[str, bytes]  # path -> content
    holder: tuple[str, KeyPair] | None  # (did, key) from an encrypted archive
    blobs: set[str] = field(default_factory=set)  # every evidence sha256 in the archive
    placed: list[str] = field(default_factory=list)  # blobs this import added to the store


@contextmanager
def _reading(name: str) -> Iterator[None]:
    """Errors of pyzipper/zlib while reading one member, as one clear refusal."""
    try:
        yield
    except ArchiveRefused:
        raise
    except RuntimeError as error:  # pyzipper: "Bad password for file ..."
        if "password" in str(error).lower():
            raise ArchiveRefused("wrong password") from None
        raise ArchiveRefused(f"{name} cannot be read ({error})") from None
    except pyzipper.BadZipFile as error:
        text = str(error)
        if "HMAC" in text:  # the AES authentication code: wrong password or changed bytes
            raise ArchiveRefused(f"wrong password, or {name} was changed") from None
        raise ArchiveRefused(f"{name} is damaged ({text})") from None
    except (zlib.error, EOFError, OSError, ValueError, NotImplementedError) as error:
        raise ArchiveRefused(f"{name} is damaged ({error})") from None


def _read_small(archive: pyzipper.AESZipFile, info: pyzipper.ZipInfo, limit: int) -> bytes:
    """A whole small member, refused as soon as it passes `limit` bytes."""
    if info.file_size > limit:
        raise ArchiveRefused(f"{info.filename} is larger than {limit} bytes")
    out = bytearray()
    with _reading(info.filename), archive.open(info) as member:
        while chunk := member.read(fmt.CHUNK):
            out.extend(chunk)
            if len(out) > limit:
                raise ArchiveRefused(f"{info.filename} unpacks to more than its declared "
                                     f"size (a zip bomb?)")
    return bytes(out)


def _check_names(infos: list[pyzipper.ZipInfo]) -> None:
    twice = [name for name, count in Counter(i.filename for i in infos).items() if count > 1]
    if twice:
        raise ArchiveRefused(f"the zip holds {twice[0]!r} more than once")
    for info in infos:
        if info.filename != fmt.MANIFEST and not fmt.ITEM_NAME.fullmatch(info.filename):
            raise ArchiveRefused(f"the zip holds a name that is not allowed: "
                                 f"{info.filename[:120]!r}")


def _parse_json(data: bytes, name: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise ArchiveRefused(f"{name} is not valid JSON") from None


def _check_dossier(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ArchiveRefused("dossier.json is not a JSON object")
    for name in DOSSIER_LISTS:
        rows = value.setdefault(name, [])
        if not isinstance(rows, list) or not all(isinstance(r, dict) and
                                                 isinstance(r.get("id"), str) for r in rows):
            raise ArchiveRefused(f"dossier.json: {name} is not a list of rows with ids")
    if value.get("cv") is not None and not isinstance(value["cv"], dict):
        raise ArchiveRefused("dossier.json: cv is not an object")
    return value


def read_archive(ctx: WalletContext, path: Path, password: str | None, *,
                 max_total_bytes: int | None = None,
                 progress: ProgressCallback | None = None) -> CheckedArchive:
    """Check everything in the archive at `path`; ArchiveRefused (nothing changed) when
    anything is wrong. On success, the evidence blobs are in the store (see `placed`)."""
    secret = fmt.password_bytes(password)
    limit = max_total_bytes or fmt.DEFAULT_MAX_ARCHIVE_BYTES
    with fmt.open_for_reading(Path(path), secret) as archive:
        infos = archive.infolist()
        _check_names(infos)
        by_name = {info.filename: info for info in infos}
        if fmt.MANIFEST not in by_name:
            raise ArchiveRefused("it has no manifest.json (is it an OpenDossier archive?)")
        flags = {fmt.is_encrypted(info) for info in infos}
        if len(flags) > 1:
            raise ArchiveRefused("some members are encrypted and others are not")
        encrypted = flags == {True}
        if encrypted and secret is None:
            raise ArchiveRefused("it is encrypted: give its password")
        manifest = _parse_json(_read_small(archive, by_name[fmt.MANIFEST],
                                           fmt.MAX_MANIFEST_BYTES), fmt.MANIFEST)
        owner, items = fmt.parse_manifest(manifest)
        listed = {item.path for item in items}
        for name in by_name:
            if name != fmt.MANIFEST and name not in listed:
                raise ArchiveRefused(f"the zip holds {name}, which the manifest does not list")
        for item in items:
            info = by_name.get(item.path)
            if info is None:
                raise ArchiveRefused(f"{item.path} is in the manifest but not in the zip")
            if info.file_size != item.size:
                raise ArchiveRefused(f"{item.path}: the zip says {info.file_size} bytes, the "
                                     f"manifest {item.size}")
        total = sum(item.size for item in items)
        if total > limit:
            raise ArchiveRefused(f"it unpacks to {total} bytes, more than this wallet's "
                                 f"limit of {limit} bytes")
        if fmt.HOLDER_KEY in listed and not encrypted:
            raise ArchiveRefused("an unencrypted archive must not carry a private key")
        status = Progress(items_total=len(items),
                          bytes_total=sum(i.size for i in items if i.path.startswith("evidence/")))
        small: dict[str, bytes] = {}
        for item in items:
            if item.path.startswith("evidence/"):
                continue
            cap = fmt.MAX_DOSSIER_BYTES if item.path == fmt.DOSSIER else (
                MAX_HOLDER_KEY_BYTES if item.path == fmt.HOLDER_KEY
                else ctx.settings.max_credential_bytes)
            data = _read_small(archive, by_name[item.path], min(cap, item.size))
            if len(data) != item.size or hashlib.sha256(data).hexdigest() != item.sha256:
                raise ArchiveRefused(f"{item.path} does not match its sha256 in the manifest")
            small[item.path] = data
            status.items_done += 1
        dossier = _check_dossier(_parse_json(small.pop(fmt.DOSSIER), fmt.DOSSIER))
        holder = None
        if fmt.HOLDER_KEY in small:
            if secret is None:  # refused above already; said again for the type checker
                raise ArchiveRefused("an unencrypted archive must not carry a private key")
            holder = fmt.unwrap_holder_key(_parse_json(small.pop(fmt.HOLDER_KEY),
                                                       fmt.HOLDER_KEY), secret)
        checked = CheckedArchive(owner, str(manifest.get("exportedAt") or ""),
                                 str((manifest.get("source") or {}).get("wallet") or ""),
                                 encrypted, dossier, small, holder)
        evidence = [item for item in items if item.path.startswith("evidence/")]
        try:
            for item in evidence:
                _stream_blob(ctx, archive, by_name[item.path], item, checked, status)
                status.items_done += 1
                if progress is not None:
                    progress(status)
        except BaseException:
            undo_blobs(ctx, checked.placed)
            raise
    return checked


def _stream_blob(ctx: WalletContext, archive: pyzipper.AESZipFile, info: pyzipper.ZipInfo,
                 item: fmt.Item, checked: CheckedArchive, status: Progress) -> None:
    store = evidence_store(ctx.settings.evidence_dir)
    existed = store.exists(item.sha256)
    digest = hashlib.sha256()
    with store.writer(max_bytes=item.size) as writer:
        try:
            with _reading(item.path), archive.open(info) as member:
                while chunk := member.read(fmt.CHUNK):
                    writer.write(chunk)
                    digest.update(chunk)
                    status.bytes_done += len(chunk)
        except BlobTooLarge:
            raise ArchiveRefused(f"{item.path} unpacks to more than its declared size "
                                 f"(a zip bomb?)") from None
        if writer.size != item.size or digest.hexdigest() != item.sha256:
            raise ArchiveRefused(f"{item.path} does not match its sha256 in the manifest")
        writer.finish()
    checked.blobs.add(item.sha256)
    if not existed:
        checked.placed.append(item.sha256)


def undo_blobs(ctx: WalletContext, placed: list[str]) -> None:
    """Remove the blobs an import placed, unless some row (of any owner) uses them by now."""
    if not placed:
        return
    store = evidence_store(ctx.settings.evidence_dir)
    with Session(ctx.engine) as session:
        for sha256 in placed:
            store.delete_if_unused(session, sha256)
    placed.clear()

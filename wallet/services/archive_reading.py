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

Each evidence file goes through exactly the checks of an upload (`evidence_upload.FileSink`):
the per-file size limit, the type sniffed from its bytes (refused types: markup, executables,
anything unknown) and the kind each evidence item declares for it. A refusal keeps the
upload's kind (413, 415) and names the file.
"""

from __future__ import annotations

import base64
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

from servicekit.errors import ServiceError, TooLarge
from standards.keys import KeyPair
from wallet.evidence_store import evidence_store
from wallet.services import archive_format as fmt
from wallet.services.archive_export import Progress, ProgressCallback
from wallet.services.archive_format import ArchiveRefused, refused_file
from wallet.services.context import WalletContext
from wallet.services.evidence_types import Sniffed, check_declared_kind
from wallet.services.evidence_upload import FileSink, too_large

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
    sniffed: dict[str, Sniffed] = field(default_factory=dict)  # sha256 -> what the file is
    sri: dict[str, str] = field(default_factory=dict)  # sha256 -> its sha384 SRI digest
    blob_sizes: dict[str, int] = field(default_factory=dict)  # sha256 -> bytes


@contextmanager
def reading_member(name: str, encrypted: bool) -> Iterator[None]:
    """Errors of pyzipper/zlib while reading one member, as one clear refusal.

    WinZip AES checks a password against a 2-byte value first: one wrong password in 65,536
    passes it, and the member then decrypts to bytes the decompressor refuses before the
    authentication code at its end is reached. So, for an encrypted member, "damaged" may
    just as well be a wrong password, and the refusal says so."""
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
        if encrypted:
            raise ArchiveRefused(f"wrong password, or {name} was changed") from None
        raise ArchiveRefused(f"{name} is damaged ({error})") from None


def _encrypted(info: pyzipper.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)  # general purpose bit 0: the member is encrypted


def _read_small(archive: pyzipper.AESZipFile, info: pyzipper.ZipInfo, limit: int) -> bytes:
    """A whole small member, refused as soon as it passes `limit` bytes."""
    if info.file_size > limit:
        raise ArchiveRefused(f"{info.filename} is larger than {limit} bytes")
    out = bytearray()
    with reading_member(info.filename, _encrypted(info)), archive.open(info) as member:
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
            if secret is None:  # refused above already: a holder key travels encrypted only
                raise ArchiveRefused("the holder key is in an archive without a password")
            holder = fmt.unwrap_holder_key(_parse_json(small.pop(fmt.HOLDER_KEY),
                                                       fmt.HOLDER_KEY), secret)
        checked = CheckedArchive(owner, str(manifest.get("exportedAt") or ""),
                                 str((manifest.get("source") or {}).get("wallet") or ""),
                                 encrypted, dossier, small, holder)
        evidence = [item for item in items if item.path.startswith("evidence/")]
        uses = _evidence_uses(dossier)
        try:
            for item in evidence:
                _stream_blob(ctx, archive, by_name[item.path], item, checked, status,
                             uses.get(item.sha256, []))
                status.items_done += 1
                if progress is not None:
                    progress(status)
        except BaseException:
            undo_blobs(ctx, checked.placed)
            raise
    return checked


def _evidence_uses(dossier: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """sha256 -> the evidence rows that name that file."""
    uses: dict[str, list[dict[str, Any]]] = {}
    for row in dossier["evidence"]:
        sha256 = row.get("sha256")
        if isinstance(sha256, str) and sha256:
            uses.setdefault(sha256, []).append(row)
    return uses


def _row_text(row: dict[str, Any], key: str) -> str:
    value = row.get(key)
    return value if isinstance(value, str) else ""


def _stream_blob(ctx: WalletContext, archive: pyzipper.AESZipFile, info: pyzipper.ZipInfo,
                 item: fmt.Item, checked: CheckedArchive, status: Progress,
                 rows: list[dict[str, Any]]) -> None:
    """One evidence file into the store, checked as an upload is, for every evidence item
    that names it."""
    if not rows:
        raise ArchiveRefused(f"{item.path} belongs to no evidence item")
    filename = _row_text(rows[0], "filename")
    where = f"{item.path} ({filename[:100]})" if filename else item.path
    max_upload = ctx.settings.max_upload_bytes
    if item.size > max_upload:
        raise refused_file(too_large(max_upload), where)
    store = evidence_store(ctx.settings.evidence_dir)
    existed = store.exists(item.sha256)
    digest, sri = hashlib.sha256(), hashlib.sha384()
    with store.writer(max_bytes=item.size) as writer:
        sink = FileSink(writer, filename, lambda: "")
        try:
            with reading_member(item.path, _encrypted(info)), archive.open(info) as member:
                while chunk := member.read(fmt.CHUNK):
                    sink.write(chunk)
                    digest.update(chunk)
                    sri.update(chunk)
                    status.bytes_done += len(chunk)
            sniffed = sink.end().sniffed
            for row in rows:  # the kind each item declares must be what the file is
                check_declared_kind(_row_text(row, "kind").strip().lower(), sniffed)
        except TooLarge:  # past the size the manifest declares (the upload limit is above)
            raise ArchiveRefused(f"{item.path} unpacks to more than its declared size "
                                 f"(a zip bomb?)") from None
        except ArchiveRefused:
            raise
        except ServiceError as error:  # the upload's refusal (type, kind), for this file
            raise refused_file(error, where) from None
        if writer.size != item.size or digest.hexdigest() != item.sha256:
            raise ArchiveRefused(f"{item.path} does not match its sha256 in the manifest")
        writer.finish()
    checked.blobs.add(item.sha256)
    checked.sniffed[item.sha256] = sniffed
    checked.blob_sizes[item.sha256] = item.size
    checked.sri[item.sha256] = "sha384-" + base64.b64encode(sri.digest()).decode("ascii")
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

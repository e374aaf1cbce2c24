"""The dossier archive format ("opendossier-archive", version 1): names, manifest, digests,
encryption and the wrapped holder key.

Layout of the zip (every name is fixed by the rules below; nothing else is accepted):

    manifest.json             format, version, exportedAt, source wallet, owner, items[]
    dossier.json              the dossier's rows (competences, evidence metadata, ...)
    credentials/<id>.json     a stored credential's `content`, byte for byte (.jwt for a JWT)
    evidence/<sha256>         an evidence file, once per distinct content
    holder-key.json           ONLY in an encrypted archive: the owner's holder key

Every item is listed in the manifest with its path, size and sha256; the manifest lists
itself nowhere. JSON members are DEFLATED; evidence is STORED (photos and videos are already
compressed, and STORED keeps export and import at disk speed).

Encryption is WinZip AES-256 (pyzipper `WZ_AES`), which 7-Zip opens. Its key derivation is
fixed by that format: PBKDF2-HMAC-SHA1 with 1,000 iterations, weak against an offline
password guess. So the holder key inside is wrapped once more with a key derived by scrypt
(N=2^15, r=8, p=1) from the same password and sealed with AES-256-GCM; guessing the
password to steal the private key costs scrypt per guess. Evidence and rows have only the
zip's own protection: choose a long password.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyzipper
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from servicekit.errors import Refused, ServiceError
from standards.keys import KeyPair, key_pair_from_multikey

FORMAT = "opendossier-archive"
VERSION = 1
MANIFEST = "manifest.json"
DOSSIER = "dossier.json"
HOLDER_KEY = "holder-key.json"
CHUNK = 1024 * 1024
# An archive may not unpack to more than this in total, unless the caller sets its own limit
# (a zip bomb is refused before it fills the disk). WalletSettings has no field for it yet.
DEFAULT_MAX_ARCHIVE_BYTES = 64 * 1024**3
MAX_MANIFEST_BYTES = 64 * 1024 * 1024
MAX_DOSSIER_BYTES = 256 * 1024 * 1024
MAX_PASSWORD_LENGTH = 1024

_ID = r"[0-9A-Za-z_-]{1,64}"
ITEM_NAME = re.compile(rf"(?:{re.escape(DOSSIER)}|{re.escape(HOLDER_KEY)}"
                       rf"|credentials/{_ID}\.(?:json|jwt)|evidence/[0-9a-f]{{64}})")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1


class ArchiveRefused(Refused):
    """The archive cannot be imported (wrong password, format, digest, name, size...).
    Nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(f"the archive is refused: {message}")


def refused_file(error: ServiceError, where: str) -> ServiceError:
    """An upload's refusal of one of the archive's files (too large, a refused type), of the
    same kind (413, 415), naming the file: the archive is refused."""
    return type(error)(f"the archive is refused: {where}: {error}")


@dataclass(frozen=True)
class Item:
    """One member of the archive as the manifest lists it."""

    path: str
    size: int
    sha256: str

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256}


def credential_path(credential_id: str, fmt: str) -> str:
    return f"credentials/{credential_id}.{'jwt' if fmt == 'jwt_vc' else 'json'}"


def evidence_path(sha256: str) -> str:
    return f"evidence/{sha256}"


def password_bytes(password: str | None) -> bytes | None:
    """The zip password as UTF-8, or None for an unencrypted archive."""
    if password is None or password == "":
        return None
    if len(password) > MAX_PASSWORD_LENGTH:
        raise Refused(f"the archive password is too long (at most "
                      f"{MAX_PASSWORD_LENGTH} characters)")
    return password.encode("utf-8")


# --- zip files ----------------------------------------------------------------------------
def open_for_writing(target: BinaryIO, password: bytes | None) -> pyzipper.AESZipFile:
    """A zip writer on `target`; every member AES-256 encrypted when there is a password."""
    if password is None:
        return pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED)
    archive = pyzipper.AESZipFile(target, "w", compression=pyzipper.ZIP_DEFLATED,
                                  encryption=pyzipper.WZ_AES,
                                  encryption_kwargs={"nbits": 256})
    archive.setpassword(password)
    return archive


def open_for_reading(path: Path, password: bytes | None) -> pyzipper.AESZipFile:
    try:
        archive = pyzipper.AESZipFile(path, "r")
    except (pyzipper.BadZipFile, OSError, ValueError, EOFError) as error:
        raise ArchiveRefused(f"it is not a readable zip file ({error})") from None
    if password is not None:
        archive.setpassword(password)
    return archive


def member_info(name: str, *, stored: bool, size: int | None = None) -> pyzipper.ZipInfo:
    # the moment of writing, in local time as zip tools show it
    info = pyzipper.zipfile_aes.AESZipInfo(name, date_time=time.localtime()[:6])
    info.compress_type = pyzipper.ZIP_STORED if stored else pyzipper.ZIP_DEFLATED
    info.external_attr = 0o600 << 16
    if size is not None:
        info.file_size = size
    return info


def write_bytes(archive: pyzipper.AESZipFile, name: str, data: bytes) -> Item:
    """A small member (JSON), DEFLATED; its manifest entry."""
    with archive.open(member_info(name, stored=False, size=len(data)), "w") as member:
        member.write(data)
    return Item(name, len(data), hashlib.sha256(data).hexdigest())


def copy_stream(archive: pyzipper.AESZipFile, name: str, source: BinaryIO, size: int,
                on_chunk: Any = None) -> Item:
    """A large member (evidence) copied from `source` in chunks, STORED, never all in
    memory. Its sha256 is computed on the way (the caller checks it against the store)."""
    digest = hashlib.sha256()
    written = 0
    with archive.open(member_info(name, stored=True, size=size), "w",
                      force_zip64=size > 2 * 1024**3) as member:
        while chunk := source.read(CHUNK):
            member.write(chunk)
            digest.update(chunk)
            written += len(chunk)
            if on_chunk is not None:
                on_chunk(len(chunk))
    return Item(name, written, digest.hexdigest())


def is_encrypted(info: pyzipper.ZipInfo) -> bool:
    return bool(info.flag_bits & 0x1)


# --- manifest -----------------------------------------------------------------------------
def build_manifest(*, exported_at: str, source_url: str, owner: dict[str, Any],
                   items: list[Item], encrypted: bool) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": VERSION, "exportedAt": exported_at,
        "source": {"wallet": source_url}, "owner": owner, "encrypted": encrypted,
        "notMoved": [
            "share links: the links point at the old wallet; share settings move, and the "
            "owner shares again from the new wallet",
            "delegations: they are people's access to the old wallet; invite them again",
            "the online CV's address (slug): the new wallet gives the CV a new address",
        ],
        "items": [item.to_json() for item in items],
    }


def parse_manifest(value: Any) -> tuple[dict[str, Any], list[Item]]:
    """The manifest's owner and its items, or ArchiveRefused saying what is wrong."""
    if not isinstance(value, dict):
        raise ArchiveRefused("manifest.json is not a JSON object")
    if value.get("format") != FORMAT:
        raise ArchiveRefused(f"it is not an OpenDossier archive (format "
                             f"{str(value.get('format'))[:60]!r}, expected {FORMAT!r})")
    if value.get("version") != VERSION:
        raise ArchiveRefused(f"archive version {str(value.get('version'))[:20]!r} is not "
                             f"supported (this wallet reads version {VERSION})")
    owner = value.get("owner")
    if not isinstance(owner, dict) or not isinstance(owner.get("email"), str):
        raise ArchiveRefused("the manifest names no owner e-mail")
    raw_items = value.get("items")
    if not isinstance(raw_items, list):
        raise ArchiveRefused("the manifest has no list of items")
    items: list[Item] = []
    seen: set[str] = set()
    for entry in raw_items:
        if not isinstance(entry, dict):
            raise ArchiveRefused("an item in the manifest is not an object")
        path, size, sha = entry.get("path"), entry.get("size"), entry.get("sha256")
        if not isinstance(path, str) or not ITEM_NAME.fullmatch(path):
            raise ArchiveRefused(f"the manifest names a path that is not allowed: "
                                 f"{str(path)[:100]!r}")
        if path in seen:
            raise ArchiveRefused(f"the manifest lists {path} twice")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise ArchiveRefused(f"the manifest gives {path} no valid size")
        if not isinstance(sha, str) or not SHA256_HEX.fullmatch(sha):
            raise ArchiveRefused(f"the manifest gives {path} no valid sha256")
        if path.startswith("evidence/") and path != evidence_path(sha):
            raise ArchiveRefused(f"{path} is not named by its sha256")
        seen.add(path)
        items.append(Item(path, size, sha))
    if DOSSIER not in seen:
        raise ArchiveRefused("the archive has no dossier.json")
    return owner, items


# --- the holder key, wrapped with scrypt + AES-GCM ----------------------------------------
def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _scrypt_key(password: bytes, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(password)


def wrap_holder_key(key: KeyPair, did: str, password: bytes) -> dict[str, Any]:
    """holder-key.json: the secret multikey sealed under a scrypt-derived key; the public
    key (and DID) bound in as associated data."""
    salt, nonce = os.urandom(16), os.urandom(12)
    public = key.public_key_multibase()
    sealed = AESGCM(_scrypt_key(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)).encrypt(
        nonce, key.secret_key_multibase().encode(), f"{did}|{public}".encode())
    return {"type": "Multikey", "controller": did, "publicKeyMultibase": public,
            "secretKeyEncryption": {"kdf": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R,
                                    "p": SCRYPT_P, "salt": _b64(salt),
                                    "cipher": "AES-256-GCM", "nonce": _b64(nonce)},
            "encryptedSecretKeyMultibase": _b64(sealed)}


def unwrap_holder_key(value: Any, password: bytes) -> tuple[str, KeyPair]:
    """(did, key pair) from holder-key.json, or ArchiveRefused."""
    try:
        params = value["secretKeyEncryption"]
        n, r, p = int(params["n"]), int(params["r"]), int(params["p"])
        if params.get("kdf") != "scrypt" or not (2**10 <= n <= 2**20 and 1 <= r <= 16
                                                 and 1 <= p <= 4):
            raise ArchiveRefused("holder-key.json uses key derivation settings this "
                                 "wallet does not accept")
        did, public = str(value["controller"]), str(value["publicKeyMultibase"])
        secret = AESGCM(_scrypt_key(password, base64.b64decode(params["salt"]), n, r, p)
                        ).decrypt(base64.b64decode(params["nonce"]),
                                  base64.b64decode(value["encryptedSecretKeyMultibase"]),
                                  f"{did}|{public}".encode())
        pair = key_pair_from_multikey(public, secret.decode())
    except ArchiveRefused:
        raise
    except InvalidTag:
        raise ArchiveRefused("the holder key does not open with this password") from None
    except Exception as error:  # any malformed field: one clear refusal
        raise ArchiveRefused(f"holder-key.json is malformed ({type(error).__name__})") from None
    pair.id, pair.controller = f"{did}#{public}", did
    return did, pair

"""Bitstring Status List v1.0 (W3C Recommendation), and reading its VCDM 1.1 predecessor
StatusList2021.

A status list is a bitstring published inside a credential (the *list credential*); every
issued credential points at one position through a `credentialStatus` entry. Index i is bit
7 - i % 8 of byte i // 8 (most significant bit first). `encodedList` is multibase base64url
("u" prefix, no padding) of the GZIP-compressed bitstring; StatusList2021 uses the same bytes
without the multibase prefix.

Everything here is pure: fetching the list credential and verifying its proof is the caller's
job. Building lists and entries (the issuer's side) is standards.status_list_building.
Errors carry the spec's error code (`StatusListError.code`) so a verifier can report it.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from dataclasses import dataclass
from typing import Any

from standards.errors import StandardsError

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
MIN_ENTRIES = 131_072  # the spec's minimum list length (16 KB of single bits) for herd privacy
MAX_DECOMPRESSED_BYTES = 16 * 1024 * 1024  # decompression-bomb guard: 134M one-bit entries
MAX_ENCODED_CHARS = 16 * 1024 * 1024
MAX_STATUS_SIZE = 16  # bits per entry we accept; 2**16 status messages is already absurd

# Purposes named by the spec. "refresh" and "message" never invalidate a credential;
# anything else is refused, since we cannot know what a set bit would mean.
KNOWN_PURPOSES = frozenset({"revocation", "suspension", "message", "refresh"})

# Spec error codes (Bitstring Status List §3.5 and VC Data Model 2.0 §7).
MALFORMED_VALUE_ERROR = "MALFORMED_VALUE_ERROR"
STATUS_VERIFICATION_ERROR = "STATUS_VERIFICATION_ERROR"
STATUS_LIST_LENGTH_ERROR = "STATUS_LIST_LENGTH_ERROR"
RANGE_ERROR = "RANGE_ERROR"

_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_DECIMAL = re.compile(r"[0-9]+")
_HEX_STATUS = re.compile(r"0x[0-9a-fA-F]+")
_ABSOLUTE_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s]+")

# Entry type -> (list credential type, list subject type, multibase-prefixed encodedList)
_FORMATS: dict[str, tuple[str, str, bool]] = {
    "BitstringStatusListEntry": ("BitstringStatusListCredential", "BitstringStatusList", True),
    "StatusList2021Entry": ("StatusList2021Credential", "StatusList2021", False),
}


class StatusListError(StandardsError):
    """A status list, list credential or status entry is malformed or does not match."""

    def __init__(self, message: str, code: str = MALFORMED_VALUE_ERROR) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class StatusCheck:
    """The outcome of looking up one credential's status.

    `status_set` is True when the entry's status value is non-zero (revoked, suspended,
    refresh available, or a non-zero message). `index` is None for mechanisms without one
    (the 1EdTech Revocation List).
    """

    purpose: str
    index: int | None
    status_set: bool
    message: str
    status: int = 0


class StatusList:
    """A bitstring of `length` bits, all zero at creation."""

    def __init__(self, length: int = MIN_ENTRIES) -> None:
        if isinstance(length, bool) or not isinstance(length, int) or length <= 0:
            raise StatusListError(f"status list length must be a positive integer, got {length!r}")
        if length % 8:
            raise StatusListError(f"status list length must be a multiple of 8, got {length}")
        if length // 8 > MAX_DECOMPRESSED_BYTES:
            raise StatusListError(f"status list length {length} exceeds the supported maximum")
        self._bits = bytearray(length // 8)

    @property
    def length(self) -> int:
        return len(self._bits) * 8

    def __len__(self) -> int:
        return self.length

    def to_bytes(self) -> bytes:
        return bytes(self._bits)

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusList:
        if not data:
            raise StatusListError("status list bitstring is empty")
        status_list = cls(len(data) * 8)
        status_list._bits[:] = data
        return status_list

    # --- single bits --------------------------------------------------------------------
    def _check_bit(self, position: int) -> None:
        if isinstance(position, bool) or not isinstance(position, int):
            raise StatusListError(f"status list index must be an integer, got {position!r}")
        if not 0 <= position < self.length:
            raise StatusListError(
                f"status list index {position} is outside the list (0..{self.length - 1})",
                RANGE_ERROR,
            )

    def get(self, index: int) -> bool:
        self._check_bit(index)
        return bool(self._bits[index // 8] & (0x80 >> (index % 8)))

    def set(self, index: int, value: bool) -> None:
        self._check_bit(index)
        if not isinstance(value, bool):
            raise StatusListError(f"status bit must be True or False, got {value!r}")
        mask = 0x80 >> (index % 8)
        if value:
            self._bits[index // 8] |= mask
        else:
            self._bits[index // 8] &= ~mask & 0xFF

    # --- multi-bit entries (statusSize > 1): bits read most significant first ------------
    def get_status(self, index: int, status_size: int = 1) -> int:
        check_status_size(status_size)
        self._check_entry(index, status_size)
        value = 0
        for position in range(index * status_size, (index + 1) * status_size):
            value = (value << 1) | self.get(position)
        return value

    def set_status(self, index: int, value: int, status_size: int = 1) -> None:
        check_status_size(status_size)
        self._check_entry(index, status_size)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**status_size:
            raise StatusListError(f"status value {value!r} does not fit in {status_size} bit(s)")
        start = index * status_size
        for offset in range(status_size):
            self.set(start + offset, bool(value >> (status_size - 1 - offset) & 1))

    def _check_entry(self, index: int, status_size: int) -> None:
        if isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise StatusListError(f"status list index must be a non-negative integer: {index!r}")
        if (index + 1) * status_size > self.length:
            raise StatusListError(
                f"status list index {index} (statusSize {status_size}) is outside the list of "
                f"{self.length // status_size} entries",
                RANGE_ERROR,
            )

    # --- encoding -----------------------------------------------------------------------
    def encode(self, *, multibase: bool = True) -> str:
        """GZIP, base64url without padding, "u" multibase prefix (omit for StatusList2021)."""
        # Level 6 with mtime 0 reproduces the spec's example encodedList byte for byte.
        compressed = gzip.compress(bytes(self._bits), compresslevel=6, mtime=0)
        text = base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")
        return "u" + text if multibase else text

    @classmethod
    def decode(cls, encoded: object, *, multibase: bool = True) -> StatusList:
        """Inverse of `encode`; refuses malformed input and bitstrings over 16 MiB."""
        if not isinstance(encoded, str):
            raise StatusListError(f"encodedList must be a string, got {type(encoded).__name__}")
        if len(encoded) > MAX_ENCODED_CHARS:
            raise StatusListError(f"encodedList is too long ({len(encoded)} characters)")
        if multibase:
            if not encoded.startswith("u"):
                raise StatusListError(
                    "encodedList must be multibase base64url (start with 'u'), "
                    f"got {encoded[:12]!r}"
                )
            encoded = encoded[1:]
        if not _BASE64URL.fullmatch(encoded) or len(encoded) % 4 == 1:
            raise StatusListError("encodedList is not unpadded base64url")
        try:
            compressed = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError) as exc:
            raise StatusListError(f"encodedList is not valid base64url: {exc}") from exc
        return cls.from_bytes(_gunzip_capped(compressed, MAX_DECOMPRESSED_BYTES))


def _gunzip_capped(compressed: bytes, limit: int) -> bytes:
    """Decompress exactly one GZIP member, refusing more than `limit` bytes of output."""
    if compressed[:2] != b"\x1f\x8b":
        raise StatusListError("encodedList is not GZIP data (missing the 1f 8b header)")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(compressed, limit + 1)
    except zlib.error as exc:
        raise StatusListError(f"encodedList GZIP data is corrupt: {exc}") from exc
    if len(data) > limit:
        raise StatusListError(
            f"encodedList expands to more than {limit} bytes (decompression bomb refused)"
        )
    if not inflater.eof:
        raise StatusListError("encodedList GZIP data is truncated")
    if inflater.unused_data:
        raise StatusListError("encodedList has trailing data after the GZIP stream")
    return data


def check_status_size(status_size: Any) -> None:
    """statusSize: the bits of one entry, an integer from 1 to MAX_STATUS_SIZE."""
    if isinstance(status_size, bool) or not isinstance(status_size, int) or status_size < 1:
        raise StatusListError(f"statusSize must be an integer greater than zero: {status_size!r}")
    if status_size > MAX_STATUS_SIZE:
        raise StatusListError(
            f"statusSize {status_size} is not supported (at most {MAX_STATUS_SIZE} bits)"
        )


# --- checking (verifier side) ---------------------------------------------------------------
def check_status_entry(
    entry: dict[str, Any],
    list_credential: dict[str, Any],
    *,
    minimum_entries: int = MIN_ENTRIES,
) -> StatusCheck:
    """Look up `entry` (a BitstringStatusListEntry or StatusList2021Entry) in `list_credential`.

    Follows the spec's validate algorithm (§3.2) after the fetch and proof steps, which are the
    caller's. `minimum_entries` is the herd-privacy floor; an ecosystem may lower it.
    """
    if not isinstance(entry, dict):
        raise StatusListError("credentialStatus entry must be a JSON object")
    entry_type = entry.get("type")
    if entry_type not in _FORMATS:
        raise StatusListError(
            f"unsupported credentialStatus type {entry_type!r}; expected one of {sorted(_FORMATS)}"
        )
    list_type, subject_type, multibase = _FORMATS[entry_type]

    purpose = entry.get("statusPurpose")
    if not isinstance(purpose, str):
        raise StatusListError("credentialStatus.statusPurpose must be a string")
    if purpose not in KNOWN_PURPOSES:
        raise StatusListError(
            f"unknown status purpose {purpose!r}; this verifier understands "
            f"{sorted(KNOWN_PURPOSES)}",
            STATUS_VERIFICATION_ERROR,
        )
    raw_index = entry.get("statusListIndex")
    if not isinstance(raw_index, str) or not _DECIMAL.fullmatch(raw_index):
        raise StatusListError(
            f"statusListIndex must be a base-10 integer string, got {raw_index!r}"
        )
    index = int(raw_index)
    list_url = entry.get("statusListCredential")
    if not isinstance(list_url, str) or not list_url:
        raise StatusListError("credentialStatus.statusListCredential must be a URL")
    status_size = entry.get("statusSize", 1)
    check_status_size(status_size)
    messages = status_messages(entry.get("statusMessage"), status_size)
    if "statusReference" in entry:
        check_status_reference(entry["statusReference"])

    subject = _list_subject(list_credential, list_type, subject_type, list_url)
    list_purposes = subject.get("statusPurpose")
    if isinstance(list_purposes, str):
        list_purposes = [list_purposes]
    if not isinstance(list_purposes, list) or not all(isinstance(p, str) for p in list_purposes):
        raise StatusListError("the status list's statusPurpose must be one or more strings")
    if purpose not in list_purposes:
        raise StatusListError(
            f"status purpose mismatch: the entry says {purpose!r}, the list at {list_url} "
            f"is for {list_purposes}",
            STATUS_VERIFICATION_ERROR,
        )
    list_status_size = subject.get("statusSize", status_size)
    if list_status_size != status_size:
        raise StatusListError(
            f"statusSize mismatch: entry {status_size!r}, list {list_status_size!r}",
            STATUS_VERIFICATION_ERROR,
        )

    bitstring = StatusList.decode(subject.get("encodedList"), multibase=multibase)
    entries = bitstring.length // status_size
    if entries < minimum_entries:
        raise StatusListError(
            f"status list at {list_url} has {entries} entries, fewer than the minimum "
            f"{minimum_entries}",
            STATUS_LIST_LENGTH_ERROR,
        )
    status = bitstring.get_status(index, status_size)
    # Without statusMessage the spec names the two values "set" and "unset".
    message = messages[status] if messages is not None else ("set" if status else "unset")
    return StatusCheck(
        purpose=purpose, index=index, status_set=status != 0, message=message, status=status
    )


def _list_subject(
    list_credential: dict[str, Any], list_type: str, subject_type: str, list_url: str
) -> dict[str, Any]:
    if not isinstance(list_credential, dict):
        raise StatusListError("the status list credential must be a JSON object")
    types = list_credential.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or list_type not in types:
        raise StatusListError(
            f"the credential at {list_url} is not a {list_type} (type {types!r})",
            STATUS_VERIFICATION_ERROR,
        )
    # The list credential MAY carry an id; if it does, it has to be the URL the entry names,
    # otherwise a holder could staple some other list.
    list_id = list_credential.get("id")
    if list_id is not None and list_id != list_url:
        raise StatusListError(
            f"the status list credential's id {list_id!r} is not the entry's "
            f"statusListCredential {list_url!r}",
            STATUS_VERIFICATION_ERROR,
        )
    subject = list_credential.get("credentialSubject")
    if isinstance(subject, list) and len(subject) == 1:
        subject = subject[0]
    if not isinstance(subject, dict):
        raise StatusListError("the status list credential must have exactly one credentialSubject")
    subject_types = subject.get("type")
    subject_types = [subject_types] if isinstance(subject_types, str) else subject_types
    if not isinstance(subject_types, list) or subject_type not in subject_types:
        raise StatusListError(
            f"the status list's credentialSubject.type must be {subject_type!r}, "
            f"got {subject.get('type')!r}",
            STATUS_VERIFICATION_ERROR,
        )
    return subject


def status_messages(raw: Any, status_size: int) -> list[str] | None:
    """`statusMessage` (spec §2.1) as a list of messages indexed by status value, or None if
    absent (allowed for statusSize 1 only): 2^statusSize objects, each a 0x-prefixed hex
    `status` and a `message`, every value once."""
    if raw is None:
        if status_size > 1:
            raise StatusListError("statusMessage is required when statusSize is greater than 1")
        return None
    count = 2**status_size
    if not isinstance(raw, list) or len(raw) != count:
        raise StatusListError(
            f"statusMessage must be an array of {count} entries for statusSize {status_size}"
        )
    messages: list[str | None] = [None] * count
    for item in raw:
        if not isinstance(item, dict):
            raise StatusListError("each statusMessage entry must be an object")
        status, message = item.get("status"), item.get("message")
        if not isinstance(status, str) or not _HEX_STATUS.fullmatch(status):
            raise StatusListError(
                f"statusMessage status must be a 0x-prefixed hex string: {status!r}"
            )
        if not isinstance(message, str):
            raise StatusListError(f"statusMessage {status} has no message string")
        value = int(status, 16)
        if value >= count or messages[value] is not None:
            raise StatusListError(f"statusMessage status {status} is out of range or repeated")
        messages[value] = message
    return [m for m in messages if m is not None]


def check_status_reference(raw: Any) -> None:
    """`statusReference` (spec §2.1): a URL or an array of URLs."""
    references = raw if isinstance(raw, list) else [raw]
    if not references or not all(
            isinstance(item, str) and _ABSOLUTE_URL.fullmatch(item) for item in references):
        raise StatusListError(f"statusReference must be a URL or an array of URLs: {raw!r:.80}")

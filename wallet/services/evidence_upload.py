"""Receiving an evidence file STREAMED: the request body is parsed as it arrives and the file
part goes straight into a BlobWriter, so no upload is ever held in memory, whatever its size.

Two ways in, both giving a `Received` (the form fields and the still-unfinished file):
- `receive_multipart`: a `multipart/form-data` body (the page's form, scripts, the API),
  parsed incrementally with python_multipart's callback parser;
- `receive_raw`: the body is the file itself (fields in the query string).

What the file is, is sniffed from its first bytes as soon as they are in (a refused type stops
the upload there, 415); the size limit stops it as soon as it is passed (413), or before the
first byte when the declared size already passes it or the dossier's quota
(`check_declared_upload`). Both are context managers: leaving them without the file being
finished, by any exception, a refusal or a client that went away, deletes the temporary
file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from sqlmodel import Session
from starlette.requests import ClientDisconnect

from servicekit.errors import Invalid, TooLarge, UnsupportedType
from wallet.db import session_scope
from wallet.evidence_store import BlobTooLarge, BlobWriter, EvidenceStore
from wallet.models import Evidence
from wallet.services.access import Actor
from wallet.services.context import WalletContext
from wallet.services.evidence import add_file, add_note, discard_blob, fields_from
from wallet.services.evidence_types import (
    SNIFF_BYTES,
    Sniffed,
    UnsupportedFile,
    Utf8Check,
    check_declared_kind,
    sniff,
)
from wallet.services.storage_quota import require_room

if TYPE_CHECKING:  # python-multipart defines its callback TypedDict for type checkers only
    from python_multipart.multipart import MultipartCallbacks

MAX_FIELDS = 50
MAX_FIELD_BYTES = 100_000  # a description of 20,000 characters in any script
MAX_FIELDS_BYTES = 400_000
# Room for the form fields and part headers next to the file, when judging Content-Length.
FORM_OVERHEAD_BYTES = MAX_FIELDS_BYTES + 64 * 1024


@dataclass
class ReceivedFile:
    writer: BlobWriter  # all bytes in, not finished: the service finishes it into the store
    sniffed: Sniffed
    filename: str


@dataclass
class Received:
    fields: dict[str, list[str]] = field(default_factory=dict)
    file: ReceivedFile | None = None


def too_large(max_bytes: int) -> TooLarge:
    return TooLarge(f"the file is larger than the limit of {_size_text(max_bytes)}")


def _size_text(size: int) -> str:
    return f"{size / 1024**2:.0f} MB" if size >= 1024**2 else f"{size} bytes"


def check_declared_upload(ctx: WalletContext, actor: Actor, declared_bytes: int | None, *,
                          multipart: bool) -> None:
    """413 before a byte is read, when the body size the request declares (None: none)
    already says the file will be refused once it has arrived: larger than the upload limit,
    or than the room left in the dossier. Of a multipart body, up to FORM_OVERHEAD_BYTES may
    be form fields and part headers; a raw body is the file."""
    if declared_bytes is None:
        return
    file_bytes = declared_bytes - (FORM_OVERHEAD_BYTES if multipart else 0)
    max_bytes = ctx.settings.max_upload_bytes
    if file_bytes > max_bytes:
        raise too_large(max_bytes)
    if file_bytes > 0:
        with Session(ctx.engine) as session:
            require_room(ctx, session, actor.owner_id, file_bytes)


class FileSink:
    """The bytes of one file: into the writer, sniffed once the first SNIFF_BYTES are in.
    Every way a file comes in goes through it (uploads, and each file of an archive import):
    the same size limit, type sniffing and refused types."""

    def __init__(self, writer: BlobWriter, filename: str,
                 declared_kind: Callable[[], str]) -> None:
        self.writer = writer
        self.filename = filename
        self.declared_kind = declared_kind
        self.head = bytearray()
        self.sniffed: Sniffed | None = None
        self.utf8: Utf8Check | None = None

    def write(self, data: bytes) -> None:
        try:
            self.writer.write(data)
        except BlobTooLarge:
            raise too_large(self.writer.max_bytes) from None
        if self.sniffed is None:
            needed = SNIFF_BYTES - len(self.head)
            self.head += data[:needed]
            if len(self.head) >= SNIFF_BYTES:
                self._sniff()
                self._check_text(data[needed:])
        else:
            self._check_text(data)

    def _sniff(self) -> Sniffed:
        sniffed = self.sniffed = sniff(bytes(self.head), self.filename)
        check_declared_kind(self.declared_kind(), sniffed)
        if sniffed.is_text:
            self.utf8 = Utf8Check()
            self.utf8.feed(bytes(self.head))
        return sniffed

    def _check_text(self, data: bytes) -> None:
        if self.utf8 is not None and data:
            self.utf8.feed(data)

    def end(self) -> ReceivedFile:
        if self.writer.size == 0:
            raise UnsupportedFile("the file is empty")
        sniffed = self.sniffed or self._sniff()
        if self.utf8 is not None:
            self.utf8.feed(b"", final=True)
        return ReceivedFile(self.writer, sniffed, self.filename)


class _MultipartForm:
    """python_multipart callbacks collecting fields and streaming the one file part."""

    def __init__(self, store: EvidenceStore, max_bytes: int, stack: AsyncExitStack,
                 before_file: Callable[[dict[str, list[str]]], None] | None) -> None:
        self.store, self.max_bytes, self.stack = store, max_bytes, stack
        self.before_file = before_file
        self.received = Received()
        self.fields_bytes = 0
        self.ended = False
        self._header_name = bytearray()
        self._header_value = bytearray()
        self._headers: dict[bytes, bytes] = {}
        self._field_name: str | None = None
        self._field_value = bytearray()
        self._file: FileSink | None = None
        self._file_name: str | None = None  # set while in a file part

    def callbacks(self) -> MultipartCallbacks:
        return {"on_part_begin": self.part_begin, "on_header_field": self.header_field,
                "on_header_value": self.header_value, "on_header_end": self.header_end,
                "on_headers_finished": self.headers_finished, "on_part_data": self.part_data,
                "on_part_end": self.part_end, "on_end": self.end}

    def part_begin(self) -> None:
        self._headers = {}
        self._field_name, self._field_value = None, bytearray()
        self._file, self._file_name = None, None

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        self._headers[bytes(self._header_name).lower()] = bytes(self._header_value)
        self._header_name, self._header_value = bytearray(), bytearray()

    def headers_finished(self) -> None:
        disposition, options = parse_options_header(self._headers.get(b"content-disposition"))
        if disposition != b"form-data" or b"name" not in options:
            raise Invalid("malformed multipart body: a part without a form-data name")
        name = options[b"name"].decode("utf-8", errors="replace")
        if b"filename" not in options:
            if len(self.received.fields) >= MAX_FIELDS:
                raise Invalid(f"too many form fields (at most {MAX_FIELDS})")
            self._field_name = name
            return
        filename = options[b"filename"].decode("utf-8", errors="replace")
        if name != "file":
            raise Invalid(f"the file must be sent in a field named 'file', not {name!r}")
        if self.received.file is not None:
            raise Invalid("send one file per evidence item")
        if self.before_file is not None:
            self.before_file(self.received.fields)  # e.g. the page's CSRF check
        # A form sent without choosing a file still has a file part, with no name and no
        # bytes: that is a note. The writer is made only once a byte arrives.
        self._file_name = filename
        if filename:
            self._open_file()

    def _open_file(self) -> None:
        writer = self.stack.enter_context(self.store.writer(self.max_bytes))
        self._file = FileSink(writer, self._file_name or "", self._declared_kind)

    def _declared_kind(self) -> str:
        kinds = self.received.fields.get("kind") or [""]
        return kinds[-1].strip().lower()

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._file is None and self._file_name is not None and end > start:
            self._open_file()
        if self._file is not None:
            self._file.write(data[start:end])
        elif self._field_name is not None:
            self.fields_bytes += end - start
            if len(self._field_value) + end - start > MAX_FIELD_BYTES \
                    or self.fields_bytes > MAX_FIELDS_BYTES:
                raise TooLarge(f"the form field {self._field_name!r} is too long")
            self._field_value += data[start:end]

    def part_end(self) -> None:
        if self._file is not None:
            self.received.file = self._file.end()
            self._file = None
        elif self._field_name is not None:
            try:
                value = self._field_value.decode("utf-8")
            except UnicodeDecodeError:
                raise Invalid(f"the form field {self._field_name!r} is not UTF-8 "
                              "text") from None
            self.received.fields.setdefault(self._field_name, []).append(value)

    def end(self) -> None:
        self.ended = True


@asynccontextmanager
async def receive_multipart(store: EvidenceStore, content_type: str,
                            body: AsyncIterator[bytes], max_bytes: int, *,
                            before_file: Callable[[dict[str, list[str]]], None] | None = None,
                            ) -> AsyncIterator[Received]:
    """Parse a multipart/form-data body as it streams in. `before_file(fields)` is called
    with the fields that came before the file part, before any byte of the file is taken
    (the page puts its CSRF token first and checks it there)."""
    media_type, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if media_type != b"multipart/form-data" or not boundary:
        raise UnsupportedType("send the evidence as multipart/form-data with a boundary")
    async with AsyncExitStack() as stack:
        form = _MultipartForm(store, max_bytes, stack, before_file)
        parser = MultipartParser(boundary, form.callbacks())
        try:
            async for chunk in body:
                # In the event loop, not a thread: a chunk (~64 KB) costs microseconds to
                # hash and hand to the page cache; the fsync happens in save_received.
                parser.write(chunk)
            parser.finalize()
        except FormParserError as error:
            raise Invalid(f"malformed multipart body: {error}") from None
        except ClientDisconnect:
            raise Invalid("the upload broke off before it was complete") from None
        if not form.ended:
            raise Invalid("the upload is incomplete: the multipart body ended before "
                          "its closing boundary")
        yield form.received


@asynccontextmanager
async def receive_raw(store: EvidenceStore, body: AsyncIterator[bytes], max_bytes: int,
                      filename: str, declared_kind: str) -> AsyncIterator[ReceivedFile]:
    """The body is the file itself."""
    with store.writer(max_bytes) as writer:
        sink = FileSink(writer, filename, lambda: declared_kind)
        try:
            async for chunk in body:
                if chunk:
                    sink.write(chunk)
        except ClientDisconnect:
            raise Invalid("the upload broke off before it was complete") from None
        yield sink.end()


def save_received(ctx: WalletContext, actor: Actor, received: Received) -> Evidence:
    """The item for what came in: a note when there is no file. Blocking (the file is
    fsynced and moved into place): run it in a worker thread from async code."""
    fields = fields_from(received.fields)
    upload = received.file
    try:
        with session_scope(ctx.engine) as session:
            if upload is None:
                return add_note(session, actor, fields)
            return add_file(ctx, session, actor, fields, upload.writer, upload.sniffed,
                            upload.filename)
    except BaseException:
        if upload is not None and upload.writer.blob is not None:
            discard_blob(ctx, upload.writer.blob.sha256)
        raise

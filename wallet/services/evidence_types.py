"""What an evidence file really is, from its first bytes (library `filetype`), never from the
name or the Content-Type the browser sent: only photos, videos, audio recordings and
documents the wallet can show safely are taken in.

Markup (HTML, SVG, XML) and executables are refused: a file served back from the wallet's
own origin must never run script there (stored XSS). Plain text (.txt, .md) is the one kind
without magic bytes; it is taken as text/plain when it is UTF-8 and does not start like
markup, and the upload checks that the whole file is UTF-8.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

import filetype

from servicekit.errors import Refused, UnsupportedType

SNIFF_BYTES = 8192  # what filetype looks at

# media type found -> (kind, media type stored and served, a name people know)
ACCEPTED: dict[str, tuple[str, str, str]] = {
    "image/jpeg": ("photo", "image/jpeg", "JPEG photo"),
    "image/png": ("photo", "image/png", "PNG image"),
    "image/gif": ("photo", "image/gif", "GIF image"),
    "image/webp": ("photo", "image/webp", "WebP image"),
    "image/heic": ("photo", "image/heic", "HEIC photo"),
    "video/mp4": ("video", "video/mp4", "MP4 video"),
    "video/quicktime": ("video", "video/quicktime", "QuickTime (MOV) video"),
    "video/webm": ("video", "video/webm", "WebM video"),
    "audio/mpeg": ("audio", "audio/mpeg", "MP3 audio"),
    "audio/mp4": ("audio", "audio/mp4", "M4A audio"),
    "audio/ogg": ("audio", "audio/ogg", "Ogg audio"),
    "audio/x-wav": ("audio", "audio/wav", "WAV audio"),
    "application/pdf": ("document", "application/pdf", "PDF document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document":
        ("document", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "Word document (docx)"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        ("document", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "Excel spreadsheet (xlsx)"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation":
        ("document",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation",
         "PowerPoint presentation (pptx)"),
    "application/vnd.oasis.opendocument.text":
        ("document", "application/vnd.oasis.opendocument.text", "OpenDocument text (odt)"),
}
TEXT_EXTENSIONS = (".txt", ".md", ".markdown")
TEXT_MEDIA_TYPE = "text/plain; charset=utf-8"
FILE_KINDS = ("photo", "video", "audio", "document")
KIND_NAMES = {"photo": "a photo", "video": "a video", "audio": "an audio recording",
              "document": "a document", "note": "a note"}
_MARKUP_STARTS = (b"<!doctype", b"<html", b"<head", b"<body", b"<svg", b"<?xml", b"<script",
                  b"<iframe", b"<object", b"<embed", b"<meta", b"<link", b"<style", b"<div",
                  b"<a ", b"<img", b"<form", b"<!--")
WHAT_IS_ACCEPTED = ("photos (JPEG, PNG, GIF, WebP, HEIC), videos (MP4, MOV, WebM), audio "
                    "(MP3, M4A, Ogg, WAV) and documents (PDF, docx, xlsx, pptx, odt, "
                    "plain text .txt/.md)")


class UnsupportedFile(UnsupportedType):
    """A file of a type the wallet does not keep, or not the type it was sent as."""


@dataclass(frozen=True)
class Sniffed:
    kind: str  # photo | video | audio | document
    media_type: str
    description: str

    @property
    def is_text(self) -> bool:
        return self.media_type == TEXT_MEDIA_TYPE

    @property
    def served_inline(self) -> bool:
        """Photos, videos and audio are shown in the page; documents are downloaded."""
        return self.kind in ("photo", "video", "audio")


def looks_like_markup(head: bytes) -> bool:
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n\f").lower()
    return start.startswith(_MARKUP_STARTS)


def _found_name(head: bytes) -> str:
    """How to name what was found, for the refusal."""
    if not head:
        return "an empty file"
    if looks_like_markup(head):
        return "HTML/XML markup (web pages and SVG images could run script)"
    guessed = filetype.guess(head)
    if guessed is not None:
        return f"{guessed.mime} (.{guessed.extension})"
    return "data of an unknown type"


def sniff(head: bytes, filename: str) -> Sniffed:
    """The kind of file whose first bytes are `head` (up to SNIFF_BYTES, fewer only when the
    file is that short); UnsupportedFile (415) naming what was found otherwise."""
    guessed = filetype.guess(head) if head else None
    if guessed is not None and guessed.mime in ACCEPTED:
        kind, media_type, description = ACCEPTED[guessed.mime]
        return Sniffed(kind, media_type, description)
    if guessed is None and head and filename.lower().endswith(TEXT_EXTENSIONS) \
            and not looks_like_markup(head):
        if b"\x00" in head or not _utf8_start(head):
            raise UnsupportedFile("this text file is not valid UTF-8; save it as UTF-8 "
                                  "text, or as PDF")
        return Sniffed("document", TEXT_MEDIA_TYPE, "plain text")
    raise UnsupportedFile(f"this file is {_found_name(head)}; the wallet accepts "
                          f"{WHAT_IS_ACCEPTED}")


def _utf8_start(head: bytes) -> bool:
    try:
        # not final: the head may end in the middle of a character
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def check_declared_kind(declared: str, sniffed: Sniffed) -> None:
    """A kind chosen by the sender must be what the file is (415 otherwise)."""
    if declared == "note":
        raise Refused("a note has no file; leave the file out, or choose another kind")
    if declared and declared not in FILE_KINDS:
        raise Refused(f"the kind must be one of {', '.join(FILE_KINDS)} or note, not "
                      f"{declared[:40]!r}")
    if declared and declared != sniffed.kind:
        raise UnsupportedFile(f"the evidence was sent as {KIND_NAMES.get(declared, declared)}, "
                              f"but the file is {sniffed.description} ({sniffed.kind})")


class Utf8Check:
    """Checks, chunk by chunk, that a text file is UTF-8 all the way through."""

    def __init__(self) -> None:
        self._decoder = codecs.getincrementaldecoder("utf-8")()

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        try:
            self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError:
            raise UnsupportedFile("this text file is not valid UTF-8; save it as UTF-8 "
                                  "text, or as PDF") from None

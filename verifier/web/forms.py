"""Reading the check form of the employer page: a file, a link or text, within limits.

The body is read into memory under a limit first (servicekit.http_body), then parsed by
Starlette's own form parsers from there, so that nothing past the limit is ever spooled.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass

from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import FormParser, MultiPartException, MultiPartParser
from starlette.requests import Request

from servicekit.http_body import BodyError, read_body

MAX_FILE_BYTES = 10 * 1024 * 1024
# Room for the multipart boundaries and the other (small) fields around the file.
FORM_OVERHEAD_BYTES = 64 * 1024


@dataclass(frozen=True)
class CheckForm:
    """What was filled in; empty fields are "" and a file input left empty is None."""

    file: tuple[str, bytes] | None  # (file name, content)
    link: str
    text: str

    def given(self) -> list[str]:
        """The names of the fields that hold something."""
        return [name for name, value in (("file", self.file), ("link", self.link.strip()),
                                         ("text", self.text.strip())) if value]


async def read_check_form(request: Request, max_text_bytes: int) -> CheckForm:
    """The form, as multipart/form-data (the page's) or urlencoded (curl -d); BodyError 413
    for a file over MAX_FILE_BYTES or text over `max_text_bytes`, 400 when malformed."""
    too_large = f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB"
    body = await read_body(request, MAX_FILE_BYTES + FORM_OVERHEAD_BYTES, too_large)
    form = await _parse(request, body, max_part_size=max(MAX_FILE_BYTES, max_text_bytes))
    try:
        upload = form.get("file")
        file = None
        if isinstance(upload, UploadFile) and (upload.filename or upload.size):
            content = await upload.read()
            if len(content) > MAX_FILE_BYTES:
                raise BodyError(too_large, 413)
            file = (upload.filename or "", content)
        link, text = _text(form, "link"), _text(form, "text")
    finally:
        await form.close()
    if len(text.encode("utf-8")) > max_text_bytes or len(link) > max_text_bytes:
        raise BodyError(f"the text is larger than {max_text_bytes} bytes", 413)
    return CheckForm(file=file, link=link, text=text)


async def _parse(request: Request, body: bytes, max_part_size: int) -> FormData:
    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    content_type = request.headers.get("content-type", "")
    try:
        if content_type.startswith("multipart/form-data"):
            return await MultiPartParser(request.headers, stream(), max_files=1, max_fields=10,
                                         max_part_size=max_part_size).parse()
        if content_type.startswith("application/x-www-form-urlencoded"):
            return await FormParser(request.headers, stream(), max_fields=10,
                                    max_part_size=max_part_size).parse()
    except MultiPartException as error:
        raise BodyError(f"the form cannot be read: {error.message}") from None
    raise BodyError("send the form as multipart/form-data", 415)


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""

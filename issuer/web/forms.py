"""Reading posted forms: trimmed text, optional fields, dates, uploads with a size limit.

Problems found here are ours, so they carry a catalogue key (`FormProblem`) and are shown
in the page's language; problems found by the services come as domain errors (servicekit.errors).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from starlette.datastructures import FormData, UploadFile

from issuer.web.auth import CSRF_FIELD


class FormProblem(Exception):
    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(key)
        self.key = key
        self.values = values


def text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def optional(form: FormData, name: str) -> str | None:
    return text(form, name) or None


def values_of(form: FormData) -> dict[str, Any]:
    """What the user typed, to show again with an error (files and the CSRF token left out;
    fields given more than once, like checkboxes, as lists)."""
    kept: dict[str, Any] = {}
    for name in form:
        if name == CSRF_FIELD:
            continue
        items = [item for item in form.getlist(name) if isinstance(item, str)]
        if items:
            kept[name] = items if len(items) > 1 else items[0]
    return kept


def parse_day(value: str, field_key: str) -> date | None:
    """A date from `<input type="date">` (YYYY-MM-DD); empty gives None."""
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise FormProblem("form.bad_date", field=field_key, value=value[:40]) from None


def start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def day_after(day: date) -> datetime:
    return start_of(day) + timedelta(days=1)


def rfc3339(day: date | None, *, end_of_day: bool = False) -> str | None:
    """Start of `day` in UTC as RFC 3339, or its last second (a "valid until" date is meant
    to include the whole day)."""
    if day is None:
        return None
    moment = day_after(day) - timedelta(seconds=1) if end_of_day else start_of(day)
    return moment.isoformat().replace("+00:00", "Z")


def positive_int(value: str, field_key: str) -> int | None:
    if not value:
        return None
    if not value.isdigit() or int(value) <= 0:
        raise FormProblem("form.bad_number", field=field_key, value=value[:40])
    return int(value)


def upload_bytes(form: FormData, name: str, limit: int) -> tuple[str, bytes]:
    """The uploaded file's name and content; FormProblem when missing or over `limit`.

    Reads the spooled file directly: the pages run in the thread pool, not the event loop."""
    upload = form.get(name)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise FormProblem("form.file_missing")
    upload.file.seek(0)
    content = upload.file.read(limit + 1)
    if len(content) > limit:
        raise FormProblem("form.file_too_large", megabytes=limit // (1024 * 1024))
    if not content:
        raise FormProblem("form.file_empty")
    return upload.filename, content

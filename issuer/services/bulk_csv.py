"""Reading a bulk-issue CSV of recipients.

The header is checked first and refuses the whole file when wrong (nothing is created); each
row is checked on its own afterwards, so one bad row gets its own error and never stops the
others. Rows are parsed one at a time from the bytes (streaming, memory stays flat).

Columns: `recipient` (e-mail address or DID, required), `name`, `reference` (tells two awards
of the same achievement to the same person apart), `evidence_url`, `evidence_name`,
`evidence_narrative`, `result_value`, `achieved_level`, `valid_from`, `valid_until`.
Delimiter `,` or `;` (as Excel writes it in Dutch); UTF-8 with or without BOM. Row numbers are
as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from servicekit.errors import Refused, TooLarge
from standards.dates import parse_datetime
from standards.ob3 import Evidence, Result

MAX_CSV_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
COLUMNS = ("recipient", "name", "reference", "evidence_url", "evidence_name",
           "evidence_narrative", "result_value", "achieved_level", "valid_from", "valid_until")
MAX_CELL = {"recipient": 500, "name": 300, "reference": 200, "evidence_url": 2000,
            "evidence_name": 500, "evidence_narrative": 10_000, "result_value": 200,
            "achieved_level": 500, "valid_from": 40, "valid_until": 40}

_EMAIL = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")
_DID = re.compile(r"^did:[a-z0-9]+:(?:[A-Za-z0-9._%-]*:)*[A-Za-z0-9._%-]+$")


class RowError(ValueError):
    """What is wrong with one row; becomes that row's error result."""


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str
    columns: tuple[str | None, ...]  # None: a column without a name, ignored when empty


@dataclass(frozen=True)
class RecipientRow:
    """One checked row, ready to issue."""

    row_number: int
    recipient: str  # normalised: e-mail lower-cased, DID as written
    kind: str  # "email" | "did"
    name: str | None
    reference: str
    evidence: tuple[Evidence, ...]
    results: tuple[Result, ...]
    valid_from: datetime  # now when the row gives none
    valid_until: datetime | None  # the achievement's validity period when the row gives none


@dataclass(frozen=True)
class BadRow:
    row_number: int
    recipient: str
    message: str


def text_of(csv_bytes: bytes) -> io.TextIOWrapper:
    # utf-8-sig drops a BOM when there is one; newline="" as the csv module requires.
    return io.TextIOWrapper(io.BytesIO(csv_bytes), encoding="utf-8-sig", newline="")


def read_layout(csv_bytes: bytes) -> CsvLayout:
    """The delimiter and columns from the header row; ServiceError (422) when it is wrong."""
    if len(csv_bytes) > MAX_CSV_BYTES:
        raise TooLarge(f"the file is larger than {MAX_CSV_BYTES // (1024 * 1024)} MB; "
                       "split it into several files")
    _check_utf8(csv_bytes)
    first_line = text_of(csv_bytes).readline().strip("\r\n")
    if not first_line.strip():
        raise Refused("the file is empty or its first line is blank; the first line must "
                      f"name the columns, e.g. {','.join(COLUMNS[:3])}")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    header = next(csv.reader([first_line], delimiter=delimiter))
    columns: list[str | None] = []
    unknown = []
    for raw in header:
        name = re.sub(r"[\s-]+", "_", raw.strip().lower())
        if not name:
            columns.append(None)
            continue
        if name not in COLUMNS:
            unknown.append(raw.strip())
        elif name in columns:
            raise Refused(f"the column {name!r} appears twice in the header")
        columns.append(name)
    problems = [] if "recipient" in columns else [
        "the header has no 'recipient' column (an e-mail address or DID per row)"]
    if unknown:
        problems.append(f"unknown column(s) {unknown} in the header")
    if problems:
        raise Refused(f"{'; '.join(problems)}; the columns are {', '.join(COLUMNS)}")
    return CsvLayout(delimiter, tuple(columns))


def count_rows(csv_bytes: bytes, layout: CsvLayout) -> int:
    """Data rows in the file (blank rows not counted). Reads it all, so a file the csv module
    cannot read is refused here, before any job exists."""
    total = 0
    for _number, _cells in iter_rows(csv_bytes, layout):
        total += 1
        if total > MAX_ROWS:
            raise Refused(f"the file has more than {MAX_ROWS} rows; split it into several "
                          "files")
    if total == 0:
        raise Refused("the file has a header but no recipient rows")
    return total


def iter_rows(csv_bytes: bytes, layout: CsvLayout) -> Iterator[tuple[int, list[str]]]:
    """(row number, cells) of every row that is not blank, after the header."""
    reader = csv.reader(text_of(csv_bytes), delimiter=layout.delimiter)
    try:
        next(reader)  # the header
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                yield number, cells
    except csv.Error as error:
        raise Refused(f"the file cannot be read as CSV near line {reader.line_num}: "
                      f"{error}") from None


def checked_rows(csv_bytes: bytes, layout: CsvLayout, rules: ResultRules, *,
                 valid_days: int | None) -> Iterator[RecipientRow | BadRow]:
    """Every row of the file, checked: ready to issue, or what is wrong with it."""
    position = layout.columns.index("recipient")
    for number, cells in iter_rows(csv_bytes, layout):
        try:
            yield parse_row(number, cells_by_column(layout, cells), rules, valid_days=valid_days)
        except RowError as error:
            recipient = cells[position].strip()[:500] if position < len(cells) else ""
            yield BadRow(number, recipient, str(error))


def cells_by_column(layout: CsvLayout, cells: list[str]) -> dict[str, str]:
    """The row's cells by column name; RowError for a value outside the named columns."""
    values: dict[str, str] = {}
    for position, cell in enumerate(cells):
        name = layout.columns[position] if position < len(layout.columns) else None
        if name is None:
            if cell.strip():
                raise RowError(f"column {position + 1} holds {cell.strip()[:40]!r} but has no "
                               "name in the header")
            continue
        values[name] = cell.strip()
    return values


@dataclass
class ResultRules:
    """How `achieved_level` and `result_value` map onto the achievement's result descriptions."""

    levels: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # key -> (rd, level)
    level_names: list[str] = field(default_factory=list)
    value_target: str | None = None  # the ResultDescription id a result_value belongs to
    allowed_values: tuple[str, ...] = ()

    @classmethod
    def of(cls, achievement: dict[str, Any]) -> ResultRules:
        rules = cls()
        descriptions = [d for d in achievement.get("resultDescription", [])
                        if isinstance(d, dict)]
        for description in descriptions:
            for level in description.get("rubricCriterionLevel") or []:
                rules.level_names.append(str(level.get("name", "")))
                for key in {str(level.get("id", "")).lower(), str(level.get("name", "")).lower()}:
                    if key:
                        rules.levels.setdefault(key, []).append((description["id"], level["id"]))
        plain = [d for d in descriptions if not d.get("rubricCriterionLevel")]
        target = plain[0] if plain else (descriptions[0] if descriptions else None)
        if target is not None:
            rules.value_target = target["id"]
            rules.allowed_values = tuple(str(v) for v in target.get("allowedValue") or ())
        return rules

    def results(self, level: str, value: str) -> tuple[Result, ...]:
        chosen: tuple[str, str] | None = None
        if level:
            matches = self.levels.get(level.lower())
            if not matches:
                raise RowError(f"achieved_level {level[:60]!r} is not a level of this "
                               "achievement" + (f"; choose one of {self.level_names}"
                                                if self.level_names else
                                                " (it has no rubric levels)"))
            if len(set(matches)) > 1:
                raise RowError(f"achieved_level {level[:60]!r} names a level of several "
                               "results; give the level's id instead")
            chosen = matches[0]
        if value and self.allowed_values and value not in self.allowed_values:
            raise RowError(f"result_value {value[:60]!r} is not allowed for this achievement; "
                           f"choose one of {list(self.allowed_values)}")
        results = []
        if chosen and value and chosen[0] == self.value_target:
            return (Result(result_description=chosen[0], achieved_level=chosen[1],
                           value=value),)
        if chosen:
            results.append(Result(result_description=chosen[0], achieved_level=chosen[1]))
        if value:
            results.append(Result(result_description=self.value_target, value=value))
        return tuple(results)


def parse_row(number: int, values: dict[str, str], rules: ResultRules, *,
              valid_days: int | None = None) -> RecipientRow:
    """The checked row; RowError naming the first problem found. `valid_days`: the
    achievement's validity period, giving `valid_until` when the row has none."""
    for name, value in values.items():
        if len(value) > MAX_CELL[name]:
            raise RowError(f"{name} is longer than {MAX_CELL[name]} characters")
    recipient = values.get("recipient", "")
    if not recipient:
        raise RowError("recipient is empty; give an e-mail address or a DID")
    if recipient.startswith("did:"):
        if not _DID.match(recipient):
            raise RowError(f"recipient {recipient[:80]!r} is not a valid DID")
        kind = "did"
    elif _EMAIL.match(recipient) and len(recipient) <= 254:
        kind, recipient = "email", recipient.lower()
    else:
        raise RowError(f"recipient {recipient[:80]!r} is neither an e-mail address nor a DID")
    valid_from = _date(values, "valid_from") or datetime.now(UTC).replace(microsecond=0)
    valid_until = _date(values, "valid_until") or (
        valid_from + timedelta(days=valid_days) if valid_days else None)
    if valid_until is not None and valid_until <= valid_from:
        raise RowError("valid_until must be after valid_from")
    return RecipientRow(
        row_number=number, recipient=recipient, kind=kind, name=values.get("name") or None,
        reference=values.get("reference", ""), evidence=_evidence(values),
        results=rules.results(values.get("achieved_level", ""),
                              values.get("result_value", "")),
        valid_from=valid_from, valid_until=valid_until,
    )


def _evidence(values: dict[str, str]) -> tuple[Evidence, ...]:
    url = values.get("evidence_url", "")
    name = values.get("evidence_name", "")
    narrative = values.get("evidence_narrative", "")
    if not (url or name or narrative):
        return ()
    if url:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc or any(
                c.isspace() for c in url):
            raise RowError(f"evidence_url {url[:80]!r} is not an http(s) URL")
    if not url and not narrative:
        raise RowError("evidence needs an evidence_url or an evidence_narrative")
    return (Evidence(id=url or None, name=name or None, narrative=narrative or None),)


def _date(values: dict[str, str], name: str) -> datetime | None:
    value = values.get(name, "")
    if not value:
        return None
    try:
        return parse_datetime(value)
    except ValueError:
        raise RowError(f"{name} {value[:40]!r} is not a date; write 2025-06-30 or "
                       "2025-06-30T09:00:00Z") from None


def _check_utf8(csv_bytes: bytes) -> None:
    # Incremental, so a 20 MB file is not decoded into one string just to check it.
    decoder = codecs.getincrementaldecoder("utf-8")()
    step = 1 << 20
    try:
        for start in range(0, len(csv_bytes), step):
            decoder.decode(csv_bytes[start:start + step])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as error:
        line = csv_bytes[:start + error.start].count(b"\n") + 1
        raise Refused(f"the file is not UTF-8 (line {line}); in Excel choose 'CSV UTF-8' "
                      "when saving") from None

"""Competence frameworks: import from CSV or a 1EdTech CASE 1.0 package, list, describe.

An import is all-or-nothing: the whole input is checked before anything is written, and the
caller commits one transaction. Importing the same framework again (same CSV title, same
CASE CFDocument identifier) updates its competences by code instead of duplicating them;
competences missing from the new input are kept, because achievements may align to them.
Nothing here fetches a URL: CASE URIs are stored as given.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, func, select

from issuer.models import Competence, Framework, Organisation
from issuer.services.context import IssuerContext
from servicekit.errors import Conflict, NotFound, Refused, TooLarge

MAX_INPUT_BYTES = 5 * 1024 * 1024
MAX_COMPETENCES = 5000
MAX_CODE = 200
MAX_URI = 2000
MAX_TITLE = 500

# Header names, case-insensitive; Dutch spreadsheets often carry the Dutch names.
CSV_COLUMNS = {
    "code": "code", "name": "name", "naam": "name",
    "description": "description", "omschrijving": "description", "beschrijving": "description",
    "parent": "parent", "ouder": "parent", "uri": "uri", "url": "uri",
}


@dataclass(frozen=True)
class CompetenceInput:
    code: str
    name: str
    description: str | None = None
    uri: str | None = None
    parent_code: str | None = None


def competence_url(public_url: str, framework_id: str, competence_id: str) -> str:
    """Where this service describes a competence (the alignment targetUrl without a URI)."""
    return f"{public_url}/frameworks/{framework_id}/competences/{competence_id}"


def decode_csv_bytes(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252: what Dutch Excel writes by default."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise Refused("the CSV is neither UTF-8 nor Windows-1252 text") from None


# --- CSV ------------------------------------------------------------------------------------


def import_csv(ctx: IssuerContext, session: Session, org: Organisation, *, title: str,
               csv_text: str) -> Framework:
    title = _title(title)
    items = parse_csv(csv_text)
    return _store(session, org, source="csv", source_identifier=title, title=title, uri=None,
                  description=None, items=items)


def parse_csv(csv_text: str) -> list[CompetenceInput]:
    """The competences of a CSV, checked; ServiceError 422 naming the line of any problem."""
    if len(csv_text) > MAX_INPUT_BYTES:
        raise TooLarge(f"the CSV is larger than {MAX_INPUT_BYTES} characters")
    text = csv_text.removeprefix("\ufeff")
    delimiter, sep_line = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    columns: list[str | None] | None = None
    items: list[CompetenceInput] = []
    seen: dict[str, int] = {}
    line = 1
    try:
        for row in reader:
            cells = [cell.strip() for cell in row]
            if not any(cells) or (sep_line and columns is None):
                # blank, or Excel's "sep=;" line, which names the delimiter: no header
                sep_line = sep_line and not any(cells)
                line = reader.line_num + 1
                continue
            if columns is None:
                columns = _header(cells, line)
            else:
                item = _csv_item(columns, cells, line)
                if item.code in seen:
                    raise Refused(f"line {line}: code {item.code!r} already appears on "
                                  f"line {seen[item.code]}")
                seen[item.code] = line
                items.append(item)
                if len(items) > MAX_COMPETENCES:
                    raise Refused(f"line {line}: a framework holds at most "
                                  f"{MAX_COMPETENCES} competences")
            line = reader.line_num + 1
    except csv.Error as error:
        raise Refused(f"line {reader.line_num}: unreadable CSV: {error}") from None
    if columns is None or not items:
        raise Refused("the CSV holds no competences: it needs a header line "
                      "(code, name, description) and at least one row")
    for item, item_line in zip(items, seen.values(), strict=True):
        if item.parent_code is not None and item.parent_code not in seen:
            raise Refused(f"line {item_line}: parent {item.parent_code!r} is not a code in "
                          "this CSV")
    return items


def _delimiter(text: str) -> tuple[str, bool]:
    """The delimiter, and whether the first line is Excel's `sep=X` line."""
    header = next((line.strip() for line in io.StringIO(text) if line.strip()), "")
    if len(header) == 5 and header.lower().startswith("sep="):
        return header[4], True
    # The header holds only names, so its separators decide: Dutch Excel writes ';'.
    counts = {delimiter: header.count(delimiter) for delimiter in (";", ",", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return (best if counts[best] else ","), False


def _header(cells: list[str], line: int) -> list[str | None]:
    columns: list[str | None] = []
    for cell in cells:
        if not cell:
            columns.append(None)  # spreadsheets add empty trailing columns
            continue
        column = CSV_COLUMNS.get(cell.lower())
        if column is None:
            raise Refused(f"line {line}: unknown column {cell!r}; the columns are code, "
                          "name, description and optionally parent and uri")
        if column in columns:
            raise Refused(f"line {line}: column {cell!r} appears twice")
        columns.append(column)
    missing = [name for name in ("code", "name") if name not in columns]
    if missing:
        raise Refused(f"line {line}: the header needs the columns code and name "
                      f"(missing: {', '.join(missing)})")
    return columns


def _csv_item(columns: list[str | None], cells: list[str], line: int) -> CompetenceInput:
    extra = [cell for cell in cells[len(columns):] if cell]
    if extra:
        raise Refused(f"line {line}: more fields than the header has columns")
    values = {column: cell for column, cell in zip(columns, cells, strict=False) if column}
    code, name = values.get("code", ""), values.get("name", "")
    if not code or not name:
        raise Refused(f"line {line}: a competence needs a code and a name")
    return _checked(CompetenceInput(
        code=code, name=name, description=values.get("description") or None,
        uri=values.get("uri") or None, parent_code=values.get("parent") or None,
    ), f"line {line}")


# --- CASE -----------------------------------------------------------------------------------


def import_case(ctx: IssuerContext, session: Session, org: Organisation,
                document: dict[str, Any]) -> Framework:
    """A 1EdTech CASE 1.0 CFPackage: CFDocument, CFItems and (optionally) CFAssociations."""
    package = parse_case(document)
    return _store(session, org, source="case", **package)


def parse_case(document: Any) -> dict[str, Any]:
    if isinstance(document, dict) and isinstance(document.get("CFPackage"), dict):
        document = document["CFPackage"]
    if not isinstance(document, dict) or not isinstance(document.get("CFDocument"), dict):
        raise Refused("not a CASE package: a CFPackage JSON object with a CFDocument "
                      "is expected")
    cf_document = document["CFDocument"]
    identifier = _string(cf_document, "identifier", "CFDocument", required=True)
    title = _title(_string(cf_document, "title", "CFDocument", required=True) or "")
    uri = _string(cf_document, "uri", "CFDocument")
    if uri is not None:
        _check_uri(uri, "CFDocument")
    raw_items = document.get("CFItems")
    if not isinstance(raw_items, list) or not raw_items:
        raise Refused("the CASE package holds no CFItems (a list of competences)")
    if len(raw_items) > MAX_COMPETENCES:
        raise Refused(f"a framework holds at most {MAX_COMPETENCES} competences; the "
                      f"package has {len(raw_items)} CFItems")
    parents = _case_parents(document.get("CFAssociations"))
    codes: dict[str, str] = {}  # CFItem identifier -> competence code
    cf_items: list[tuple[str, dict[str, Any]]] = []
    for number, item in enumerate(raw_items):
        where = f"CFItems[{number}]"
        if not isinstance(item, dict):
            raise Refused(f"{where} is not a JSON object")
        item_id = _string(item, "identifier", where, required=True) or ""
        _string(item, "fullStatement", where, required=True)
        code = _string(item, "humanCodingScheme", where) or item_id
        if item_id in codes:
            raise Refused(f"{where}: identifier {item_id!r} appears twice")
        if code in codes.values():
            raise Refused(f"{where}: code {code!r} appears twice")
        codes[item_id] = code
        cf_items.append((item_id, item))
    items = []
    for number, (item_id, item) in enumerate(cf_items):
        where = f"CFItems[{number}]"
        full = item["fullStatement"].strip()
        parent = parents.get(item_id)
        items.append(_checked(CompetenceInput(
            code=codes[item_id],
            name=_string(item, "abbreviatedStatement", where) or full,
            description=full, uri=_string(item, "uri", where),
            parent_code=codes.get(parent) if parent else None,
        ), where))
    return {"source_identifier": identifier, "title": title, "uri": uri,
            "description": _string(cf_document, "description", "CFDocument"), "items": items}


def _case_parents(associations: Any) -> dict[str, str]:
    """child CFItem identifier -> parent identifier, from isChildOf associations."""
    if associations is None:
        return {}
    if not isinstance(associations, list):
        raise Refused("CFAssociations must be a list")
    parents: dict[str, str] = {}
    for number, association in enumerate(associations):
        where = f"CFAssociations[{number}]"
        if not isinstance(association, dict):
            raise Refused(f"{where} is not a JSON object")
        if association.get("associationType") != "isChildOf":
            continue  # other relations (exactMatchOf, precedes, ...) are not stored
        origin, destination = (association.get(name)
                               for name in ("originNodeURI", "destinationNodeURI"))
        if not isinstance(origin, dict) or not isinstance(destination, dict):
            raise Refused(f"{where}: isChildOf needs originNodeURI and destinationNodeURI "
                          "objects")
        child = _string(origin, "identifier", f"{where}.originNodeURI", required=True)
        parent = _string(destination, "identifier", f"{where}.destinationNodeURI",
                         required=True)
        if child is None or parent is None:  # _string(required=True) refuses these first
            raise Refused(f"{where} needs the identifiers of both nodes")
        parents.setdefault(child, parent)
    return parents


def _string(obj: dict[str, Any], name: str, where: str, *, required: bool = False) -> str | None:
    value = obj.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Refused(f"{where} needs the field {name!r}")
        return None
    if not isinstance(value, str):
        raise Refused(f"{where}.{name} must be a string")
    return value.strip()


# --- shared ---------------------------------------------------------------------------------


def _title(title: str) -> str:
    title = " ".join(title.split())
    if not title:
        raise Refused("a framework needs a title")
    if len(title) > MAX_TITLE:
        raise Refused(f"a framework title is at most {MAX_TITLE} characters")
    return title


def _checked(item: CompetenceInput, where: str) -> CompetenceInput:
    if len(item.code) > MAX_CODE or (item.parent_code and len(item.parent_code) > MAX_CODE):
        raise Refused(f"{where}: a code is at most {MAX_CODE} characters")
    if item.uri is not None:
        _check_uri(item.uri, where)
    return item


def _check_uri(uri: str, where: str) -> None:
    # The URI becomes an alignment targetUrl, which must be an absolute IRI to sign.
    parts = urlsplit(uri)
    if len(uri) > MAX_URI or any(c.isspace() for c in uri) or not parts.scheme or (
        parts.scheme in ("http", "https") and not parts.netloc
    ):
        raise Refused(f"{where}: uri {uri[:80]!r} is not an absolute URI")


def _store(session: Session, org: Organisation, *, source: str, source_identifier: str,
           title: str, uri: str | None, description: str | None,
           items: list[CompetenceInput]) -> Framework:
    framework = session.exec(select(Framework).where(
        Framework.org_id == org.id, Framework.source_identifier == source_identifier)).first()
    if framework is not None and framework.source != source:
        raise Conflict(f"a {framework.source} framework with the identifier "
                       f"{source_identifier!r} already exists")
    if framework is None:
        framework = Framework(org_id=org.id, title=title, source=source,
                              source_identifier=source_identifier)
    framework.title, framework.uri, framework.description = title, uri, description
    session.add(framework)
    try:
        # The framework row first: without ORM relationships, a flush does not order the
        # inserts by foreign key.
        session.flush()
        existing = {row.code: row for row in competences_of(session, framework.id)}
        for position, item in enumerate(items):
            row = existing.get(item.code) or Competence(
                framework_id=framework.id, code=item.code, name=item.name)
            row.name, row.description, row.uri = item.name, item.description, item.uri
            row.parent_code, row.position = item.parent_code, position
            session.add(row)
        session.flush()
    except IntegrityError:
        # The same framework imported by someone else at this very moment.
        raise Conflict("this framework is being imported at the same time; try again") \
            from None
    return framework


def list_frameworks(session: Session, org: Organisation) -> list[Framework]:
    return list(session.exec(
        select(Framework).where(Framework.org_id == org.id)
        .order_by(Framework.created_at, Framework.id)  # type: ignore[arg-type]
    ))


def get_framework(session: Session, org: Organisation, framework_id: str) -> Framework:
    framework = session.get(Framework, framework_id)
    if framework is None or framework.org_id != org.id:
        raise NotFound(f"no framework {framework_id} in this organisation")
    return framework


def competences_of(session: Session, framework_id: str) -> list[Competence]:
    return list(session.exec(
        select(Competence).where(Competence.framework_id == framework_id)
        .order_by(Competence.position, Competence.code)  # type: ignore[arg-type]
    ))


def competence_count(session: Session, framework_id: str) -> int:
    return session.exec(select(func.count()).select_from(Competence)
                        .where(Competence.framework_id == framework_id)).one()


# --- JSON -----------------------------------------------------------------------------------


def competence_json(ctx: IssuerContext, framework: Framework,
                    competence: Competence) -> dict[str, Any]:
    return {
        "id": competence.id, "code": competence.code, "name": competence.name,
        "description": competence.description, "uri": competence.uri,
        "parentCode": competence.parent_code,
        # what an aligned credential carries as targetUrl
        "targetUrl": competence.uri or competence_url(ctx.public_url, framework.id,
                                                      competence.id),
    }


def framework_json(ctx: IssuerContext, session: Session, framework: Framework, *,
                   with_competences: bool = True) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": framework.id, "title": framework.title, "source": framework.source,
        "sourceIdentifier": framework.source_identifier, "uri": framework.uri,
        "description": framework.description,
    }
    if with_competences:
        document["competences"] = [competence_json(ctx, framework, row)
                                   for row in competences_of(session, framework.id)]
    else:
        document["competenceCount"] = competence_count(session, framework.id)
    return document


def public_competence(ctx: IssuerContext, session: Session, framework_id: str,
                      competence_id: str) -> dict[str, Any]:
    """The public description behind a competence's local URL (no account needed)."""
    framework = session.get(Framework, framework_id)
    competence = session.get(Competence, competence_id)
    if framework is None or competence is None or competence.framework_id != framework.id:
        raise NotFound("no such competence")
    return {
        "id": competence_url(ctx.public_url, framework.id, competence.id),
        "type": "Competence",
        "code": competence.code, "name": competence.name,
        "description": competence.description, "uri": competence.uri,
        "parentCode": competence.parent_code,
        "framework": {"title": framework.title, "uri": framework.uri,
                      "source": framework.source},
    }

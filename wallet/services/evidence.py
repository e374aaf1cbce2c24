"""Evidence in the dossier: a photo, video, audio recording, document or note from practice,
with a date and place and the competences it shows.

The owner's own items are `approved` at once; a delegate's (coordinator, employer, mentor
with `evidence:add`) are `pending` until the owner approves or rejects them. The bytes live
in the content-addressed store (wallet.evidence_store); rows only name their digest. How the
bytes arrive (streamed multipart, raw body) is wallet.services.evidence_upload's business.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlmodel import Session, col, select

from servicekit.errors import Conflict, NotFound, Refused
from wallet.db import session_scope
from wallet.evidence_store import BlobWriter, evidence_store
from wallet.models import Evidence, iso
from wallet.services.access import Actor, record
from wallet.services.competences import require_competences
from wallet.services.context import WalletContext
from wallet.services.evidence_types import (
    FILE_KINDS,
    KIND_NAMES,
    TEXT_MEDIA_TYPE,
    Sniffed,
    check_declared_kind,
)
from wallet.services.storage_quota import require_room

KINDS = (*FILE_KINDS, "note")
STATUSES = ("approved", "pending", "rejected")
_EVIDENCE_ID = re.compile(r"[0-9a-f]{32}")
MAX_TITLE = 300
MAX_PLACE = 300
MAX_DESCRIPTION = 20_000


class EvidenceRefused(Refused):
    """Evidence fields that cannot be used: a missing title, an unknown kind, ..."""


@dataclass
class EvidenceFields:
    """What is said about an item, checked (EvidenceRefused otherwise)."""

    title: str = ""
    description: str = ""
    kind: str = ""  # as declared by the sender; empty: take what the file is
    practice_date: date | None = None
    place: str = ""
    competence_ids: list[str] = field(default_factory=list)


def _text(value: Any, what: str, limit: int, *, multiline: bool = False) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise EvidenceRefused(f"{what} must be text")
    value = value.strip()
    allowed = "\n\t" if multiline else ""
    if any(unicodedata.category(c) == "Cc" and c not in allowed for c in value):
        raise EvidenceRefused(f"{what} contains control characters")
    if len(value) > limit:
        raise EvidenceRefused(f"{what} is longer than {limit} characters")
    return value


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise EvidenceRefused("the date of practice must be a date written YYYY-MM-DD, "
                          f"not {str(value)[:40]!r}")


def _kind(value: Any) -> str:
    kind = _text(value, "the kind", 16).lower()
    if kind and kind not in KINDS:
        raise EvidenceRefused(f"the kind must be one of {', '.join(KINDS)}, not {kind[:40]!r}")
    return kind


def fields_from(values: Mapping[str, Any]) -> EvidenceFields:
    """Fields from a JSON object or a form (`competence` / `competences` a list of ids;
    a form's repeated values arrive as lists, of which the last counts for single fields)."""
    def one(*names: str) -> Any:
        for name in names:
            value = values.get(name)
            if isinstance(value, list) and name not in ("competence", "competences"):
                value = value[-1] if value else None
            if value is not None:
                return value
        return None

    competences = values.get("competences", values.get("competence", []))
    if isinstance(competences, str):
        competences = [competences]
    if not isinstance(competences, list):
        raise EvidenceRefused("competences must be a list of competence ids")
    return EvidenceFields(
        title=_text(one("title"), "the title", MAX_TITLE),
        description=_text(one("description"), "the description", MAX_DESCRIPTION,
                          multiline=True),
        kind=_kind(one("kind")),
        practice_date=_date(one("practice_date", "practiceDate")),
        place=_text(one("place"), "the place", MAX_PLACE),
        competence_ids=[c for c in competences if c != ""])


def clean_filename(name: str | None) -> str:
    """The last part of a sent file name, without control characters; only ever shown and
    offered back as a download name, never used as a path."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip()
    return base[-MAX_TITLE:]


def _competence_ids(session: Session, actor: Actor, ids: list[str]) -> list[str]:
    return [c.id for c in require_competences(session, actor.owner_id, ids)]


def _new_item(session: Session, actor: Actor, fields: EvidenceFields, competence_ids: list[str],
              **file: Any) -> Evidence:
    item = Evidence(owner_id=actor.owner_id, added_by=actor.account.id, title=fields.title,
                    description=fields.description, practice_date=fields.practice_date,
                    place=fields.place, status="approved" if actor.is_owner else "pending",
                    **file)
    item.competence_ids = competence_ids
    session.add(item)
    session.flush()
    record(session, actor, "evidence.add", item.id,
           f"{item.kind}: {item.title}" + ("" if actor.is_owner else " (pending)"))
    return item


def add_note(session: Session, actor: Actor, fields: EvidenceFields) -> Evidence:
    """A note: text only."""
    actor.require("evidence:add")
    if fields.kind not in ("", "note"):
        raise EvidenceRefused(f"{KIND_NAMES[fields.kind]} needs a file; send it as "
                              "multipart/form-data with a 'file' field")
    if not fields.title:
        raise EvidenceRefused("give the note a title")
    return _new_item(session, actor, fields,
                     _competence_ids(session, actor, fields.competence_ids), kind="note")


def add_file(ctx: WalletContext, session: Session, actor: Actor, fields: EvidenceFields,
             writer: BlobWriter, sniffed: Sniffed, filename: str) -> Evidence:
    """An item for the bytes in `writer` (all received, not yet finished): the fields are
    checked first, then the blob is moved into the store and the row added. If the
    transaction then fails, the caller removes the blob again (`discard_blob`)."""
    actor.require("evidence:add")
    if fields.kind == "note":
        raise EvidenceRefused("a note has no file; leave the file out, or choose another kind")
    check_declared_kind(fields.kind, sniffed)
    filename = clean_filename(filename)
    title = fields.title or Path(filename).stem[:MAX_TITLE]
    if not title:
        raise EvidenceRefused("give the evidence a title")
    fields.title = title
    competence_ids = _competence_ids(session, actor, fields.competence_ids)
    require_room(ctx, session, actor.owner_id, writer.size)
    blob = writer.finish()
    return _new_item(session, actor, fields, competence_ids, kind=sniffed.kind,
                     filename=filename, media_type=sniffed.media_type, size=blob.size,
                     sha256=blob.sha256)


def discard_blob(ctx: WalletContext, sha256: str) -> None:
    """After a failed transaction: remove a blob no committed row refers to."""
    with session_scope(ctx.engine) as session:
        evidence_store(ctx.settings.evidence_dir).delete_if_unused(session, sha256)


def _require_some_access(actor: Actor) -> None:
    if not (actor.can("evidence:read") or actor.can("evidence:add")):
        actor.require("evidence:read")


def _visible(actor: Actor, item: Evidence) -> bool:
    """The owner sees everything; a delegate with `evidence:read` the approved items; every
    delegate the items they added themselves."""
    return (actor.is_owner or item.added_by == actor.account.id
            or (actor.can("evidence:read") and item.status == "approved"))


def evidence_of(session: Session, actor: Actor, status: str | None = None) -> list[Evidence]:
    """The items `actor` may see, newest first; `status` filters (approved/pending/rejected).
    Other helpers (shares, CV, archive) that need what is in the dossier use
    status="approved"."""
    _require_some_access(actor)
    if status is not None and status not in STATUSES:
        raise EvidenceRefused(f"status must be one of {', '.join(STATUSES)}")
    query = select(Evidence).where(Evidence.owner_id == actor.owner_id)
    if status is not None:
        query = query.where(Evidence.status == status)
    items = session.exec(query.order_by(col(Evidence.created_at).desc())).all()
    return [item for item in items if _visible(actor, item)]


def approved_evidence(session: Session, owner_id: str, kind: str | None = None
                      ) -> list[Evidence]:
    """The dossier's approved items (of `kind`, when given), newest first: what the owner
    can choose from for a share link or the CV."""
    query = select(Evidence).where(Evidence.owner_id == owner_id, Evidence.status == "approved")
    if kind:
        query = query.where(Evidence.kind == kind)
    return list(session.exec(query.order_by(col(Evidence.created_at).desc())))

def get_evidence(session: Session, actor: Actor, evidence_id: str) -> Evidence:
    _require_some_access(actor)
    item = session.get(Evidence, evidence_id) if _EVIDENCE_ID.fullmatch(evidence_id) else None
    if item is None or item.owner_id != actor.owner_id or not _visible(actor, item):
        raise NotFound("no such evidence in this dossier")
    return item


def _decide(session: Session, actor: Actor, evidence_id: str, status: str) -> Evidence:
    verb = "approve" if status == "approved" else "reject"
    actor.require_owner(f"{verb} evidence")
    item = get_evidence(session, actor, evidence_id)
    if item.status != "pending":
        raise Conflict(f"this evidence is already {item.status}; only pending evidence "
                       f"can be {status}")
    item.status = status
    session.add(item)
    record(session, actor, f"evidence.{verb}", item.id, item.title)
    return item


def approve_evidence(session: Session, actor: Actor, evidence_id: str) -> Evidence:
    """The owner takes a delegate's item into the dossier."""
    return _decide(session, actor, evidence_id, "approved")


def reject_evidence(session: Session, actor: Actor, evidence_id: str) -> Evidence:
    """The owner refuses a delegate's item: it stays visible to its author as rejected, is
    never shared, and the owner can delete it."""
    return _decide(session, actor, evidence_id, "rejected")


def update_evidence(session: Session, actor: Actor, evidence_id: str,
                    changes: Mapping[str, Any]) -> Evidence:
    """The owner edits title, description, date, place or competences (only those given)."""
    actor.require_owner("edit evidence")
    item = get_evidence(session, actor, evidence_id)
    unknown = set(changes) - {"title", "description", "practiceDate", "practice_date",
                              "place", "competences", "competence"}
    if unknown:
        raise EvidenceRefused(f"these fields cannot be changed: {', '.join(sorted(unknown))}")
    fields = fields_from(changes)
    if "title" in changes:
        if not fields.title:
            raise EvidenceRefused("the title cannot be empty")
        item.title = fields.title
    if "description" in changes:
        item.description = fields.description
    if "practiceDate" in changes or "practice_date" in changes:
        item.practice_date = fields.practice_date
    if "place" in changes:
        item.place = fields.place
    if "competences" in changes or "competence" in changes:
        item.competence_ids = _competence_ids(session, actor, fields.competence_ids)
    session.add(item)
    record(session, actor, "evidence.edit", item.id, ", ".join(sorted(changes)))
    return item


def delete_evidence(ctx: WalletContext, session: Session, actor: Actor,
                    evidence_id: str) -> None:
    """The owner removes an item; its file goes too when no other item (of any owner)
    has the same bytes."""
    actor.require_owner("delete evidence")
    item = get_evidence(session, actor, evidence_id)
    sha256 = item.sha256
    record(session, actor, "evidence.delete", item.id, item.title)
    session.delete(item)
    session.flush()
    if sha256 and session.exec(select(Evidence.id).where(Evidence.sha256 == sha256)).first() \
            is None:
        # the file goes only once the deletion is committed: a rollback keeps both
        store = evidence_store(ctx.settings.evidence_dir)
        event.listen(session, "after_commit",
                     lambda _session: store.path(sha256).unlink(missing_ok=True), once=True)


def evidence_file(ctx: WalletContext, session: Session, actor: Actor,
                  evidence_id: str) -> tuple[Evidence, Path]:
    """The item and where its bytes are; NotFound for a note or a missing file."""
    item = get_evidence(session, actor, evidence_id)
    if not item.sha256:
        raise NotFound("this evidence is a note; it has no file")
    path = evidence_store(ctx.settings.evidence_dir).path(item.sha256)
    if not path.is_file():
        raise NotFound("the file of this evidence is missing from the store")
    return item, path


@dataclass(frozen=True)
class EvidenceDownload:
    """How an item's stored bytes are handed out, with the stored (sniffed) media type.
    Documents are downloads; `nosniff` and a sandboxing CSP keep a browser from ever
    running what it gets."""

    path: Path
    media_type: str
    filename: str
    disposition: str  # "inline" (photo, video, audio) or "attachment"
    headers: dict[str, str]


def evidence_json(item: Evidence) -> dict[str, Any]:
    return {
        "id": item.id, "owner": item.owner_id, "kind": item.kind, "title": item.title,
        "description": item.description, "filename": item.filename,
        "mediaType": item.media_type, "size": item.size,
        "sha256": item.sha256 or None,
        "practiceDate": item.practice_date.isoformat() if item.practice_date else None,
        "place": item.place, "competences": item.competence_ids, "status": item.status,
        "addedBy": item.added_by, "createdAt": iso(item.created_at),
        "file": (f"/api/dossiers/{item.owner_id}/evidence/{item.id}/file"
                 if item.sha256 else None),
    }


# --- whole requests, each in a session of its own (what the pages call) ---------------
def list_evidence(ctx: WalletContext, actor: Actor, status: str | None = None
                  ) -> list[Evidence]:
    with Session(ctx.engine) as session:
        return evidence_of(session, actor, status)


def evidence_item(ctx: WalletContext, actor: Actor, evidence_id: str) -> Evidence:
    with Session(ctx.engine) as session:
        return get_evidence(session, actor, evidence_id)


def evidence_download(ctx: WalletContext, actor: Actor, evidence_id: str) -> EvidenceDownload:
    """The API's and the pages' download of an item's file."""
    with Session(ctx.engine) as session:
        item, path = evidence_file(ctx, session, actor, evidence_id)
    digest = base64.b64encode(bytes.fromhex(item.sha256)).decode("ascii")
    return EvidenceDownload(
        path, media_type=item.media_type or TEXT_MEDIA_TYPE,
        filename=item.filename or f"evidence-{item.id}",
        disposition="inline" if item.kind in ("photo", "video", "audio") else "attachment",
        headers={"X-Content-Type-Options": "nosniff",
                 "Content-Security-Policy": "default-src 'none'; sandbox",
                 "Repr-Digest": f"sha-256=:{digest}:", "Digest": f"sha-256={digest}",
                 "ETag": f'"{item.sha256}"', "Cache-Control": "private, max-age=3600"})


def save_evidence_changes(ctx: WalletContext, actor: Actor, evidence_id: str,
                          changes: Mapping[str, Any]) -> Evidence:
    with session_scope(ctx.engine) as session:
        return update_evidence(session, actor, evidence_id, changes)


def approve_pending_evidence(ctx: WalletContext, actor: Actor, evidence_id: str) -> Evidence:
    with session_scope(ctx.engine) as session:
        return approve_evidence(session, actor, evidence_id)


def reject_pending_evidence(ctx: WalletContext, actor: Actor, evidence_id: str) -> Evidence:
    with session_scope(ctx.engine) as session:
        return reject_evidence(session, actor, evidence_id)


def remove_evidence(ctx: WalletContext, actor: Actor, evidence_id: str) -> None:
    with session_scope(ctx.engine) as session:
        delete_evidence(ctx, session, actor, evidence_id)

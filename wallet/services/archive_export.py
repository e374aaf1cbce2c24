"""Export the whole dossier of an owner as one archive (see `archive_format` for the layout).

The rows are read in one short database session and become `dossier.json`; credentials are
written exactly as stored; evidence files are copied from the store into the zip in chunks,
so memory stays flat however large the dossier is. The zip is written to a temporary file
next to the target and renamed into place only when complete: an error leaves nothing.

Not in the archive: share tokens (links point at the old wallet), delegations (people's
access to the old wallet), the CV's address, and, unless the archive is encrypted, any
private key.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from servicekit.errors import Inconsistent, NotFound, Refused
from servicekit.passwords import MIN_PASSWORD_LENGTH
from wallet.db import session_scope
from wallet.evidence_store import InvalidDigest, evidence_store
from wallet.models import (
    Account,
    Competence,
    CvPage,
    Evidence,
    InternshipReport,
    Reflection,
    Share,
    StoredCredential,
    iso,
)
from wallet.services import archive_format as fmt
from wallet.services.access import Actor, record
from wallet.services.accounts import holder_key
from wallet.services.context import WalletContext


@dataclass
class Progress:
    """How far an export or import is; handed to a progress callback after each item."""

    items_done: int = 0
    items_total: int = 0
    bytes_done: int = 0
    bytes_total: int = 0


ProgressCallback = Callable[[Progress], None]


@dataclass
class ExportSummary:
    path: Path
    encrypted: bool
    size: int
    counts: dict[str, int] = field(default_factory=dict)
    holder_key_included: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"archive": str(self.path), "encrypted": self.encrypted, "bytes": self.size,
                "counts": self.counts, "holderKeyIncluded": self.holder_key_included}


@dataclass
class _Snapshot:
    """What the archive will hold, read in one session."""

    owner: dict[str, Any]
    dossier: dict[str, Any]
    credentials: list[tuple[str, str, str]]  # (id, format, content)
    blobs: dict[str, int]  # sha256 -> size, each distinct file once


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _emails(session: Session, ids: set[str]) -> dict[str | None, Account]:
    if not ids:
        return {}
    return {a.id: a for a in session.exec(select(Account).where(col(Account.id).in_(ids)))}


def _snapshot(session: Session, account: Account) -> _Snapshot:
    owner_id = account.id
    owner = {"id": account.id, "email": account.email, "name": account.display_name,
             "did": account.did}

    def rows(table: Any) -> list[Any]:
        return list(session.exec(select(table).where(table.owner_id == owner_id)
                                 .order_by(table.id)))

    competences: list[Competence] = rows(Competence)
    credentials: list[StoredCredential] = rows(StoredCredential)
    evidence: list[Evidence] = rows(Evidence)
    reflections: list[Reflection] = rows(Reflection)
    reports: list[InternshipReport] = rows(InternshipReport)
    shares: list[Share] = rows(Share)
    cv = session.get(CvPage, owner_id)
    people = _emails(session, {e.added_by for e in evidence if e.added_by}
                     | {r.author_id for r in reflections if r.author_id})

    def person(account_id: str | None) -> dict[str, str]:
        """Who added or wrote an item; nobody when that account was deleted."""
        found = people.get(account_id)
        return {"email": found.email, "did": found.did, "name": found.display_name} \
            if found else {"email": "", "did": "", "name": ""}

    dossier = {
        "owner": owner,
        "competences": [{"id": c.id, "url": c.url, "name": c.name, "framework": c.framework,
                         "code": c.code, "description": c.description,
                         "createdAt": iso(c.created_at)} for c in competences],
        "credentials": [{"id": c.id, "path": fmt.credential_path(c.id, c.format),
                         "format": c.format, "digest": c.digest, "name": c.name,
                         "source": c.source, "receivedAt": iso(c.received_at),
                         "competences": c.competence_ids} for c in credentials],
        "evidence": [{"id": e.id, "kind": e.kind, "title": e.title,
                      "description": e.description, "filename": e.filename,
                      "mediaType": e.media_type, "size": e.size, "sha256": e.sha256,
                      "path": fmt.evidence_path(e.sha256) if e.sha256 else None,
                      "practiceDate": _day(e.practice_date), "place": e.place,
                      "competences": e.competence_ids, "status": e.status,
                      "addedBy": person(e.added_by)["email"], "createdAt": iso(e.created_at)}
                     for e in evidence],
        "reflections": [{"id": r.id, "author": {**person(r.author_id), "role": r.author_role},
                         "text": r.text, "competences": r.competence_ids,
                         "evidence": r.evidence_ids, "status": r.status,
                         "credential": r.credential_json, "createdAt": iso(r.created_at),
                         "decidedAt": iso(r.decided_at)} for r in reflections],
        "internshipReports": [{"id": r.id, "title": r.title, "organisation": r.organisation,
                               "period": r.period, "summary": r.summary,
                               "evidence": r.evidence_ids, "reflections": r.reflection_ids,
                               "credential": r.credential_json,
                               "createdAt": iso(r.created_at)} for r in reports],
        # share settings only: the token (the link) stays behind
        "shares": [{"id": s.id, "audience": s.audience, "credentials": s.credential_ids,
                    "evidence": s.evidence_ids, "createdAt": iso(s.created_at),
                    "expiresAt": iso(s.expires_at), "revokedAt": iso(s.revoked_at)}
                   for s in shares],
        "cv": None if cv is None else {
            "enabled": cv.enabled, "headline": cv.headline, "about": cv.about,
            "credentials": cv.credential_ids, "evidence": cv.evidence_ids,
            "updatedAt": iso(cv.updated_at)},
    }
    blobs: dict[str, int] = {}
    for item in evidence:
        if item.sha256:
            blobs.setdefault(item.sha256, item.size)
    return _Snapshot(owner, dossier, [(c.id, c.format, c.content) for c in credentials], blobs)


def export_archive(ctx: WalletContext, actor: Actor, target: Path, *,
                   password: str | None = None,
                   progress: ProgressCallback | None = None) -> ExportSummary:
    """Write the dossier of `actor`'s owner to `target` (owner only). With a password the
    archive is AES-256 encrypted and also carries the holder key (wrapped, see
    archive_format); without one it never holds a private key."""
    actor.require_owner("export the dossier")
    if password and len(password) < MIN_PASSWORD_LENGTH:
        raise Refused(f"the archive password must be at least {MIN_PASSWORD_LENGTH} "
                      f"characters (the zip's own key derivation is weak)")
    secret = fmt.password_bytes(password)
    with Session(ctx.engine) as session:
        account = session.get(Account, actor.owner_id)
        if account is None:
            raise NotFound("the owner is gone")
        snapshot = _snapshot(session, account)
        session.expunge(account)
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part",
                                         dir=target.parent)
    temp = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            summary = _write(ctx, account, snapshot, out, secret, progress)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    summary.path = target
    summary.size = target.stat().st_size
    with session_scope(ctx.engine) as session:
        record(session, actor, "archive.export", None,
               f"{sum(summary.counts.values())} items, "
               f"{'encrypted' if summary.encrypted else 'not encrypted'}")
    return summary


def _write(ctx: WalletContext, account: Account, snapshot: _Snapshot, out: Any,
           secret: bytes | None, progress: ProgressCallback | None) -> ExportSummary:
    store = evidence_store(ctx.settings.evidence_dir)
    status = Progress(items_total=len(snapshot.credentials) + len(snapshot.blobs) + 1 +
                      (secret is not None),
                      bytes_total=sum(snapshot.blobs.values()))
    items: list[fmt.Item] = []

    def done(item: fmt.Item) -> None:
        items.append(item)
        status.items_done += 1
        if progress is not None:
            progress(status)

    def on_chunk(size: int) -> None:
        status.bytes_done += size

    with fmt.open_for_writing(out, secret) as archive:
        for credential_id, credential_format, content in snapshot.credentials:
            done(fmt.write_bytes(archive, fmt.credential_path(credential_id, credential_format),
                                 content.encode("utf-8")))
        for sha256, size in snapshot.blobs.items():
            try:
                source = store.open(sha256)
            except (OSError, InvalidDigest):
                raise Inconsistent(f"the evidence file {sha256} is missing from this wallet's "
                                   f"store; the export is stopped") from None
            with source:
                item = fmt.copy_stream(archive, fmt.evidence_path(sha256), source, size,
                                       on_chunk)
            if item.sha256 != sha256:
                raise Inconsistent(f"the evidence file {sha256} is damaged in this wallet's "
                                   f"store (its bytes no longer match); the export is "
                                   f"stopped")
            done(item)
        done(fmt.write_bytes(archive, fmt.DOSSIER, _json_bytes(snapshot.dossier)))
        with_key = secret is not None
        if secret is not None:
            wrapped = fmt.wrap_holder_key(holder_key(ctx, account), account.did, secret)
            done(fmt.write_bytes(archive, fmt.HOLDER_KEY, _json_bytes(wrapped)))
        manifest = fmt.build_manifest(exported_at=iso(ctx.now()) or "",
                                      source_url=ctx.public_url, owner=snapshot.owner,
                                      items=items, encrypted=with_key)
        fmt.write_bytes(archive, fmt.MANIFEST, _json_bytes(manifest))
    dossier = snapshot.dossier
    counts = {"credentials": len(snapshot.credentials), "evidence": len(dossier["evidence"]),
              "evidenceFiles": len(snapshot.blobs), "competences": len(dossier["competences"]),
              "reflections": len(dossier["reflections"]),
              "internshipReports": len(dossier["internshipReports"]),
              "shares": len(dossier["shares"]), "cv": 1 if dossier["cv"] else 0}
    return ExportSummary(Path(), with_key, 0, counts, with_key)


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=1).encode("utf-8")

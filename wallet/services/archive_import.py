"""Import a dossier archive into this wallet: verified first (`archive_reading`), then all
rows in ONE transaction, so a refusal or an error changes nothing.

Decisions:
- Target owner: the given e-mail (or the logged-in owner), else the manifest's. An owner that
  does not exist is created WITHOUT a password (`opendossier wallet create-owner` sets it),
  with the archive's id when that id is free here.
- Holder key: only an encrypted archive has one. The owner takes it (keeps the same DID)
  when the owner has no credentials yet and no other account here has that DID.
- Credentials are verified again (`add_credential(source="archive")`). One found false (a
  proof that does not match: tampered, a wrong key) or no longer valid (revoked, expired)
  is NOT kept; it is listed under `refused` with the reason. One that cannot be checked now
  (its issuer's status list or key cannot be fetched: the issuer is offline, at an address
  this wallet may not reach, or gone) IS kept, listed under `notCheckedYet` with the reason,
  and checked again later (`credential_rechecks`). The rest is imported.
- Ids are kept. An id this owner already has is "already there" and skipped (a second
  import adds nothing); an id that another owner here uses gets a new id derived from the
  target owner and the old id (so a second import finds it again), and every reference in
  the archive to it is remapped.
- What a signed credential also says is checked against it first (`archive_signed`): a
  reflection's text and author, a report's content, evidence digests and reflections. A
  mismatch refuses the archive.
- Evidence files pass the checks of an upload (`archive_reading`); an item's kind, media
  type and size are what its file is. The dossier's storage quota holds for an import as
  for uploads (413).
- A person (evidence `addedBy`, reflection author) is linked by e-mail to an account of this
  wallet; without one, the owner stands in (the reflection's signed credential still names
  its real author by DID).
- Share settings arrive revoked with a new token: their links pointed at the old wallet; the
  owner shares again. The online CV keeps its settings and gets a new address.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, overload

from sqlmodel import Session, select

from servicekit.errors import Inconsistent, ServiceError, TooLarge
from wallet.db import session_scope
from wallet.models import (
    Account,
    Competence,
    CvPage,
    Evidence,
    InternshipReport,
    Reflection,
    Share,
    StoredCredential,
    aware,
    with_links,
)
from wallet.services import archive_format as fmt
from wallet.services.access import Actor, owner_actor, record
from wallet.services.accounts import account_by_email, new_account, replace_holder_key
from wallet.services.archive_export import ProgressCallback
from wallet.services.archive_ids import KINDS, ArchiveIds
from wallet.services.archive_reading import CheckedArchive, read_archive, undo_blobs
from wallet.services.archive_signed import check_signed_content
from wallet.services.checking import not_checked_reason
from wallet.services.competences import competence_by_url
from wallet.services.context import WalletContext
from wallet.services.credentials import CredentialRefused, add_credential
from wallet.services.evidence import clean_filename
from wallet.services.storage_quota import (
    require_growth_within_quota,
    require_room_for_import,
    used_bytes,
)

EVIDENCE_KINDS = {"photo", "video", "audio", "document", "note"}
STATUSES = {"approved", "pending", "rejected"}
PersonFinder = Callable[[Any], str]  # an e-mail address -> an account id here


@dataclass
class ImportResult:
    owner_id: str
    email: str
    did: str
    created_owner: bool
    took_holder_key: bool
    counts: dict[str, dict[str, int]] = field(default_factory=lambda: {
        kind: {"added": 0, "alreadyThere": 0, "refused": 0} for kind in KINDS})
    refused: list[dict[str, str]] = field(default_factory=list)
    # kept, but their status or issuer key could not be checked now
    not_checked: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    evidence_files: int = 0

    def count(self, kind: str, already: bool) -> None:
        self.counts[kind]["alreadyThere" if already else "added"] += 1

    def to_json(self) -> dict[str, Any]:
        return {"owner": self.owner_id, "email": self.email, "did": self.did,
                "createdOwner": self.created_owner, "tookHolderKey": self.took_holder_key,
                "counts": self.counts, "evidenceFiles": self.evidence_files,
                "refused": self.refused, "notCheckedYet": self.not_checked,
                "problems": self.problems}


# What an archive of a declared size holds besides evidence files, at most: the manifest and
# the dossier at their largest; credentials and the zip's own structure take far less in any
# real dossier. The rest of the size is evidence (compressed, if anything: fewer bytes).
NON_EVIDENCE_BYTES = fmt.MAX_MANIFEST_BYTES + fmt.MAX_DOSSIER_BYTES


def check_declared_archive(ctx: WalletContext, actor: Actor, declared_bytes: int | None) -> None:
    """413 before a byte is read, when the archive size the request declares (None: none)
    already says the import will be refused for the dossier's storage quota."""
    if declared_bytes is None:
        return
    with Session(ctx.engine) as session:
        try:
            require_room_for_import(ctx, session, actor.owner_id,
                                    declared_bytes - NON_EVIDENCE_BYTES)
        except TooLarge as error:
            raise TooLarge(f"the archive is refused: {error}") from None


def import_archive(ctx: WalletContext, path: Path, *, password: str | None = None,
                   email: str | None = None, actor: Actor | None = None,
                   max_total_bytes: int | None = None,
                   progress: ProgressCallback | None = None) -> ImportResult:
    """Import the archive at `path` into the dossier of `actor` (owner only), or of `email`
    / the manifest's owner when no actor is given (the command line)."""
    if actor is not None:
        actor.require_owner("import an archive")
    checked = read_archive(ctx, path, password, max_total_bytes=max_total_bytes,
                           progress=progress)
    try:
        check_signed_content(ctx, checked)
        with session_scope(ctx.engine) as session:
            result = _apply(ctx, session, checked, actor, email)
    except BaseException:
        undo_blobs(ctx, checked.placed)
        raise
    return result


def _target(ctx: WalletContext, session: Session, checked: CheckedArchive,
            actor: Actor | None, email: str | None) -> ImportResult:
    owner = checked.owner
    holder_did, key = checked.holder if checked.holder else (None, None)
    did_taken = holder_did is not None and session.exec(
        select(Account).where(Account.did == holder_did)).first()
    account = session.get(Account, actor.owner_id) if actor else \
        account_by_email(session, email or owner["email"])
    if account is None:
        wanted_id = str(owner.get("id") or "")
        free_id = wanted_id if re.fullmatch(r"[0-9a-f]{32}", wanted_id) and \
            session.get(Account, wanted_id) is None else None
        account = new_account(ctx, session, email or owner["email"], password=None,
                              display_name=str(owner.get("name") or ""),
                              key=None if did_taken else key, account_id=free_id)
        return ImportResult(account.id, account.email, account.did, True,
                            key is not None and not did_taken)
    result = ImportResult(account.id, account.email, account.did, False, False)
    if key is not None and account.did != holder_did:
        has_credentials = session.exec(select(StoredCredential.id).where(
            StoredCredential.owner_id == account.id)).first() is not None
        if did_taken:
            result.problems.append("the archive's holder DID belongs to another account "
                                   "here; the owner keeps the DID of this wallet")
        elif has_credentials:
            result.problems.append("the owner already has credentials here, so the owner "
                                   "keeps the DID of this wallet, not the archive's")
        else:
            replace_holder_key(ctx, session, account, key)
            result.did, result.took_holder_key = account.did, True
    return result


def _text(row: dict[str, Any], key: str, limit: int | None = None) -> str:
    value = row.get(key)
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


# With a datetime fallback the answer is always a datetime (for the NOT NULL columns).
@overload
def _moment(value: Any, default: datetime) -> datetime: ...


@overload
def _moment(value: Any, default: None) -> datetime | None: ...


def _moment(value: Any, default: datetime | None) -> datetime | None:
    try:
        return aware(datetime.fromisoformat(value)) if isinstance(value, str) else default
    except ValueError:
        return default


def _day(value: Any) -> date | None:
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _apply(ctx: WalletContext, session: Session, checked: CheckedArchive,
           given_actor: Actor | None, email: str | None) -> ImportResult:
    result = _target(ctx, session, checked, given_actor, email)
    account = session.get(Account, result.owner_id)
    if account is None:
        raise Inconsistent(f"the import's owner {result.owner_id} does not exist")
    actor = given_actor or owner_actor(account)
    ids = ArchiveIds(session, account.id)
    dossier, now = checked.dossier, ctx.now()
    stored_before = used_bytes(session, account.id)
    _add_competences(session, account, dossier, ids, result, now)
    session.flush()
    _credentials(ctx, session, actor, checked, ids, result)
    person = _person_finder(session, account)
    _add_evidence(session, account, checked, ids, result, now, person)
    session.flush()
    try:
        require_growth_within_quota(ctx, session, account.id, stored_before)
    except TooLarge as error:
        raise TooLarge(f"the archive is refused: {error}") from None
    _add_reflections(session, account, dossier, ids, result, now, person)
    session.flush()
    _add_reports(session, account, dossier, ids, result, now)
    _add_shares(session, account, dossier, ids, result, now)
    _cv(session, account.id, dossier.get("cv"), ids, result)
    result.evidence_files = len(checked.blobs)
    record(session, actor, "archive.import", None,
           f"from {checked.source or 'an archive'} exported {checked.exported_at}: " +
           ", ".join(f"{k} +{v['added']}" for k, v in result.counts.items() if v["added"]))
    return result


# The steps of an import, in the order the rows depend on each other. Each adds the rows of
# its kind that are not there yet and counts them in `result`.


def _add_competences(session: Session, account: Account, dossier: dict[str, Any], ids: ArchiveIds,
                     result: ImportResult, now: datetime) -> None:
    count = result.count
    for row in dossier["competences"]:
        chosen, already = ids.pick("competences", Competence, row["id"])
        url = _text(row, "url", 2000) or None
        same_url = competence_by_url(session, account.id, url) if url and not already else None
        if same_url is not None:
            ids.maps["competences"][row["id"]] = same_url.id
            already = True
        elif not already:
            session.add(Competence(id=chosen, owner_id=account.id, url=url,
                                   name=_text(row, "name", 300) or "?",
                                   framework=_text(row, "framework", 300),
                                   code=_text(row, "code", 100),
                                   description=_text(row, "description"),
                                   created_at=_moment(row.get("createdAt"), now)))
        count("competences", already)


def _person_finder(session: Session, account: Account) -> PersonFinder:
    """This wallet's account id for an e-mail address (authors, who added what), else the
    owner's; each address is looked up once."""
    people: dict[str, str] = {}

    def person(address: Any) -> str:
        """This wallet's account for an e-mail, else the owner."""
        if not isinstance(address, str) or not address:
            return account.id
        if address not in people:
            try:
                found = account_by_email(session, address)
            except ServiceError:
                found = None
            people[address] = found.id if found else account.id
        return people[address]

    return person


def _add_evidence(session: Session, account: Account, checked: CheckedArchive, ids: ArchiveIds,
                  result: ImportResult, now: datetime, person: PersonFinder) -> None:
    count, counts = result.count, result.counts
    for row in checked.dossier["evidence"]:
        chosen, already = ids.pick("evidence", Evidence, row["id"])
        sha256 = _text(row, "sha256")
        if not already and sha256 and sha256 not in checked.blobs:
            counts["evidence"]["refused"] += 1
            result.problems.append(f"evidence {row['id']}: its file is not in the archive")
            continue
        if not already:
            # A file's kind and media type are what its bytes are (sniffed as on upload),
            # its size what the archive holds: never what the row claims.
            sniffed = checked.sniffed.get(sha256) if sha256 else None
            kind = sniffed.kind if sniffed else _text(row, "kind")
            session.add(with_links(Evidence(
                id=chosen, owner_id=account.id, added_by=person(row.get("addedBy")),
                kind=kind if kind in EVIDENCE_KINDS else "document",
                title=_text(row, "title", 300) or "?", description=_text(row, "description"),
                filename=clean_filename(_text(row, "filename")),
                media_type=sniffed.media_type if sniffed else "",
                size=checked.blob_sizes.get(sha256, 0) if sha256 else 0, sha256=sha256,
                practice_date=_day(row.get("practiceDate")), place=_text(row, "place", 300),
                status=_text(row, "status") if row.get("status") in STATUSES else "pending",
                created_at=_moment(row.get("createdAt"), now)),
                competence_ids=ids.remap("competences", row.get("competences"))))
        count("evidence", already)


def _add_reflections(session: Session, account: Account, dossier: dict[str, Any], ids: ArchiveIds,
                     result: ImportResult, now: datetime, person: PersonFinder) -> None:
    count = result.count
    for row in dossier["reflections"]:
        chosen, already = ids.pick("reflections", Reflection, row["id"])
        author = row.get("author") if isinstance(row.get("author"), dict) else {}
        if not already:
            session.add(with_links(Reflection(
                id=chosen, owner_id=account.id, author_id=person(author.get("email")),
                author_role=_text(author, "role", 16) or "owner", text=_text(row, "text"),
                credential_json=_text(row, "credential"),
                status=_text(row, "status") if row.get("status") in STATUSES else "pending",
                created_at=_moment(row.get("createdAt"), now),
                decided_at=_moment(row.get("decidedAt"), None)),
                competence_ids=ids.remap("competences", row.get("competences")),
                evidence_ids=ids.remap("evidence", row.get("evidence"))))
        count("reflections", already)


def _add_reports(session: Session, account: Account, dossier: dict[str, Any], ids: ArchiveIds,
                 result: ImportResult, now: datetime) -> None:
    count = result.count
    for row in dossier["internshipReports"]:
        chosen, already = ids.pick("internshipReports", InternshipReport, row["id"])
        if not already:
            session.add(with_links(InternshipReport(
                id=chosen, owner_id=account.id, title=_text(row, "title", 300) or "?",
                organisation=_text(row, "organisation", 300), period=_text(row, "period", 100),
                summary=_text(row, "summary"), credential_json=_text(row, "credential"),
                created_at=_moment(row.get("createdAt"), now)),
                evidence_ids=ids.remap("evidence", row.get("evidence")),
                reflection_ids=ids.remap("reflections", row.get("reflections"))))
        count("internshipReports", already)


def _add_shares(session: Session, account: Account, dossier: dict[str, Any], ids: ArchiveIds,
                result: ImportResult, now: datetime) -> None:
    """Shares arrive switched off: their links pointed at the old wallet."""
    count = result.count
    arrived_off = 0
    for row in dossier["shares"]:
        chosen, already = ids.pick("shares", Share, row["id"])
        if not already:
            revoked = _moment(row.get("revokedAt"), None)
            arrived_off += revoked is None
            session.add(with_links(Share(
                id=chosen, owner_id=account.id, token=secrets.token_urlsafe(32),
                audience=_text(row, "audience", 300),
                created_at=_moment(row.get("createdAt"), now),
                expires_at=_moment(row.get("expiresAt"), now), revoked_at=revoked or now),
                credential_ids=ids.remap("credentials", row.get("credentials")),
                evidence_ids=ids.remap("evidence", row.get("evidence"))))
        count("shares", already)
    if arrived_off:
        result.problems.append(f"{arrived_off} share(s) arrived switched off: their links "
                               f"pointed at the old wallet; share again from this one")


def _credentials(ctx: WalletContext, session: Session, actor: Actor, checked: CheckedArchive,
                 ids: ArchiveIds, result: ImportResult) -> None:
    counts = result.counts["credentials"]
    for row in checked.dossier["credentials"]:
        old, path = row["id"], _text(row, "path")
        raw = checked.credentials.get(path)
        if raw is None or path != fmt.credential_path(old, _text(row, "format")):
            counts["refused"] += 1
            result.refused.append({"id": old, "name": _text(row, "name", 200),
                                   "reason": "its file is not in the archive"})
            continue
        chosen, already = ids.pick("credentials", StoredCredential, old)
        if already:
            counts["alreadyThere"] += 1
            continue
        try:
            added = add_credential(ctx, session, actor, raw, source="archive")
        except CredentialRefused as refused:
            counts["refused"] += 1
            result.refused.append({"id": old, "name": _text(row, "name", 200),
                                   "reason": str(refused)})
            ids.maps["credentials"].pop(old, None)
            continue
        except ServiceError as error:
            counts["refused"] += 1
            result.refused.append({"id": old, "name": _text(row, "name", 200),
                                   "reason": str(error)})
            ids.maps["credentials"].pop(old, None)
            continue
        stored = added.credential
        if added.duplicate:  # the same credential arrived here before under another id
            ids.maps["credentials"][old] = stored.id
            counts["alreadyThere"] += 1
            continue
        if stored.id != chosen:
            stored.id = chosen  # keep the archive's id (ids are the same in every wallet)
            session.flush()  # its links follow (ON UPDATE CASCADE) before they change
        if added.not_checked:
            result.not_checked.append({"id": stored.id, "name": stored.name[:200],
                                       "reason": not_checked_reason(added.report)})
        linked = ids.remap("competences", row.get("competences"))
        stored.competence_ids = list(dict.fromkeys([*linked, *stored.competence_ids]))
        stored.received_at = _moment(row.get("receivedAt"), stored.received_at) \
            or stored.received_at
        session.add(stored)
        session.flush()
        counts["added"] += 1


def _cv(session: Session, owner_id: str, cv: Any, ids: ArchiveIds, result: ImportResult) -> None:
    if not isinstance(cv, dict):
        return
    if session.get(CvPage, owner_id) is not None:
        result.counts["cv"]["alreadyThere"] += 1
        return
    session.add(with_links(CvPage(owner_id=owner_id, slug=secrets.token_hex(6),
                               enabled=cv.get("enabled") is True,
                               headline=_text(cv, "headline", 300), about=_text(cv, "about")),
                        credential_ids=ids.remap("credentials", cv.get("credentials")),
                        evidence_ids=ids.remap("evidence", cv.get("evidence"))))
    result.counts["cv"]["added"] += 1

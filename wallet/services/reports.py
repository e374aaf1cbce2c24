"""The internship report (stageverslag): the owner picks approved evidence and reflections,
and the wallet issues it as a self-issued OB 3.0 credential signed by the owner.

Each evidence file is named in the credential's `evidence` with the `digestSRI` of its
bytes, so whoever receives the report with the files can check that nothing was swapped;
each reflection is named with its text, its author and (as `id`) the id of the reflection's
own credential, which the author signed. The credential also enters the dossier's
credentials (source "self") so the owner can share it like any other.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from servicekit.errors import NotFound, Refused
from standards.ob3 import Evidence
from wallet.db import session_scope
from wallet.evidence_store import EvidenceStore, InvalidDigest, evidence_store
from wallet.models import Account, InternshipReport, Reflection
from wallet.models import Evidence as EvidenceItem
from wallet.services.access import Actor, record
from wallet.services.checking import REFUSED, check_credential, verdict
from wallet.services.context import WalletContext
from wallet.services.credentials import add_credential
from wallet.services.reflections import ROLE_WORDS, authors_of, require_evidence
from wallet.services.self_issued import author_name, issue_self_credential

MAX_TITLE = 300
MAX_ORGANISATION = 300
MAX_PERIOD = 100
MAX_SUMMARY = 20_000
MAX_ITEMS = 500
# OB 3.0's AchievementType has no "Internship"; "Fieldwork" is its term for learning by
# working in practice, which is what a stage is.
REPORT_ACHIEVEMENT_TYPE = "Fieldwork"
INLINE_IMAGE_LIMIT = 2 * 1024 * 1024  # larger photos are named, not embedded
INLINE_MEDIA_TYPES = ("image/png", "image/jpeg", "image/gif", "image/webp")


class ReportRefused(Refused):
    """A report that cannot be made: missing text, unknown or unapproved items."""


def _text(value: Any, what: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ReportRefused(f"{what} must be text")
    cleaned = value.strip()
    if required and not cleaned:
        raise ReportRefused(f"{what} is empty")
    if len(cleaned) > limit:
        raise ReportRefused(f"{what} is longer than {limit} characters")
    return cleaned


def _approved_reflections(session: Session, owner_id: str,
                          ids: Iterable[Any]) -> list[Reflection]:
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise ReportRefused("reflections must be a list of ids")
    wanted: list[str] = []
    for item in ids:
        if not isinstance(item, str) or not item:
            raise ReportRefused("reflections must be a list of ids")
        if item not in wanted:
            wanted.append(item)
    found = {r.id: r for r in session.exec(select(Reflection).where(
        Reflection.owner_id == owner_id, col(Reflection.id).in_(wanted)))} if wanted else {}
    unknown = [i for i in wanted if i not in found]
    if unknown:
        raise ReportRefused("not a reflection of this dossier: " +
                            ", ".join(i[:40] for i in unknown[:5]))
    unapproved = [i for i in wanted if found[i].status != "approved"]
    if unapproved:
        raise ReportRefused("only approved reflections can go into a report; not approved: " +
                            ", ".join(unapproved[:5]))
    return [found[i] for i in wanted]


def file_digest_sri(store: EvidenceStore, sha256: str) -> str | None:
    """`sha384-<base64>` of the evidence file, read in chunks (files may be videos of a few
    GB); None for a note or a file that is missing from the store."""
    try:
        path = store.path(sha256)
    except InvalidDigest:
        return None
    if not path.is_file():
        return None
    digest = hashlib.sha384()
    with path.open("rb") as stream:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
    return "sha384-" + base64.b64encode(digest.digest()).decode("ascii")


def _evidence_entry(store: EvidenceStore, item: EvidenceItem) -> Evidence:
    details = ", ".join(part for part in (
        item.practice_date.isoformat() if item.practice_date else "", item.place) if part)
    return Evidence(name=item.title, narrative=item.description.strip() or item.title,
                    description=details or None, genre=item.kind,
                    digest_sri=file_digest_sri(store, item.sha256) if item.sha256 else None,
                    media_type=item.media_type or None)


def signed_reflection_text(ctx: WalletContext, reflection: Reflection) -> str:
    """The text the reflection's author signed, from its credential once that verifies:
    a report repeats only signed content, never a row that could have been changed."""
    try:
        credential = json.loads(reflection.credential_json)
    except ValueError:
        credential = None
    text = credential.get("description") if isinstance(credential, dict) else None
    if not isinstance(credential, dict) or not isinstance(text, str):
        raise ReportRefused(f"reflection {reflection.id} has no signed text")
    report = check_credential(ctx, credential, check_status=False)
    if verdict(report) == REFUSED:
        raise ReportRefused(f"reflection {reflection.id} does not carry a valid signature "
                            f"of its author")
    if text != reflection.text:
        raise ReportRefused(f"reflection {reflection.id}: its text differs from the text "
                            f"its author signed")
    return text


def _reflection_entry(ctx: WalletContext, reflection: Reflection,
                      author: Account | None) -> Evidence:
    who = author_name(author) if author else "?"
    credential_id = json.loads(reflection.credential_json).get("id")
    role = ROLE_WORDS.get(reflection.author_role, reflection.author_role)
    return Evidence(id=credential_id if isinstance(credential_id, str) else None,
                    name=f"Reflectie van {who} ({role})",
                    narrative=signed_reflection_text(ctx, reflection), genre="Reflectie")


def create_report(ctx: WalletContext, session: Session, actor: Actor, title: Any,
                  organisation: Any, period: Any, summary: Any, evidence_ids: Iterable[Any],
                  reflection_ids: Iterable[Any]) -> InternshipReport:
    """Owner only. Refused (422) for empty title, no items, unknown or unapproved items."""
    actor.require_owner("compose an internship report")
    clean_title = _text(title, "the title", MAX_TITLE, required=True)
    clean_organisation = _text(organisation, "the organisation", MAX_ORGANISATION)
    clean_period = _text(period, "the period", MAX_PERIOD)
    clean_summary = _text(summary, "the summary", MAX_SUMMARY)
    evidence = require_evidence(session, actor.owner_id, evidence_ids)
    unapproved = [e.id for e in evidence if e.status != "approved"]
    if unapproved:
        raise ReportRefused("only approved evidence can go into a report; not approved: " +
                            ", ".join(unapproved[:5]))
    reflections = _approved_reflections(session, actor.owner_id, reflection_ids)
    if not evidence and not reflections:
        raise ReportRefused("choose at least one evidence item or reflection for the report")
    if len(evidence) + len(reflections) > MAX_ITEMS:
        raise ReportRefused(f"a report holds at most {MAX_ITEMS} items")
    store = evidence_store(ctx.settings.evidence_dir)
    authors = authors_of(session, reflections)
    where = ", ".join(part for part in (clean_organisation, clean_period) if part)
    credential = issue_self_credential(
        ctx, actor.account, actor.account.did, name=clean_title,
        description=clean_summary or clean_title,
        criteria_narrative=(f"Stageverslag{' (' + where + ')' if where else ''}, samengesteld "
                            f"door {author_name(actor.account)} uit {len(evidence)} "
                            f"bewijsstukken en {len(reflections)} reflecties."),
        evidence=[*(_evidence_entry(store, e) for e in evidence),
                  *(_reflection_entry(ctx, r, authors.get(r.author_id)) for r in reflections)],
        achievement_type=REPORT_ACHIEVEMENT_TYPE)
    content = json.dumps(credential, ensure_ascii=False)
    add_credential(ctx, session, actor, content.encode("utf-8"), source="self")
    report = InternshipReport(
        owner_id=actor.owner_id, title=clean_title, organisation=clean_organisation,
        period=clean_period, summary=clean_summary,
        credential_json=content, created_at=ctx.now())
    report.evidence_ids = [e.id for e in evidence]
    report.reflection_ids = [r.id for r in reflections]
    session.add(report)
    session.flush()
    record(session, actor, "report.create", report.id, clean_title)
    return report


def reports_of(session: Session, actor: Actor) -> list[InternshipReport]:
    actor.require_owner("see internship reports")
    return list(session.exec(select(InternshipReport)
                             .where(InternshipReport.owner_id == actor.owner_id)
                             .order_by(col(InternshipReport.created_at).desc())))


def get_report(session: Session, actor: Actor, report_id: str) -> InternshipReport:
    actor.require_owner("see internship reports")
    report = session.get(InternshipReport, report_id)
    if report is None or report.owner_id != actor.owner_id:
        raise NotFound("no such internship report in this dossier")
    return report


def delete_report(session: Session, actor: Actor, report_id: str) -> None:
    """The report goes; its credential stays among the credentials until deleted there."""
    report = get_report(session, actor, report_id)
    session.delete(report)
    record(session, actor, "report.delete", report_id, report.title)


@dataclass
class ReportItem:
    evidence: EvidenceItem
    digest_sri: str | None = None
    inline_image: str | None = None  # a data: URI for a small photo


@dataclass
class ReportContents:
    """What an export shows: the report, its items still in the dossier, and who wrote
    each reflection. Items deleted since are counted in `missing`."""

    report: InternshipReport
    owner: Account
    credential: dict[str, Any]
    evidence: list[ReportItem] = field(default_factory=list)
    reflections: list[tuple[Reflection, Account | None]] = field(default_factory=list)
    missing: int = 0


def report_contents(ctx: WalletContext, session: Session, report: InternshipReport, *,
                    inline_images: bool = True) -> ReportContents:
    owner = session.get(Account, report.owner_id)
    if owner is None:
        raise NotFound("no such dossier")
    credential = json.loads(report.credential_json)
    # The credential lists the evidence first, in the report's order.
    entries = [e for e in credential.get("evidence", []) if isinstance(e, dict)]
    contents = ReportContents(report, owner, credential)
    store = evidence_store(ctx.settings.evidence_dir)
    rows = {e.id: e for e in session.exec(select(EvidenceItem).where(
        EvidenceItem.owner_id == report.owner_id, col(EvidenceItem.id).in_(report.evidence_ids)))}
    # A deleted item's link stays, without an item, at its position (see ReportEvidence).
    for link in report.evidence_links:
        item = rows.get(link.evidence_id) if link.evidence_id else None
        if item is None:
            contents.missing += 1
            continue
        index = link.position
        digest = entries[index].get("digestSRI") if index < len(entries) else None
        contents.evidence.append(ReportItem(item, digest,
                                            _inline(store, item) if inline_images else None))
    reflections = {r.id: r for r in session.exec(select(Reflection).where(
        Reflection.owner_id == report.owner_id, col(Reflection.id).in_(report.reflection_ids)))}
    authors = authors_of(session, reflections.values())
    for reflection_link in report.reflection_links:
        reflection = reflections.get(reflection_link.reflection_id) \
            if reflection_link.reflection_id else None
        if reflection is None:
            contents.missing += 1
            continue
        contents.reflections.append((reflection, authors.get(reflection.author_id)))
    return contents


def _inline(store: EvidenceStore, item: EvidenceItem) -> str | None:
    if item.media_type not in INLINE_MEDIA_TYPES or not item.sha256 or \
            item.size >= INLINE_IMAGE_LIMIT:
        return None
    try:
        data = store.path(item.sha256).read_bytes()
    except (InvalidDigest, OSError):
        return None
    if len(data) >= INLINE_IMAGE_LIMIT:
        return None
    return f"data:{item.media_type};base64,{base64.b64encode(data).decode('ascii')}"


# --- whole requests, each in a session of its own (what the pages call) ---------------
def list_reports(ctx: WalletContext, actor: Actor) -> list[InternshipReport]:
    with Session(ctx.engine) as session:
        return reports_of(session, actor)


def compose_report(ctx: WalletContext, actor: Actor, title: str, organisation: str,
                   period: str, summary: str, evidence_ids: list[str],
                   reflection_ids: list[str]) -> InternshipReport:
    with session_scope(ctx.engine) as session:
        return create_report(ctx, session, actor, title, organisation, period, summary,
                             evidence_ids, reflection_ids)


def find_report(ctx: WalletContext, actor: Actor, report_id: str) -> InternshipReport:
    with Session(ctx.engine) as session:
        return get_report(session, actor, report_id)


def contents_of_report(ctx: WalletContext, actor: Actor, report_id: str, *,
                       inline_images: bool = True) -> ReportContents:
    """The report (`.report`) and what it shows, for its page and its exports."""
    with Session(ctx.engine) as session:
        return report_contents(ctx, session, get_report(session, actor, report_id),
                               inline_images=inline_images)

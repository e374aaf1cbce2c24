"""Signed content is the truth: the rows of an archive that repeat what a signed credential
says are checked against that credential before anything is imported.

dossier.json is not signed; anyone can edit it. A reflection and an internship report each
carry the credential their author signed, and that is what counts:
- a reflection's credential must verify (its author's did:key, checked offline), and the
  row's text, author (DID and role) and links must be what the author signed;
- a report's credential must verify, and its title, summary, organisation and period must
  be what the owner signed, every linked evidence file must be one whose digest the report
  signed, and every linked reflection one the report names, with the text it signed.
A mismatch refuses the whole archive, naming the item and the field: an archive that was
changed after export is not half imported.
"""

from __future__ import annotations

import json
from typing import Any

from wallet.services.archive_format import ArchiveRefused
from wallet.services.archive_reading import CheckedArchive
from wallet.services.checking import REFUSED, checked_document, verdict
from wallet.services.context import WalletContext
from wallet.services.reflections import ROLE_WORDS

REFLECTION_GENRE = "Reflectie"


def _signed(ctx: WalletContext, row: dict[str, Any], kind: str) -> dict[str, Any]:
    """The row's signed credential, verified; ArchiveRefused naming the row otherwise.
    `kind`: "reflection" or "internship report"."""
    row_id = row["id"]
    text = row.get("credential")
    try:
        credential = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        credential = None
    if not isinstance(credential, dict):
        raise ArchiveRefused(f"{kind} {row_id} has no signed credential")
    report, _ = checked_document(ctx, credential, check_status=False)
    if verdict(report) == REFUSED:
        raise ArchiveRefused(f"{kind} {row_id}: its signed credential does not verify: "
                             + "; ".join(report["errors"][:3]))
    return credential


def _achievement(credential: dict[str, Any]) -> dict[str, Any]:
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return achievement if isinstance(achievement, dict) else {}


def _narrative(credential: dict[str, Any]) -> str:
    criteria = _achievement(credential).get("criteria")
    narrative = criteria.get("narrative") if isinstance(criteria, dict) else None
    return narrative if isinstance(narrative, str) else ""


def _issuer_id(credential: dict[str, Any]) -> str:
    issuer = credential.get("issuer")
    issuer = issuer.get("id") if isinstance(issuer, dict) else issuer
    return issuer if isinstance(issuer, str) else ""


def _entries(credential: dict[str, Any]) -> list[dict[str, Any]]:
    entries = credential.get("evidence")
    return [e for e in entries if isinstance(e, dict)] if isinstance(entries, list) else []


def _ids(row: dict[str, Any], key: str) -> list[str]:
    values = row.get(key)
    return [v for v in values if isinstance(v, str)] if isinstance(values, list) else []


def check_reflection(ctx: WalletContext, row: dict[str, Any]) -> dict[str, Any]:
    """The reflection row against its author's credential; the credential."""
    reflection_id = row["id"]
    credential = _signed(ctx, row, "reflection")
    if row.get("text") != credential.get("description"):
        raise ArchiveRefused(f"reflection {reflection_id}: its text differs from the text "
                             f"its author signed")
    given = row.get("author")
    author: dict[str, Any] = given if isinstance(given, dict) else {}
    did = author.get("did")
    if did and did != _issuer_id(credential):
        raise ArchiveRefused(f"reflection {reflection_id}: its author differs from the "
                             f"author who signed it")
    role = author.get("role")
    if not isinstance(role, str) or not _narrative(credential).endswith(
            f"({ROLE_WORDS.get(role, role)})."):
        raise ArchiveRefused(f"reflection {reflection_id}: its author's role differs from "
                             f"the role signed")
    if len(_ids(row, "evidence")) > len(_entries(credential)):
        raise ArchiveRefused(f"reflection {reflection_id}: it links more evidence than its "
                             f"author signed")
    alignments = _achievement(credential).get("alignment")
    if len(_ids(row, "competences")) > (len(alignments) if isinstance(alignments, list)
                                        else 0):
        raise ArchiveRefused(f"reflection {reflection_id}: it links more competences than "
                             f"its author signed")
    return credential


def check_report(ctx: WalletContext, row: dict[str, Any], checked: CheckedArchive,
                 reflections: dict[str, dict[str, Any]]) -> None:
    """The report row against the credential its owner signed. `reflections`: the archive's
    reflection credentials, checked, by reflection id."""
    report_id = row["id"]
    credential = _signed(ctx, row, "internship report")
    title, summary = row.get("title"), row.get("summary") or ""
    if title != credential.get("name"):
        raise ArchiveRefused(f"internship report {report_id}: its title differs from the "
                             f"title signed")
    if (summary or title) != credential.get("description"):
        raise ArchiveRefused(f"internship report {report_id}: its summary differs from the "
                             f"summary signed")
    where = ", ".join(part for part in (row.get("organisation"), row.get("period"))
                      if isinstance(part, str) and part)
    if not _narrative(credential).startswith(
            f"Stageverslag{' (' + where + ')' if where else ''}, "):
        raise ArchiveRefused(f"internship report {report_id}: its organisation or period "
                             f"differs from what was signed")
    entries = _entries(credential)
    signed_files = {e.get("digestSRI") for e in entries if e.get("digestSRI")}
    evidence = {e["id"]: e for e in checked.dossier["evidence"]}
    for evidence_id in _ids(row, "evidence"):
        sha256 = (evidence.get(evidence_id) or {}).get("sha256")
        # (a file missing from the archive leaves its item out of the import anyway)
        if sha256 in checked.sri and checked.sri[sha256] not in signed_files:
            raise ArchiveRefused(f"internship report {report_id}: the file of evidence "
                                 f"{evidence_id} is not the file the report signed")
    signed_reflections = {e.get("id"): e for e in entries
                          if e.get("genre") == REFLECTION_GENRE}
    for reflection_id in _ids(row, "reflections"):
        reflection = reflections.get(reflection_id, {})
        entry = signed_reflections.get(reflection.get("id"))
        if entry is None or entry.get("narrative") != reflection.get("description"):
            raise ArchiveRefused(f"internship report {report_id}: reflection {reflection_id} "
                                 f"is not the reflection the report signed")


def check_signed_content(ctx: WalletContext, checked: CheckedArchive) -> None:
    """Every reflection and report of the archive against its signed credential."""
    reflections = {row["id"]: check_reflection(ctx, row)
                   for row in checked.dossier["reflections"]}
    for row in checked.dossier["internshipReports"]:
        check_report(ctx, row, checked, reflections)

"""The record of issued credentials: search, look up, summarise, hand out as a file.

Every query is limited to the calling organisation's rows; another organisation's id reads
as "not found", so nobody learns which ids exist elsewhere.
"""

from __future__ import annotations

import json
import re
import unicodedata
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from issuer.models import IssuedCredential, Organisation
from servicekit.errors import Invalid, NotFound

MAX_PAGE = 200
MEDIA_TYPES = {"ldp_vc": "application/vc+ld+json", "jwt_vc_json": "application/vc+jwt"}
EXTENSIONS = {"ldp_vc": "json", "jwt_vc_json": "jwt"}


def search_credentials(session: Session, org: Organisation, *, recipient: str | None = None,
                       achievement_id: str | None = None,
                       issued_from: datetime | None = None, issued_to: datetime | None = None,
                       limit: int = 50, offset: int = 0) -> tuple[list[IssuedCredential], int]:
    """Rows newest first and the total count. `recipient`: an e-mail address or DID matches
    exactly; other text matches any part of the recipient or the name, ignoring case.
    `issued_from` is inclusive, `issued_to` exclusive."""
    if not 1 <= limit <= MAX_PAGE:
        raise Invalid(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise Invalid("offset must not be negative")
    conditions: list[Any] = [IssuedCredential.org_id == org.id]
    term = (recipient or "").strip()
    if term:
        conditions.append(_recipient_condition(term))
    if achievement_id:
        conditions.append(or_(col(IssuedCredential.achievement_id) == achievement_id,
                              col(IssuedCredential.achievement_ref) == achievement_id))
    if issued_from is not None:
        conditions.append(IssuedCredential.issued_at >= _aware(issued_from))
    if issued_to is not None:
        conditions.append(IssuedCredential.issued_at < _aware(issued_to))
    total = session.exec(select(func.count()).select_from(IssuedCredential)
                         .where(*conditions)).one()
    rows = session.exec(
        select(IssuedCredential).where(*conditions)
        .order_by(IssuedCredential.issued_at.desc(), IssuedCredential.id.desc())  # type: ignore[attr-defined]
        .limit(limit).offset(offset)
    ).all()
    return list(rows), int(total)


def _recipient_condition(term: str) -> Any:
    if term.startswith("did:"):
        return IssuedCredential.recipient == term
    if "@" in term and " " not in term and not term.startswith("@"):
        return IssuedCredential.recipient == term.lower()  # stored lower-cased
    needle = term.lower()
    return or_(
        func.lower(IssuedCredential.recipient).contains(needle, autoescape=True),
        func.lower(IssuedCredential.recipient_name).contains(needle, autoescape=True),
    )


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def get_record(session: Session, org: Organisation,
               record_or_credential_id: str) -> IssuedCredential:
    row = session.exec(select(IssuedCredential).where(
        IssuedCredential.org_id == org.id,
        or_(col(IssuedCredential.id) == record_or_credential_id,
            col(IssuedCredential.credential_id) == record_or_credential_id),
    )).first()
    if row is None:
        raise NotFound(f"no issued credential {record_or_credential_id[:100]!r} in this "
                       "organisation")
    return row


def record_summary(record: IssuedCredential) -> dict[str, Any]:
    return {
        "recordId": record.id,
        "credentialId": record.credential_id,
        "recipient": record.recipient,
        "recipientName": record.recipient_name,
        "achievementId": record.achievement_id,
        "achievementName": record.achievement_name,
        "issuedAt": iso(record.issued_at),
        "validUntil": iso(record.valid_until),
        "revoked": record.revoked,
        "suspended": record.suspended,
        "format": record.format,
    }


def signed_document(record: IssuedCredential) -> dict[str, Any] | str:
    """The credential as signed: a JSON object (data integrity) or a compact JWT."""
    return json.loads(record.document) if record.format == "ldp_vc" else record.document


def download_name(record: IssuedCredential) -> str:
    """A file name safe in any Content-Disposition and file system: ASCII letters, digits
    and dashes from the achievement's name, then the record id."""
    ascii_name = unicodedata.normalize("NFKD", record.achievement_name).encode(
        "ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60].strip("-")
    stem = f"{slug}-{record.id}" if slug else f"credential-{record.id}"
    return f"{stem}.{EXTENSIONS.get(record.format, 'json')}"


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return _aware(moment).astimezone(UTC).isoformat().replace("+00:00", "Z")

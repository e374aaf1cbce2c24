"""Credentials in the dossier: taken in (import, OpenID4VCI, archive) after they are checked,
kept exactly as received, recognised when they come twice.

One that verifies is kept as verified. One that could not be checked now (its issuer's status
list or key could not be fetched: `checking.verdict` is NOT_CHECKED) is kept too, marked
"not checked yet" with the reason (`verified` False, the report in `verification`), and
checked again later (`credential_rechecks`). Only one found false is refused."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from servicekit.database import ChangedMeanwhile
from servicekit.errors import Conflict, Invalid, NotFound, Refused, TooLarge
from standards.credential_input import parse_credential_input
from standards.errors import StandardsError
from standards.jose import decode_compact_jws
from wallet.db import session_scope
from wallet.models import StoredCredential
from wallet.services.access import Actor, record
from wallet.services.checking import NOT_CHECKED, VERIFIED, checked_document, verdict
from wallet.services.competences import competences_from_credential
from wallet.services.context import WalletContext


class CredentialRefused(Refused):
    """The credential does not verify; `report` says why. Nothing was stored."""

    def __init__(self, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


@dataclass(frozen=True)
class Added:
    credential: StoredCredential
    report: dict[str, Any]
    duplicate: bool  # it was already in the dossier; nothing new was stored

    @property
    def not_checked(self) -> bool:
        """Kept, but its status or issuer key could not be checked now."""
        return not self.credential.verified


def content_of(value: dict[str, Any] | str, raw: bytes) -> str:
    """What is kept: the text as received for JSON and JWT input; for a baked image, the
    credential found in it."""
    if isinstance(value, str):
        return value
    text = raw.decode("utf-8", errors="strict") if not _is_image(raw) else json.dumps(value)
    return text.strip()


def _is_image(raw: bytes) -> bool:
    return raw.startswith(b"\x89PNG") or raw.lstrip().startswith(b"<")


def add_credential(ctx: WalletContext, session: Session, actor: Actor, raw: bytes, *,
                   source: str = "import") -> Added:
    """Verify `raw` (JSON, JWT, baked PNG/SVG) and keep it. CredentialRefused when it does
    not verify, Invalid / TooLarge when it is not a credential at all. Its achievement
    alignments become competences of the dossier."""
    actor.require_owner("add credentials")
    if len(raw) > ctx.settings.max_credential_bytes:
        raise TooLarge(f"the credential is larger than "
                       f"{ctx.settings.max_credential_bytes} bytes")
    try:
        value = parse_credential_input(raw, "the file")
        content = content_of(value, raw)
    except (StandardsError, ValueError) as error:
        raise Invalid(str(error)) from None
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    same_bytes = find_by_digest(session, actor.owner_id, digest)
    if same_bytes is not None:
        return Added(same_bytes, same_bytes.verification, True)
    # Fresh: a status list cached for the issuer's max-age could let in a credential
    # revoked a minute ago; arrivals are rare enough to fetch it again.
    report, document = checked_document(ctx, value, fresh=True)
    outcome = verdict(report)
    if outcome not in (VERIFIED, NOT_CHECKED):
        raise CredentialRefused("the credential does not verify: " +
                                "; ".join(report["errors"][:5]), report)
    summary = report["summary"]
    # Only a copy that is not found false counts as "the same credential again": a tampered
    # copy of a credential the dossier has is refused like any other. A copy that cannot be
    # checked now is not stored next to the one the dossier has.
    same_id = find_by_credential_id(session, actor.owner_id, summary.get("id"))
    if same_id is not None:
        return Added(same_id, same_id.verification, True)
    stored = StoredCredential(
        owner_id=actor.owner_id, format="jwt_vc" if isinstance(value, str) else "ldp_vc",
        content=content, digest=digest, credential_id=summary.get("id"),
        name=(summary.get("name") or "")[:500],
        issuer_id=(summary.get("issuer", {}).get("id") or "")[:2000],
        issuer_name=(summary.get("issuer", {}).get("name") or "")[:500],
        types=list(summary.get("types", [])), source=source, verified=outcome == VERIFIED,
        verification=report)
    stored.competence_ids = competences_from_credential(session, actor.owner_id, document)
    session.add(stored)
    session.flush()
    record(session, actor, "credential.add", stored.id, f"{source}: {stored.name}" +
           ("" if stored.verified else " (not checked yet)"))
    return Added(stored, report, False)


def find_by_digest(session: Session, owner_id: str, digest: str) -> StoredCredential | None:
    """The same bytes."""
    return session.exec(select(StoredCredential).where(
        StoredCredential.owner_id == owner_id, StoredCredential.digest == digest)).first()


def find_by_credential_id(session: Session, owner_id: str,
                          credential_id: Any) -> StoredCredential | None:
    """A credential with the same `id`: a re-issued or re-encoded copy of one."""
    if not isinstance(credential_id, str) or not credential_id:
        return None
    return session.exec(select(StoredCredential).where(
        StoredCredential.owner_id == owner_id,
        StoredCredential.credential_id == credential_id)).first()


def delete_credential(session: Session, actor: Actor, credential_id: str) -> None:
    """Remove a credential from the dossier (owner only). Shares made earlier keep their
    signed presentation; the credential is no longer listed or offered anywhere."""
    actor.require_owner("delete credentials")
    stored = get_credential(session, actor, credential_id)
    record(session, actor, "credential.delete", stored.id, stored.name)
    session.delete(stored)
    session.flush()


def credentials_of(session: Session, actor: Actor) -> list[StoredCredential]:
    actor.require("credentials:read")
    return list(session.exec(select(StoredCredential)
                             .where(StoredCredential.owner_id == actor.owner_id)
                             .order_by(col(StoredCredential.received_at).desc())))


def get_credential(session: Session, actor: Actor, credential_id: str) -> StoredCredential:
    actor.require("credentials:read")
    stored = session.get(StoredCredential, credential_id)
    if stored is None or stored.owner_id != actor.owner_id:
        raise NotFound("no such credential in this dossier")
    return stored


def unverified_document(value: dict[str, Any] | str) -> dict[str, Any]:
    """A credential as an object, a VC-JWT's credential read WITHOUT checking it: for
    display and matching only, next to a verdict that comes from verification."""
    if isinstance(value, dict):
        return value
    try:
        _, payload = decode_compact_jws(value)
    except StandardsError:
        return {}
    inner = payload.get("vc", payload)
    return inner if isinstance(inner, dict) else {}


def parsed(stored: StoredCredential) -> dict[str, Any] | str:
    """The credential as a JSON object, or the compact JWT."""
    return stored.content if stored.format == "jwt_vc" else json.loads(stored.content)


# --- whole requests, each in a session of its own (what the pages call) ---------------
def store_credential(ctx: WalletContext, actor: Actor, raw: bytes, source: str) -> Added:
    """`add_credential` in a transaction of its own (the API's and the pages'). Two arrivals
    of the same credential at once (a double-clicked form) meet the unique constraints; the
    second try then finds the first one's row and answers `duplicate`."""
    for attempt in (1, 2):
        try:
            with session_scope(ctx.engine) as session:
                added = add_credential(ctx, session, actor, raw, source=source)
                session.expunge(added.credential)
                return added
        except ChangedMeanwhile:
            if attempt == 2:
                raise Conflict("the dossier changed while the credential was added; "
                               "try again") from None
    raise AssertionError("unreachable")


def list_credentials(ctx: WalletContext, actor: Actor) -> list[StoredCredential]:
    with Session(ctx.engine) as session:
        return credentials_of(session, actor)


def remove_credential(ctx: WalletContext, actor: Actor, credential_id: str) -> None:
    with session_scope(ctx.engine) as session:
        delete_credential(session, actor, credential_id)

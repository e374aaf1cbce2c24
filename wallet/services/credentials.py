"""Credentials in the dossier: taken in (import, OpenID4VCI, archive) only after they verify,
kept exactly as received, recognised when they come twice."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from standards.credential_input import parse_credential_input
from standards.errors import StandardsError
from wallet.models import StoredCredential
from wallet.services.access import Actor, record
from wallet.services.checking import check_credential
from wallet.services.context import NotFound, WalletContext, WalletError


class CredentialRefused(WalletError):
    """The credential does not verify; `report` says why. Nothing was stored."""

    status = 422

    def __init__(self, message: str, report: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.report = report or {}


@dataclass(frozen=True)
class Added:
    credential: StoredCredential
    report: dict[str, Any]
    duplicate: bool  # it was already in the dossier; nothing new was stored


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
    not verify, WalletError(400/413) when it is not a credential at all."""
    actor.require_owner("add credentials")
    if len(raw) > ctx.settings.max_credential_bytes:
        raise WalletError(f"the credential is larger than "
                          f"{ctx.settings.max_credential_bytes} bytes", 413)
    try:
        value = parse_credential_input(raw, "the file")
        content = content_of(value, raw)
    except (StandardsError, ValueError) as error:
        raise WalletError(str(error), 400) from None
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    existing = find_duplicate(session, actor.owner_id, digest, value)
    if existing is not None:
        return Added(existing, json.loads(existing.verification_json), True)
    report = check_credential(ctx, value)
    if not report["verified"]:
        raise CredentialRefused("the credential does not verify: " +
                                "; ".join(report["errors"][:5]), report)
    summary = report["summary"]
    stored = StoredCredential(
        owner_id=actor.owner_id, format="jwt_vc" if isinstance(value, str) else "ldp_vc",
        content=content, digest=digest, credential_id=summary.get("id"),
        name=(summary.get("name") or "")[:500],
        issuer_id=(summary.get("issuer", {}).get("id") or "")[:2000],
        issuer_name=(summary.get("issuer", {}).get("name") or "")[:500],
        types_json=json.dumps(summary.get("types", [])), source=source, verified=True,
        verification_json=json.dumps(report))
    session.add(stored)
    session.flush()
    record(session, actor, "credential.add", stored.id, stored.name)
    return Added(stored, report, False)


def find_duplicate(session: Session, owner_id: str, digest: str,
                   value: dict[str, Any] | str) -> StoredCredential | None:
    """The same bytes, or a credential with the same `id` (a re-issued copy of one)."""
    same = session.exec(select(StoredCredential).where(
        StoredCredential.owner_id == owner_id, StoredCredential.digest == digest)).first()
    if same is not None:
        return same
    credential_id = value.get("id") if isinstance(value, dict) else None
    if isinstance(credential_id, str) and credential_id:
        return session.exec(select(StoredCredential).where(
            StoredCredential.owner_id == owner_id,
            StoredCredential.credential_id == credential_id)).first()
    return None


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


def parsed(stored: StoredCredential) -> dict[str, Any] | str:
    """The credential as a JSON object, or the compact JWT."""
    return stored.content if stored.format == "jwt_vc" else json.loads(stored.content)

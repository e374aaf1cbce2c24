"""Share links: chosen credentials (and evidence) behind `/s/{token}` until an expiry.

The presentation is signed once, when the owner makes the share, and stored: what a viewer
gets is exactly what the owner approved, even if the dossier changes later. Evidence cannot
travel inside a presentation, so chosen evidence goes in as one self-issued OB 3.0
credential (issuer and subject: the owner's did:key) whose `evidence` entries point to
`/s/{token}/evidence/{id}` with the SRI digest of each file, so a verifier can fetch every
file and see it is the one the owner signed for.

The presentation's proof carries the share's id as `challenge` and the wallet's public address
as `domain` (share_proof_binding), so verifiers that insist on a challenge can check it.

A link stops working at once when it expires or the owner revokes it (410). A token that
never existed gets 404, and nothing tells a guesser whether a token was ever valid.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, select

from servicekit.errors import Conflict, Gone, Inconsistent, NotFound, Refused
from standards.ob3 import Evidence as EvidenceEntry
from wallet.db import session_scope
from wallet.evidence_store import InvalidDigest, evidence_store
from wallet.models import Account, Evidence, Share, StoredCredential, aware, new_id
from wallet.services.access import Actor, record
from wallet.services.context import WalletContext
from wallet.services.credential_rechecks import recheck_all
from wallet.services.credentials import credentials_of, get_credential, parsed
from wallet.services.evidence import approved_evidence
from wallet.services.presentations import sign_presentation
from wallet.services.self_issued import author_name, issue_self_credential
from wallet.services.share_views import ViewLog, view_logs

MAX_SHARE_DAYS = 366
MAX_ITEMS = 200
_DURATION = re.compile(r"^\s*(\d{1,6})\s*([dhms])\s*$")
_UNIT_SECONDS = {"d": 86400, "h": 3600, "m": 60, "s": 1}


def parse_duration(text: str) -> timedelta:
    """`7d`, `12h`, `30m`, `45s` as a timedelta (at least 1 second, at most a year)."""
    match = _DURATION.match(text or "")
    if match is None:
        raise Refused(f"expiry {text[:40]!r} is not a number followed by d, h, m or s "
                      "(e.g. 7d, 12h, 30m)")
    seconds = int(match.group(1)) * _UNIT_SECONDS[match.group(2)]
    if seconds < 1:
        raise Refused("the expiry must be at least 1 second")
    if seconds > MAX_SHARE_DAYS * 86400:
        raise Refused(f"the expiry can be at most {MAX_SHARE_DAYS} days")
    return timedelta(seconds=seconds)


def share_url(ctx: WalletContext, share: Share) -> str:
    return f"{ctx.public_url}/s/{share.token}"


def evidence_url(ctx: WalletContext, token: str, evidence_id: str) -> str:
    return f"{ctx.public_url}/s/{token}/evidence/{evidence_id}"


def blob_path(ctx: WalletContext, sha256: str) -> Path:
    """Where the evidence store keeps the file with this digest."""
    try:
        return evidence_store(ctx.settings.evidence_dir).path(sha256)
    except InvalidDigest:
        raise NotFound("no such evidence file") from None


def file_sri(path: Path, algorithm: str = "sha384") -> str:
    """The SRI expression of a file, read in chunks (evidence may be a long video); the same
    text as standards.ob3.evidence.digest_sri gives for the whole content."""
    digest = hashlib.new(algorithm)
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return f"{algorithm}-{base64.b64encode(digest.digest()).decode('ascii')}"


# --- making shares ----------------------------------------------------------------------
def _distinct(ids: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for value in ids:
        if not isinstance(value, str) or not value:
            raise Refused("ids must be non-empty strings")
        if value not in seen:
            seen.append(value)
    return seen


def shareable_evidence(session: Session, actor: Actor, evidence_id: str) -> Evidence:
    """An approved evidence item of the dossier; NotFound / 422 otherwise."""
    item = session.get(Evidence, evidence_id)
    if item is None or item.owner_id != actor.owner_id:
        raise NotFound(f"no evidence {evidence_id[:40]!r} in this dossier")
    if item.status != "approved":
        raise Refused(f"evidence {item.title!r} is not approved yet; approve it before "
                      "sharing it")
    return item


def chosen_credentials(session: Session, actor: Actor,
                       credential_ids: Sequence[str]) -> list[StoredCredential]:
    """The dossier's credentials by id; 404 for one that is not there."""
    return [get_credential(session, actor, cid) for cid in credential_ids]


def shareable_credential_ids(session: Session, actor: Actor) -> list[str]:
    """Every credential of the dossier that can be shared (for `share --all`)."""
    return list(session.exec(select(StoredCredential.id).where(
        StoredCredential.owner_id == actor.owner_id)
        .order_by(col(StoredCredential.received_at))))


def evidence_credential(ctx: WalletContext, account: Account, token: str,
                        items: Sequence[Evidence], audience: str) -> dict[str, Any]:
    """The owner's self-issued credential listing the shared evidence with file digests."""
    entries = []
    for item in items:
        if item.sha256:
            path = blob_path(ctx, item.sha256)
            if not path.is_file():
                raise Conflict(f"the file of evidence {item.title!r} is missing from the "
                               "store")
            entries.append(EvidenceEntry(
                id=evidence_url(ctx, token, item.id), name=item.title,
                description=item.description or None, genre=item.kind,
                digest_sri=file_sri(path), media_type=item.media_type or None))
        else:  # a note: no file, its text is the narrative
            entries.append(EvidenceEntry(name=item.title, genre=item.kind,
                                         narrative=item.description or item.title))
    who = author_name(account)
    description = f"Evidence from the dossier of {who}" + (f", for {audience}" if audience
                                                            else "")
    return issue_self_credential(
        ctx, account, account.did, name="Evidence shared by the owner",
        description=description, criteria_narrative="Chosen by the owner from their own "
        "dossier; each file's digest lets anyone check it is the file signed for.",
        evidence=entries, achievement_type="Achievement")


def create_share(ctx: WalletContext, session: Session, actor: Actor,
                 credential_ids: Sequence[str], evidence_ids: Sequence[str] = (),
                 audience: str = "", expires_in: timedelta | None = None) -> Share:
    """A new share link with a signed presentation of the chosen items (owner only)."""
    actor.require_owner("share the dossier")
    credential_ids, evidence_ids = _distinct(credential_ids), _distinct(evidence_ids)
    if not credential_ids and not evidence_ids:
        raise Refused("choose at least one credential or evidence item to share")
    if len(credential_ids) + len(evidence_ids) > MAX_ITEMS:
        raise Refused(f"a share can hold at most {MAX_ITEMS} items")
    audience = (audience or "").strip()
    if len(audience) > 300:
        raise Refused("the audience can be at most 300 characters")
    lifetime = expires_in or timedelta(days=ctx.settings.share_default_days)
    if lifetime <= timedelta(0) or lifetime > timedelta(days=MAX_SHARE_DAYS):
        raise Refused(f"the expiry must be between 1 second and {MAX_SHARE_DAYS} days")
    credentials = chosen_credentials(session, actor, credential_ids)
    recheck_all(ctx, credentials)  # one kept "not checked yet" may verify by now
    items = [shareable_evidence(session, actor, eid) for eid in evidence_ids]
    account = session.get(Account, actor.owner_id)
    if account is None:
        raise Inconsistent(f"the dossier's owner {actor.owner_id} does not exist")
    token = secrets.token_urlsafe(24)
    documents: list[dict[str, Any] | str] = [parsed(stored) for stored in credentials]
    if items:
        documents.append(evidence_credential(ctx, account, token, items, audience))
    share_id = new_id()
    presentation = sign_presentation(ctx, account, documents,
                                     **share_proof_binding(ctx, share_id))
    now = ctx.now()
    share = Share(id=share_id, owner_id=actor.owner_id, token=token, audience=audience,
                  presentation=presentation, created_at=now,
                  expires_at=now + lifetime)
    share.credential_ids, share.evidence_ids = credential_ids, evidence_ids
    session.add(share)
    session.flush()
    record(session, actor, "share.create", share.id,
           f"{len(credential_ids)} credentials, {len(evidence_ids)} evidence"
           + (f" for {audience}" if audience else ""))
    return share


def share_proof_binding(ctx: WalletContext, share_id: str) -> dict[str, str]:
    """The challenge and domain a share's presentation proof carries: the share's id and
    the wallet's public address. Nobody asked a question, so they protect against nothing;
    they are there because verifiers (Digital Bazaar's `vc.verify`, W3C VC-API) check an
    authentication proof against a challenge (and domain) they are given: a viewer reads
    both from the proof (or from the share page) and passes them on."""
    return {"challenge": share_id, "domain": ctx.public_url}


# --- the owner's view -------------------------------------------------------------------
def shares_of(session: Session, actor: Actor) -> list[Share]:
    actor.require_owner("see the share links")
    return list(session.exec(select(Share).where(Share.owner_id == actor.owner_id)
                             .order_by(col(Share.created_at).desc())))


def get_share(session: Session, actor: Actor, share_id: str) -> Share:
    actor.require_owner("see the share links")
    share = session.get(Share, share_id)
    if share is None or share.owner_id != actor.owner_id:
        raise NotFound("no such share link in this dossier")
    return share


def share_state(ctx: WalletContext, share: Share) -> str:
    """`active`, `expired` or `revoked`."""
    if share.revoked_at is not None:
        return "revoked"
    return "expired" if aware(share.expires_at) <= ctx.now() else "active"


def revoke_share(ctx: WalletContext, session: Session, actor: Actor, share_id: str) -> Share:
    """Withdraw a link at once (revoking twice changes nothing)."""
    actor.require_owner("withdraw share links")
    share = get_share(session, actor, share_id)
    if share.revoked_at is None:
        share.revoked_at = ctx.now()
        session.add(share)
        record(session, actor, "share.revoke", share.id, share.audience)
    return share


# --- the public side --------------------------------------------------------------------
def open_share(ctx: WalletContext, session: Session, token: str) -> Share:
    """The share behind a token: NotFound when there is none, Gone when it ended."""
    share = session.exec(select(Share).where(Share.token == token)).first() \
        if 0 < len(token) <= 64 else None
    if share is None:
        raise NotFound("there is no share link at this address")
    state = share_state(ctx, share)
    if state == "revoked":
        raise Gone("the owner has withdrawn this share link")
    if state == "expired":
        raise Gone("this share link has expired")
    return share


def shared_evidence_file(ctx: WalletContext, session: Session, share: Share,
                         evidence_id: str) -> tuple[Evidence, Path]:
    """An evidence file that is part of `share` (404 for anything else)."""
    if evidence_id not in share.evidence_ids:
        raise NotFound("this share link has no such evidence")
    item = session.get(Evidence, evidence_id)
    if item is None or item.owner_id != share.owner_id or not item.sha256:
        raise NotFound("this share link has no such evidence file")
    path = blob_path(ctx, item.sha256)
    if not path.is_file():
        raise NotFound("this share link has no such evidence file")
    return item, path


def presentation_of(share: Share) -> dict[str, Any]:
    value = share.presentation
    if not isinstance(value, dict):
        raise Inconsistent(f"share {share.id} holds a presentation that is not an object")
    return value


def expires_text(moment: datetime) -> str:
    return aware(moment).strftime("%Y-%m-%d %H:%M UTC")


# --- whole requests, each in a session of its own (what the pages call) ---------------
@dataclass(frozen=True)
class ShareSummary:
    share: Share
    state: str  # see share_state
    views: ViewLog
    items: int  # credentials and evidence in it


def list_shares(ctx: WalletContext, actor: Actor) -> list[ShareSummary]:
    with Session(ctx.engine) as session:
        shares = shares_of(session, actor)
        views = view_logs(session, shares)
        return [ShareSummary(s, share_state(ctx, s), views[s.id],
                             len(s.credential_ids) + len(s.evidence_ids)) for s in shares]


@dataclass(frozen=True)
class ShareChoices:
    """What a new share link can hold."""

    credentials: list[StoredCredential]
    evidence: list[Evidence]  # approved, newest first


def share_choices(ctx: WalletContext, actor: Actor) -> ShareChoices:
    with Session(ctx.engine) as session:
        return ShareChoices(credentials_of(session, actor),
                            approved_evidence(session, actor.owner_id))


def new_share(ctx: WalletContext, actor: Actor, credential_ids: Sequence[str],
              evidence_ids: Sequence[str], audience: str,
              lifetime: timedelta | None) -> Share:
    with session_scope(ctx.engine) as session:
        return create_share(ctx, session, actor, credential_ids, evidence_ids, audience,
                            lifetime)


@dataclass(frozen=True)
class ShareDetails:
    share: Share
    views: ViewLog
    credential_names: list[str]  # in the share's order; the id when it is gone
    evidence_titles: list[str]


def share_details(ctx: WalletContext, actor: Actor, share_id: str) -> ShareDetails:
    with Session(ctx.engine) as session:
        share = get_share(session, actor, share_id)
        views = view_logs(session, [share])[share.id]
        names = {c.id: c.name for c in session.exec(select(StoredCredential).where(
            col(StoredCredential.id).in_(share.credential_ids)))}
        titles = {e.id: e.title for e in session.exec(select(Evidence).where(
            col(Evidence.id).in_(share.evidence_ids)))}
        return ShareDetails(share, views, [names.get(i, i) for i in share.credential_ids],
                            [titles.get(i, i) for i in share.evidence_ids])


def find_share(ctx: WalletContext, actor: Actor, share_id: str) -> Share:
    with Session(ctx.engine) as session:
        return get_share(session, actor, share_id)


def withdraw_share(ctx: WalletContext, actor: Actor, share_id: str) -> Share:
    with session_scope(ctx.engine) as session:
        return revoke_share(ctx, session, actor, share_id)

"""Credentials alone, as a standard bundle another wallet understands.

- A Verifiable Presentation (VCDM 2.0) of all or chosen credentials, signed by the owner's
  holder key (`presentations.sign_presentation`, proofPurpose authentication).
- A CLR 2.0 ClrCredential, self-issued by the owner's DID, holding the owner's
  AchievementCredentials (Open Badges 3.0), signed with the holder key and checked with the
  verifier's checks before it is handed out.

In the presentation, a compact JWT credential goes in as an EnvelopedVerifiableCredential.
A CLR embeds credential objects, so JWT credentials are left out of it and named in
`skipped`. Everything still moves school in the full archive.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from servicekit.errors import NotFound, Refused
from standards.data_integrity import sign_document
from standards.errors import StandardsError
from standards.fetcher import Fetcher
from standards.ob3 import build_profile
from standards.ob3.clr import build_clr_credential
from standards.verification import verify_credential
from wallet.db import session_scope
from wallet.models import Account, StoredCredential, iso
from wallet.services.access import Actor, record
from wallet.services.accounts import holder_key
from wallet.services.checking import check_credential
from wallet.services.context import WalletContext
from wallet.services.presentations import sign_presentation

ACHIEVEMENT_TYPES = {"OpenBadgeCredential", "AchievementCredential"}


@dataclass
class Bundle:
    document: dict[str, Any]
    included: list[str] = field(default_factory=list)  # stored credential ids
    skipped: list[dict[str, str]] = field(default_factory=list)  # {id, name, reason}


def chosen_credentials(session: Session, actor: Actor,
                       ids: Sequence[str] | None) -> list[StoredCredential]:
    """All of the owner's credentials, or the chosen ones (NotFound for an id not in this
    dossier, so nobody learns what other dossiers hold)."""
    actor.require_owner("export credentials")
    query = select(StoredCredential).where(StoredCredential.owner_id == actor.owner_id)
    if ids:
        query = query.where(col(StoredCredential.id).in_(list(ids)))
    found = list(session.exec(query.order_by(col(StoredCredential.received_at),
                                             col(StoredCredential.id))))
    if ids:
        missing = set(ids) - {c.id for c in found}
        if missing:
            raise NotFound(f"no such credential in this dossier: {sorted(missing)[0]}")
    return found


def has_credentials(session: Session, actor: Actor) -> bool:
    """Whether the owner has any credential to bundle (one id read, not every document)."""
    actor.require_owner("export credentials")
    first = session.exec(select(StoredCredential.id)
                         .where(StoredCredential.owner_id == actor.owner_id).limit(1)).first()
    return first is not None


def _not_valid_now(ctx: WalletContext, fetcher: Fetcher,
                   stored: StoredCredential) -> str | None:
    result = verify_credential(json.loads(stored.content), now=ctx.now(), fetcher=fetcher)
    if result.verified:
        return None
    return "does not verify now: " + "; ".join(result.to_json()["errors"][:2])


def _owner(session: Session, actor: Actor) -> Account:
    account = session.get(Account, actor.owner_id)
    if account is None:
        raise NotFound("no such dossier")
    return account


def vp_bundle(ctx: WalletContext, session: Session, actor: Actor,
              ids: Sequence[str] | None = None) -> Bundle:
    """A VP of the owner's credentials signed by the holder key."""
    included = chosen_credentials(session, actor, ids)
    if not included:
        raise Refused("there are no credentials to put in a presentation")
    presentation = sign_presentation(ctx, _owner(session, actor),
                                     [c.content for c in included])
    record(session, actor, "bundle.vp", None, f"{len(included)} credentials")
    return Bundle(presentation, [c.id for c in included])


def clr_bundle(ctx: WalletContext, session: Session, actor: Actor,
               ids: Sequence[str] | None = None) -> Bundle:
    """A CLR 2.0 credential of the owner's AchievementCredentials, self-issued by the
    owner's DID, signed and verified."""
    credentials = chosen_credentials(session, actor, ids)
    owner = _owner(session, actor)
    included: list[StoredCredential] = []
    skipped: list[dict[str, str]] = []
    # A fetcher of its own, so status lists are fetched now (a badge revoked a minute ago
    # stays out) and once for the whole bundle, not once per credential.
    with ctx.new_fetcher() as fetcher:
        for stored in credentials:
            types = set(stored.types)
            if stored.format == "jwt_vc":
                skipped.append({"id": stored.id, "name": stored.name,
                                "reason": "a JWT credential cannot be embedded in a CLR"})
            elif not types & ACHIEVEMENT_TYPES:
                skipped.append({"id": stored.id, "name": stored.name,
                                "reason": "not an Open Badges AchievementCredential"})
            elif problem := _not_valid_now(ctx, fetcher, stored):
                # A CLR is signed as a whole and must verify: one revoked or expired badge
                # stays out (and is named) instead of spoiling the record of all the others.
                skipped.append({"id": stored.id, "name": stored.name, "reason": problem})
            else:
                included.append(stored)
    if not included:
        reasons = "; ".join(f"{s['name'] or s['id']}: {s['reason']}" for s in skipped[:3])
        raise Refused("there are no valid AchievementCredentials (Data Integrity) to put "
                      f"in a CLR{' (' + reasons + ')' if reasons else ''}")
    name = owner.display_name.strip() or owner.email.partition("@")[0]
    try:
        unsigned = build_clr_credential(
            id=f"urn:uuid:{uuid.uuid4()}",
            issuer=build_profile(id=owner.did, name=name),
            subject_id=owner.did, name=f"Comprehensive Learner Record: {name}",
            credentials=[json.loads(c.content) for c in included],
            valid_from=iso(ctx.now()) or "", partial=bool(skipped) or bool(ids))
        key = holder_key(ctx, owner)
        signed = sign_document(unsigned, key, verification_method=key.id)
    except (StandardsError, ValueError) as error:
        raise Refused(f"the CLR cannot be made from these credentials: {error}") from None
    report = check_credential(ctx, signed)
    if not report["verified"]:
        raise Refused("the CLR made from these credentials does not verify: " +
                      "; ".join(report["errors"][:3]))
    record(session, actor, "bundle.clr", None, f"{len(included)} credentials")
    return Bundle(signed, [c.id for c in included], skipped)


# --- whole requests, each in a session of its own (what the pages call) ---------------
def dossier_has_credentials(ctx: WalletContext, actor: Actor) -> bool:
    with Session(ctx.engine) as session:
        return has_credentials(session, actor)


def make_vp_bundle(ctx: WalletContext, actor: Actor) -> Bundle:
    """All the owner's credentials in one signed presentation."""
    with session_scope(ctx.engine) as session:
        return vp_bundle(ctx, session, actor)


def make_clr_bundle(ctx: WalletContext, actor: Actor) -> Bundle:
    """All the owner's AchievementCredentials in one CLR 2.0 credential."""
    with session_scope(ctx.engine) as session:
        return clr_bundle(ctx, session, actor)

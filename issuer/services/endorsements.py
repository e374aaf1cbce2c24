"""Endorsements (OB 3.0 EndorsementCredential): made here, received from elsewhere, withdrawn.

An endorsement made here is signed by the endorsing organisation's default profile, gets a
revocation entry in that profile's status list, and is recorded twice: as an
IssuedCredential (the record of everything signed, which status changes need) and as an
Endorsement (what `organisations.endorsements_of` embeds in achievements and profiles, so
credentials issued afterwards carry it). Credentials issued before stay as they were signed.

An endorsement received is one signed elsewhere about something of the receiving
organisation; it is verified (proof, issuer key, validity, OB 3.0 schema) before it is kept.
Both forms are accepted: a Data Integrity JSON object (embedded in credentials issued
afterwards) and a VC-JWT string (kept and listed, but not embedded: OB 3.0 embeds endorsements
as objects).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, literal, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from issuer.models import (
    Achievement,
    Endorsement,
    IssuedCredential,
    IssuerProfile,
    Organisation,
)
from issuer.services.achievements import achievement_url
from issuer.services.context import IssuerContext
from issuer.services.keys import active_key_row, did_web_for_profile, signing_key_for
from issuer.services.organisations import default_profile, profile_json
from issuer.services.status import (
    allocate_indexes,
    record_entries,
    set_credential_status,
    status_entry_json,
)
from servicekit.errors import Conflict, NotFound, Refused
from standards.data_integrity import sign_document
from standards.errors import StandardsError
from standards.ob3 import (
    build_endorsement_credential,
    ensure_valid_credential,
    normalise_received_credential,
    validate_endorsement_credential,
)
from standards.verification import verify_credential

TARGET_KINDS = ("achievement", "profile", "credential")
MAX_TARGET_ID = 500  # IssuedCredential.recipient holds the target id
MAX_NAME = 500
MAX_COMMENT = 20_000


@dataclass(frozen=True)
class LocalTarget:
    """Something on this service that can be endorsed, and the organisation that owns it."""

    kind: str
    org_id: str
    name: str


# --- making an endorsement ----------------------------------------------------------------
def endorse(ctx: IssuerContext, org: Organisation, *, target_kind: str, target_id: str,
            comment: str | None, name: str | None = None) -> Endorsement:
    """Sign and record an EndorsementCredential of `target_id` by `org`'s default profile."""
    target_id = _checked_target(target_kind, target_id)
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > MAX_COMMENT:
        raise Refused(f"the endorsement comment is longer than {MAX_COMMENT} characters")
    with Session(ctx.engine, expire_on_commit=False) as session:
        local = local_target(ctx, session, target_kind, target_id)
        if local is not None and local.org_id == org.id:
            raise Refused("an organisation cannot endorse its own "
                          f"{target_kind}: an endorsement is by another organisation")
        profile = default_profile(session, org)
        issuer = profile_json(session, profile, with_endorsements=False)
    title = (name or "").strip() or _default_name(target_kind, local, profile.name)
    if len(title) > MAX_NAME:
        raise Refused(f"the endorsement name is longer than {MAX_NAME} characters")
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    fields: dict[str, Any] = {
        "id": credential_id, "issuer": issuer, "endorsed_id": target_id,
        "endorsement_comment": comment, "name": title,
        "valid_from": datetime.now(UTC).replace(microsecond=0),
    }
    try:
        # Built once without status first, so a refusal does not use up a status index.
        build_endorsement_credential(**fields)
    except (StandardsError, ValueError) as error:
        raise Refused(f"cannot make this endorsement: {error}") from None
    slot = allocate_indexes(ctx, profile.id, "revocation")[0]
    credential = build_endorsement_credential(
        **fields, credential_status=status_entry_json(ctx.public_url, slot))
    try:
        ensure_valid_credential(credential)
    except (StandardsError, ValueError) as error:
        raise Refused(f"the endorsement does not pass the OB 3.0 schema: {error}") \
            from None
    with Session(ctx.engine, expire_on_commit=False) as session:
        key_row = active_key_row(session, profile.id)
        key = signing_key_for(ctx, key_row, profile.did)
        try:
            # The OB 3.0 schema wants `proof` as an array where endorsements are embedded
            # (Achievement.endorsement, Profile.endorsement); one proof in an array is the
            # same RDF, so the signature holds either way.
            signed = normalise_received_credential(sign_document(credential, key))
        except StandardsError as error:
            raise Refused(f"cannot sign this endorsement safely: {error}") from None
        document = json.dumps(signed, ensure_ascii=False)
        record = IssuedCredential(
            credential_id=credential_id, org_id=org.id, profile_id=profile.id,
            achievement_name=title, recipient=target_id, recipient_kind="other",
            format="ldp_vc", document=document, signing_key_id=key_row.id)
        session.add(record)
        session.flush()
        record_entries(session, record, [slot])
        endorsement = Endorsement(
            credential_id=credential_id, endorser_org_id=org.id, endorser_did=profile.did,
            target_kind=target_kind, target_id=target_id, comment=comment, document=document)
        session.add(endorsement)
        session.commit()  # one transaction: the record, its status entry and the endorsement
    return endorsement


def _checked_target(target_kind: str, target_id: Any) -> str:
    if target_kind not in TARGET_KINDS:
        raise Refused(f"unknown target kind {target_kind!r}; choose one of "
                      f"{list(TARGET_KINDS)}")
    if not isinstance(target_id, str) or not target_id.strip():
        raise Refused("the id of the endorsed thing is required")
    target_id = target_id.strip()
    if len(target_id) > MAX_TARGET_ID:
        raise Refused(f"the target id is longer than {MAX_TARGET_ID} characters")
    if ":" not in target_id or any(c.isspace() for c in target_id):
        raise Refused(f"the target id {target_id[:80]!r} is not an absolute URI")
    if target_kind == "profile" and not target_id.startswith("did:"):
        raise Refused("a profile endorsement names the issuer's DID (did:...)")
    return target_id


def _default_name(target_kind: str, local: LocalTarget | None, endorser: str) -> str:
    if local is not None and local.name:
        return f"Endorsement of {local.name}"[:MAX_NAME]
    return f"Endorsement of a {target_kind} by {endorser}"[:MAX_NAME]


def local_target(ctx: IssuerContext, session: Session, target_kind: str,
                 target_id: str) -> LocalTarget | None:
    """The thing `target_id` names on this service, None when it lives elsewhere.

    Raises NotFound for an id that belongs to this service (by its URL or did:web prefix)
    but names nothing. A did:key or urn:uuid not known here is taken to be elsewhere.
    """
    if target_kind == "achievement":
        prefix = achievement_url(ctx.public_url, "")
        if not target_id.startswith(prefix):
            return None
        achievement = session.get(Achievement, target_id.removeprefix(prefix))
        if achievement is None:
            raise NotFound(f"no achievement {target_id} on this service")
        return LocalTarget("achievement", achievement.org_id, achievement.name)
    if target_kind == "profile":
        profile = session.exec(select(IssuerProfile).where(IssuerProfile.did == target_id)).first()
        if profile is not None:
            return LocalTarget("profile", profile.org_id, profile.name)
        if target_id.startswith(did_web_for_profile(ctx.public_url, "")):
            raise NotFound(f"no issuer profile {target_id} on this service")
        return None
    record = session.exec(
        select(IssuedCredential).where(IssuedCredential.credential_id == target_id)).first()
    if record is not None:
        return LocalTarget("credential", record.org_id, record.achievement_name)
    if target_id.startswith(ctx.public_url + "/"):
        raise NotFound(f"no credential {target_id} on this service")
    return None


# --- receiving an endorsement made elsewhere ------------------------------------------------
def receive_endorsement(ctx: IssuerContext, org: Organisation,
                        document: dict[str, Any] | str) -> Endorsement:
    """Verify and keep an EndorsementCredential about one of `org`'s things."""
    if isinstance(document, str):
        document = document.strip()
    elif isinstance(document, dict):
        _require_endorsement_type(document)
    else:
        raise Refused("an endorsement is a JSON object (Data Integrity) or a VC-JWT string")
    result = verify_credential(document, fetcher=ctx.fetcher, check_status=False)
    if not result.verified:
        raise Refused("the endorsement does not verify: " + "; ".join(result.errors))
    credential = result.document
    if not isinstance(credential, dict):
        raise Refused("the endorsement could not be read as a credential")
    _require_endorsement_type(credential)
    problems = validate_endorsement_credential(credential, received=True)
    if problems:
        raise Refused("the endorsement does not pass the OB 3.0 schema: "
                      + "; ".join(problems[:5]))
    if isinstance(document, dict):
        # Kept in the form that is embedded in credentials issued afterwards, which must pass
        # the schema exactly as written (no 1.1-era names, arrays where OB 3.0 wants them).
        document = normalise_received_credential(document)
        problems = validate_endorsement_credential(document)
        if problems:
            raise Refused("the endorsement cannot be embedded in Open Badges 3.0 "
                          "credentials: " + "; ".join(problems[:5]))
    credential_id = credential.get("id")
    if not isinstance(credential_id, str) or not credential_id or \
            len(credential_id) > MAX_TARGET_ID:
        raise Refused("the endorsement needs an id (a URI of at most "
                      f"{MAX_TARGET_ID} characters) to be kept")
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    target_id = subject.get("id") if isinstance(subject, dict) else None
    issuer = credential.get("issuer")
    endorser = issuer.get("id") if isinstance(issuer, dict) else issuer
    comment = subject.get("endorsementComment") if isinstance(subject, dict) else None
    with Session(ctx.engine, expire_on_commit=False) as session:
        target = _target_of_org(ctx, session, org, target_id)
        own_dids = {p.did for p in _profiles(session, org)}
        if endorser in own_dids:
            raise Refused("this endorsement is by this organisation itself; an endorsement "
                          "is by another organisation")
        if _by_credential_id(session, credential_id) is not None:
            raise Conflict(f"the endorsement {credential_id} is already kept here")
        endorsement = Endorsement(
            credential_id=credential_id, endorser_org_id=None, endorser_did=str(endorser),
            target_kind=target.kind, target_id=str(target_id),
            comment=comment if isinstance(comment, str) else None,
            document=json.dumps(document, ensure_ascii=False))
        session.add(endorsement)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise Conflict(f"the endorsement {credential_id} is already kept here") from None
    return endorsement


def _require_endorsement_type(credential: dict[str, Any]) -> None:
    types = credential.get("type")
    types = [types] if isinstance(types, str) else types
    if not isinstance(types, list) or "EndorsementCredential" not in types:
        raise Refused("this is not an EndorsementCredential (its type must include "
                      "EndorsementCredential)")


def _target_of_org(ctx: IssuerContext, session: Session, org: Organisation,
                   target_id: Any) -> LocalTarget:
    if isinstance(target_id, str) and target_id:
        for kind in TARGET_KINDS:
            try:
                found = local_target(ctx, session, kind, target_id)
            except NotFound:
                found = None
            if found is not None and found.org_id == org.id:
                return found
    raise Refused(f"the endorsement's subject {str(target_id)[:200]!r} is not an "
                  "achievement, issuer profile or credential of this organisation")


# --- listing and withdrawing ----------------------------------------------------------------
def list_endorsements(session: Session, org: Organisation, *,
                      target_id: str | None = None) -> list[Endorsement]:
    """Endorsements `org` made, and endorsements (from anywhere) of `org`'s things."""
    own_profiles = select(IssuerProfile.did).where(IssuerProfile.org_id == org.id)
    own_credentials = select(IssuedCredential.credential_id).where(
        IssuedCredential.org_id == org.id)
    # An achievement's id is {public_url}/achievements/{id}; matched on the path so the
    # listing needs no public URL. Achievement ids are 128-bit random hex.
    own_achievements = select(Achievement.id).where(
        Achievement.org_id == org.id,
        col(Endorsement.target_id).like(
            literal("%/achievements/").concat(Achievement.id)),
    ).exists()
    statement = select(Endorsement).where(or_(
        col(Endorsement.endorser_org_id) == org.id,
        col(Endorsement.target_id).in_(own_profiles),
        col(Endorsement.target_id).in_(own_credentials),
        and_(col(Endorsement.target_kind) == "achievement", own_achievements),
    ))
    if target_id is not None:
        statement = statement.where(Endorsement.target_id == target_id)
    return list(session.exec(statement.order_by(Endorsement.issued_at)))  # type: ignore[arg-type]


def withdraw_endorsement(ctx: IssuerContext, org: Organisation, endorsement_id: str) -> None:
    """Stop embedding an endorsement. The endorser may withdraw one it made here (its status
    entry is then revoked); the endorsed organisation may withdraw one it received."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        endorsement = session.get(Endorsement, endorsement_id)
        if endorsement is None or not _may_withdraw(ctx, session, org, endorsement):
            raise NotFound(f"no endorsement {endorsement_id} that this organisation may "
                           "withdraw")
        if endorsement.withdrawn:
            return
        endorsement.withdrawn = True
        session.add(endorsement)
        if endorsement.endorser_org_id is not None:
            set_credential_status(session, org.id, endorsement.credential_id, "revoked")
        session.commit()


def _may_withdraw(ctx: IssuerContext, session: Session, org: Organisation,
                  endorsement: Endorsement) -> bool:
    if endorsement.endorser_org_id is not None:
        return endorsement.endorser_org_id == org.id
    try:
        target = local_target(ctx, session, endorsement.target_kind, endorsement.target_id)
    except NotFound:
        return False
    return target is not None and target.org_id == org.id


def _profiles(session: Session, org: Organisation) -> list[IssuerProfile]:
    return list(session.exec(select(IssuerProfile).where(IssuerProfile.org_id == org.id)))


def _by_credential_id(session: Session, credential_id: str) -> Endorsement | None:
    return session.exec(
        select(Endorsement).where(Endorsement.credential_id == credential_id)).first()


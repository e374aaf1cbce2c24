"""Organisations (tenants), their issuer profiles, API tokens and staff accounts."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlmodel import Session, col, select

from issuer.models import ApiToken, Endorsement, IssuerProfile, Organisation, StaffUser, utc_now
from issuer.services.context import IssuerContext
from issuer.services.keys import PROFILE_KEY_TYPES, did_web_for_profile, new_signing_key
from servicekit.errors import Conflict, Inconsistent, Invalid, NotFound
from servicekit.passwords import check_new_password
from standards.ob3 import build_profile

TOKEN_PREFIX = "odi_"
_password_hasher = PasswordHasher()


@dataclass(frozen=True)
class NewOrganisation:
    org_id: str
    did: str
    api_token: str  # shown once; only its hash is stored


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_organisation(
    ctx: IssuerContext, session: Session, name: str, *, did_method: str = "key",
    url: str | None = None, email: str | None = None, description: str | None = None,
    identifiers: list[dict[str, str]] | None = None, key_type: str = "ed25519",
) -> NewOrganisation:
    name = name.strip()
    if not name:
        raise Invalid("an organisation needs a name")
    org = Organisation(name=name)
    session.add(org)
    session.flush()
    profile = create_profile(ctx, session, org, name=name, did_method=did_method, url=url,
                             email=email, description=description, identifiers=identifiers,
                             is_default=True, key_type=key_type)
    token = create_api_token(session, org, label="created with the organisation")
    return NewOrganisation(org.id, profile.did, token)


def create_profile(
    ctx: IssuerContext, session: Session, org: Organisation, *, name: str,
    did_method: str = "key", url: str | None = None, email: str | None = None,
    image: str | None = None, description: str | None = None,
    identifiers: list[dict[str, str]] | None = None, is_default: bool = False,
    key_type: str = "ed25519",
) -> IssuerProfile:
    if did_method not in ("key", "web"):
        raise Invalid(f"unsupported DID method {did_method!r}; choose key or web")
    chosen = next((known for known in PROFILE_KEY_TYPES if known == key_type), None)
    if chosen is None:
        raise Invalid(f"unsupported key type {key_type!r}; choose one of "
                      f"{', '.join(PROFILE_KEY_TYPES)}")
    profile = IssuerProfile(org_id=org.id, did="", did_method=did_method, name=name, url=url,
                            email=email, image=image, description=description,
                            identifiers=identifiers or [],
                            is_default=is_default)
    if did_method == "web":
        profile.did = did_web_for_profile(ctx.public_url, profile.id)
    new_signing_key(ctx, session, profile, chosen)  # sets profile.did for did:key
    session.flush()
    return profile


def create_api_token(session: Session, org: Organisation, *, label: str = "") -> str:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiToken(org_id=org.id, token_hash=token_hash(token), label=label))
    session.flush()
    return token


def organisation_for_token(session: Session, token: str) -> Organisation | None:
    row = session.exec(
        select(ApiToken).where(ApiToken.token_hash == token_hash(token),
                               ApiToken.revoked_at == None)  # noqa: E711
    ).first()
    return session.get(Organisation, row.org_id) if row else None


def revoke_api_token(session: Session, org: Organisation, token_id: str) -> None:
    row = session.get(ApiToken, token_id)
    if row is None or row.org_id != org.id:
        raise NotFound("no such API token")
    row.revoked_at = utc_now()
    session.add(row)


def create_staff(session: Session, org: Organisation, email: str, password: str,
                 display_name: str = "") -> StaffUser:
    email = email.strip().lower()
    if "@" not in email:
        raise Invalid("a staff account needs an e-mail address")
    check_new_password(password)
    if session.exec(select(StaffUser).where(StaffUser.email == email)).first():
        raise Conflict(f"a staff account for {email} already exists")
    user = StaffUser(org_id=org.id, email=email, display_name=display_name,
                     password_hash=_password_hasher.hash(password))
    session.add(user)
    session.flush()
    return user


def remove_staff(session: Session, org: Organisation, email: str) -> StaffUser:
    """Delete the staff account `email` of `org`, and with it its log-in sessions (ON DELETE
    CASCADE): its cookies stop working at once. What it issued stays: issued credentials,
    achievements and status lists are the organisation's. NotFound when `org` has no such
    staff member (a staff member of another organisation is not removed through this one)."""
    user = session.exec(select(StaffUser).where(StaffUser.email == email.strip().lower(),
                                                StaffUser.org_id == org.id)).first()
    if user is None:
        raise NotFound(f"{org.name} has no staff account {email}")
    session.delete(user)
    session.flush()
    return user


def authenticate_staff(session: Session, email: str, password: str) -> StaffUser | None:
    user = session.exec(select(StaffUser).where(StaffUser.email == email.strip().lower())).first()
    if user is None:
        _password_hasher.hash(password)  # same work either way: no account probing by timing
        return None
    try:
        _password_hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return None
    return user


def staff_password_matches(user: StaffUser, password: str) -> bool:
    try:
        return _password_hasher.verify(user.password_hash, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def set_staff_password(session: Session, user: StaffUser, password: str) -> None:
    """A new password, once it meets the rules (servicekit.passwords). The caller ends the
    account's other sessions (issuer.services.staff_sessions)."""
    check_new_password(password)
    user.password_hash = _password_hasher.hash(password)
    session.add(user)


def staff_member(session: Session, staff_id: str) -> tuple[StaffUser, Organisation] | None:
    """The staff account and its organisation; None when either is gone."""
    user = session.get(StaffUser, staff_id)
    org = session.get(Organisation, user.org_id) if user else None
    return (user, org) if user is not None and org is not None else None


def get_organisation(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise NotFound(f"no organisation {org_id}")
    return org


def default_profile(session: Session, org: Organisation) -> IssuerProfile:
    profiles = session.exec(
        select(IssuerProfile).where(IssuerProfile.org_id == org.id)
        .order_by(col(IssuerProfile.is_default).desc(), col(IssuerProfile.created_at))
    ).all()
    if not profiles:
        raise Inconsistent(f"organisation {org.id} has no issuer profile")
    return profiles[0]


def profile_of(session: Session, org: Organisation, profile_id: str | None) -> IssuerProfile:
    if profile_id is None:
        return default_profile(session, org)
    profile = session.get(IssuerProfile, profile_id)
    if profile is None or profile.org_id != org.id:
        raise NotFound(f"no issuer profile {profile_id} in this organisation")
    return profile


def profile_json(session: Session, profile: IssuerProfile, *,
                 with_endorsements: bool = True) -> dict[str, Any]:
    """The OB 3.0 Profile put in `issuer` of every credential this profile signs."""
    document = build_profile(
        id=profile.did, name=profile.name, url=profile.url, email=profile.email,
        image={"id": profile.image, "type": "Image"} if profile.image else None,
        description=profile.description,
        other_identifiers=profile.identifiers,
    )
    if with_endorsements:
        endorsements = endorsements_of(session, profile.did)
        if endorsements:
            document["endorsement"] = endorsements
    return document


def endorsements_of(session: Session, target_id: str) -> list[dict[str, Any]]:
    """Signed EndorsementCredentials (data integrity form) of the thing with id `target_id`."""
    rows = session.exec(
        select(Endorsement).where(Endorsement.target_id == target_id,
                                  Endorsement.withdrawn == False)  # noqa: E712
        .order_by(Endorsement.issued_at)  # type: ignore[arg-type]
    ).all()
    documents = []
    for row in rows:
        document = json.loads(row.document)
        if isinstance(document, dict):  # JWT endorsements cannot be embedded as objects
            documents.append(document)
    return documents

"""Signing keys of issuer profiles: generation, encryption at rest, rotation, DID documents.

A private key is decrypted only inside `signing_key_for`, for the duration of a signing
call; nothing here returns it to a caller outside the service layer, and no endpoint or log
line ever carries it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from sqlalchemy import or_
from sqlmodel import Session, col, select

from issuer.models import IssuedCredential, IssuerProfile, SigningKey, StatusListRecord, utc_now
from issuer.services.context import IssuerContext
from servicekit.errors import Inconsistent
from standards.dids import did_key_document, did_key_from_key_pair
from standards.keys import KeyPair, KeyType, generate_key, key_pair_from_multikey

DID_CONTEXTS = ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"]
# The key types an issuer profile may choose: Ed25519 signs with the eddsa suites, P-256 and
# P-384 with the ecdsa suites (W3C vc-di-ecdsa); a profile keeps its type when keys rotate.
PROFILE_KEY_TYPES: tuple[KeyType, ...] = ("ed25519", "p256", "p384")


def did_web_for_profile(public_url: str, profile_id: str) -> str:
    """did:web for a profile served by this service at {public_url}/issuers/{id}/did.json."""
    parts = urlsplit(public_url)
    host = quote(parts.netloc, safe="")  # the port's colon is percent-encoded (did:web §3.1)
    segments = [s for s in parts.path.split("/") if s]
    return ":".join(["did:web", host, *segments, "issuers", profile_id])


def new_signing_key(ctx: IssuerContext, session: Session, profile: IssuerProfile,
                    key_type: KeyType = "ed25519") -> KeyPair:
    """Generate a key for `profile`, store it encrypted, and return the public half.

    For did:key the key *is* the DID, so a did:key profile takes the DID of its first key;
    later keys of a did:key profile (rotation) give the profile a new DID.
    """
    pair = generate_key(key_type)
    public = pair.public_key_multibase()
    if profile.did_method == "key":
        profile.did = did_key_from_key_pair(pair)
        vm = f"{profile.did}#{public}"
    else:
        vm = f"{profile.did}#key-{public[-8:]}"
    row = SigningKey(profile_id=profile.id, verification_method=vm, key_type=key_type,
                     public_multibase=public, encrypted_secret=b"")
    row.encrypted_secret = ctx.secret_box.seal(pair.secret_key_multibase().encode(),
                                               bound_to=row.id)
    session.add(profile)
    session.add(row)
    return KeyPair(pair.key_type, pair.public_key, id=vm, controller=profile.did)


def active_key_row(session: Session, profile_id: str) -> SigningKey:
    row = session.exec(
        select(SigningKey)
        .where(SigningKey.profile_id == profile_id, SigningKey.status == "active")
        .order_by(col(SigningKey.created_at).desc())
    ).first()
    if row is None:
        raise Inconsistent(f"issuer profile {profile_id} has no active signing key")
    return row


def profile_key_type(session: Session, profile_id: str) -> KeyType:
    """The key type the profile chose (that of its active key)."""
    key_type = active_key_row(session, profile_id).key_type
    if key_type not in PROFILE_KEY_TYPES:
        raise Inconsistent(f"issuer profile {profile_id} has a key of unknown type {key_type!r}")
    return key_type  # type: ignore[return-value]  # checked against the Literal's values


def signing_key_for(ctx: IssuerContext, row: SigningKey, controller: str) -> KeyPair:
    secret = ctx.secret_box.open(row.encrypted_secret, bound_to=row.id).decode()
    pair = key_pair_from_multikey(row.public_multibase, secret)
    return KeyPair(pair.key_type, pair.public_key, pair.private_key, id=row.verification_method,
                   controller=controller)


def rotate_key(ctx: IssuerContext, session: Session, profile: IssuerProfile) -> SigningKey:
    """Retire the active key and make a new one. Retired keys stay in the DID document while
    credentials signed with them are still valid (see `published_keys`); status lists are
    re-signed with the new key the next time they are served.
    """
    key_type = profile_key_type(session, profile.id)
    for row in session.exec(
        select(SigningKey).where(SigningKey.profile_id == profile.id,
                                 SigningKey.status == "active")
    ):
        row.status = "retired"
        row.retired_at = utc_now()
        session.add(row)
    new_signing_key(ctx, session, profile, key_type)
    for status_list in session.exec(
        select(StatusListRecord).where(StatusListRecord.profile_id == profile.id)
    ):
        status_list.version += 1
        session.add(status_list)
    session.flush()
    return active_key_row(session, profile.id)


def published_keys(session: Session, profile: IssuerProfile) -> list[SigningKey]:
    """The active key and every retired key that signed a credential still valid today."""
    now = datetime.now(UTC)
    rows = session.exec(
        select(SigningKey).where(SigningKey.profile_id == profile.id,
                                 SigningKey.status != "removed")
    ).all()
    published = []
    for row in rows:
        if row.status == "active":
            published.append(row)
            continue
        still_valid = session.exec(
            select(IssuedCredential.id).where(
                IssuedCredential.signing_key_id == row.id,
                IssuedCredential.revoked == False,  # noqa: E712 (SQL expression)
                or_(col(IssuedCredential.valid_until).is_(None),
                    col(IssuedCredential.valid_until) > now),
            )
        ).first()
        if still_valid is not None:
            published.append(row)
    return published


def did_document(session: Session, profile: IssuerProfile) -> dict[str, Any]:
    """The DID document this service publishes for a did:web profile (or derives for did:key)."""
    if profile.did_method == "key":
        return did_key_document(profile.did)
    methods = [
        {"id": row.verification_method, "type": "Multikey", "controller": profile.did,
         "publicKeyMultibase": row.public_multibase}
        for row in published_keys(session, profile)
    ]
    ids = [method["id"] for method in methods]
    return {
        "@context": DID_CONTEXTS,
        "id": profile.did,
        "verificationMethod": methods,
        "assertionMethod": ids,
        "authentication": ids,
    }

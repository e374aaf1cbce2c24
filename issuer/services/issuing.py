"""Issue OB 3.0 AchievementCredentials: build, add status, check the schema, sign, record.

Two ways in: `issue_achievement` here (from a stored achievement definition, used by the
staff pages, bulk issue and OpenID4VCI) and `issue_unsigned_credential` in
issuer.services.vc_api_issuing (the VC-API: the caller sends any unsigned VCDM credential).
Both end in `sign_and_record`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from issuer.models import Achievement, IssuedCredential, IssuerProfile, Organisation
from issuer.services.achievements import achievement_json, get_achievement
from issuer.services.context import IssuerContext, stored
from issuer.services.keys import active_key_row, signing_key_for
from issuer.services.organisations import profile_json, profile_of
from issuer.services.status import (
    PURPOSES,
    AllocatedIndex,
    allocate_indexes,
    record_entries,
    status_entry_json,
)
from servicekit.errors import Conflict, Refused
from standards.data_integrity import sign_document
from standards.dates import parse_datetime
from standards.errors import StandardsError
from standards.jose import sign_vc_jwt
from standards.ob3 import (
    Evidence,
    Result,
    SchemaViolationError,
    build_achievement_credential,
    build_achievement_subject,
    ensure_valid_credential,
    hashed_email_identity,
)

FORMATS = ("ldp_vc", "jwt_vc_json")
# Each profile signs with the suites of its key type (DI_SUITES_FOR_KEY); without a choice,
# with the first of them.
DI_SUITES_FOR_KEY = {
    "ed25519": ("eddsa-rdfc-2022", "eddsa-jcs-2022"),
    "p256": ("ecdsa-rdfc-2019", "ecdsa-jcs-2019"),
    "p384": ("ecdsa-rdfc-2019", "ecdsa-jcs-2019"),
}
CRYPTOSUITES = ("eddsa-rdfc-2022", "eddsa-jcs-2022", "ecdsa-rdfc-2019", "ecdsa-jcs-2019")
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}  # checked against the OB 3.0 schema


@dataclass
class IssueRequest:
    """One credential to issue from a stored achievement definition.

    `recipient` is a DID (the holder's) or an e-mail address (stored in the credential only
    as a salted hash, as OB 3.0's IdentityObject defines).
    """

    achievement_id: str
    recipient: str
    recipient_name: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    valid_from: str | None = None
    valid_until: str | None = None
    format: str = "ldp_vc"
    cryptosuite: str | None = None  # None: the profile key's own suite
    status_purpose: str = "revocation"
    idempotency_key: str | None = None


@dataclass(frozen=True)
class IssueOutcome:
    record: IssuedCredential
    created: bool  # False when the idempotency key matched an earlier issue

    @property
    def credential(self) -> dict[str, Any] | str:
        return json.loads(self.record.document) if self.record.format == "ldp_vc" \
            else self.record.document


def recipient_kind(recipient: str) -> str:
    if recipient.startswith("did:"):
        return "did"
    if "@" in recipient and " " not in recipient.strip():
        return "email"
    raise Refused(f"recipient {recipient[:80]!r} is neither a DID nor an e-mail address")


def issue_achievement(ctx: IssuerContext, org: Organisation, request: IssueRequest, *,
                      bulk_job_id: str | None = None,
                      allocated: AllocatedIndex | None = None) -> IssueOutcome:
    check_options(request.format, request.cryptosuite, request.status_purpose)
    recipient = request.recipient.strip()
    kind = recipient_kind(recipient)
    if kind == "email":
        recipient = recipient.lower()
    with Session(ctx.engine, expire_on_commit=False) as session:
        if request.idempotency_key:
            earlier = _by_idempotency_key(session, org.id, request.idempotency_key)
            if earlier is not None:
                return IssueOutcome(earlier, created=False)
        achievement = get_achievement(session, org, request.achievement_id)
        achievement_document = achievement_json(ctx, session, achievement)
        profile = profile_of(session, org, achievement.profile_id)
        issuer = profile_json(session, profile)
    subject = build_achievement_subject(
        achievement=achievement_document,
        id=recipient if kind == "did" else None,
        identifiers=[hashed_email_identity(recipient)] if kind == "email" else (),
        results=[Result(**result_fields(result)) for result in request.results],
    )
    valid_from = _datetime_or_now(request.valid_from, "validFrom")
    valid_until = (datetime_or_none(request.valid_until, "validUntil")
                   or _expiry(valid_from, achievement))
    if valid_until is not None and valid_until <= valid_from:
        raise Refused("validUntil must be after validFrom")
    slot = allocated or allocate_indexes(ctx, profile.id, request.status_purpose)[0]
    credential_id = f"urn:uuid:{uuid.uuid4()}"
    try:
        credential = build_achievement_credential(
            id=credential_id, issuer=issuer, subject=subject, name=achievement.name,
            description=achievement.description, valid_from=valid_from,
            valid_until=valid_until, awarded_date=valid_from,
            evidence=[Evidence(**evidence_fields(item)) for item in request.evidence],
            credential_status=status_entry_json(ctx.public_url, slot),
        )
    except (StandardsError, ValueError) as error:
        raise Refused(f"cannot issue this credential: {error}") from None
    record = IssuedCredential(
        credential_id=credential_id, org_id=org.id, profile_id=profile.id,
        achievement_id=achievement.id, achievement_ref=achievement_document["id"],
        achievement_name=achievement.name, recipient=recipient, recipient_kind=kind,
        recipient_name=request.recipient_name, format=request.format, document="",
        signing_key_id="", valid_until=valid_until,
        idempotency_key=request.idempotency_key, bulk_job_id=bulk_job_id,
    )
    return sign_and_record(ctx, record, credential, [slot], request.format,
                           request.cryptosuite)


def sign_and_record(ctx: IssuerContext, record: IssuedCredential, credential: dict[str, Any],
                    slots: list[AllocatedIndex], fmt: str, suite: str | None, *,
                    open_badge: bool = True) -> IssueOutcome:
    """Sign `credential`, record it with its status `slots`, return it.

    An Open Badge (`open_badge`) must pass the OB 3.0 JSON Schema and carries its proofs as
    an array, as that schema requires; any other credential keeps the single proof object
    that Data Integrity gives it."""
    with Session(ctx.engine, expire_on_commit=False) as session:
        key_row = active_key_row(session, record.profile_id)
        profile = stored(session.get(IssuerProfile, record.profile_id),
                         f"issuer profile {record.profile_id}")
        suite = suite_for_key(key_row.key_type, suite)
        key = signing_key_for(ctx, key_row, profile.did)
        try:
            if fmt == "ldp_vc":
                signed = sign_document(credential, key, suite=suite, loader=ctx.loader)
                if open_badge:
                    signed = as_proof_set(signed)
                    ensure_valid_credential(signed)  # what leaves here passes the schema
                record.document = json.dumps(signed, ensure_ascii=False)
            else:
                if open_badge:
                    ensure_valid_credential(credential)
                record.document = sign_vc_jwt(credential, key)
        except SchemaViolationError as error:
            raise Refused(f"the credential does not pass the OB 3.0 schema: {error}") \
                from None
        except StandardsError as error:
            # Undefined terms, relative IRIs and the like: refused, with the reason.
            raise Refused(f"cannot sign this credential safely: {error}") from None
        record.signing_key_id = key_row.id
        session.add(record)
        record_entries(session, record, slots)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            if record.idempotency_key:
                earlier = _by_idempotency_key(session, record.org_id, record.idempotency_key)
                if earlier is not None:  # the same row issued at the same moment elsewhere
                    return IssueOutcome(earlier, created=False)
            raise Conflict(f"a credential with id {record.credential_id!r} was already "
                           "issued") from None
    return IssueOutcome(record, created=True)


def as_proof_set(signed: dict[str, Any]) -> dict[str, Any]:
    """`proof` as an array: OB 3.0's JSON Schema requires it. The signed data is unchanged
    (proofs are never covered by their own signature), for every cryptosuite."""
    if isinstance(signed.get("proof"), dict):
        signed["proof"] = [signed["proof"]]
    return signed


def idempotency_key_for(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _by_idempotency_key(session: Session, org_id: str, key: str) -> IssuedCredential | None:
    return session.exec(select(IssuedCredential).where(
        IssuedCredential.org_id == org_id, IssuedCredential.idempotency_key == key)).first()


def suite_for_key(key_type: str, suite: str | None) -> str:
    """The cryptosuite to sign with: the caller's, when the profile's key can make it."""
    suites = DI_SUITES_FOR_KEY.get(key_type, ())
    chosen = suites[0] if suite is None and suites else suite
    if chosen is None or chosen not in suites:
        raise Refused(f"this issuer profile has a {key_type} key, which cannot sign "
                      f"{suite!r}; choose one of {list(suites)}")
    return chosen


def check_options(fmt: Any, suite: Any, purpose: Any,
                  purposes: tuple[str, ...] = PURPOSES) -> None:
    """`purposes`: the status purposes this way of issuing offers (the VC-API also
    "message")."""
    if fmt not in FORMATS:
        raise Refused(f"unknown format {fmt!r}; choose one of {list(FORMATS)}")
    if suite is not None and suite not in CRYPTOSUITES:
        raise Refused(f"unknown cryptosuite {suite!r}; choose one of {list(CRYPTOSUITES)}")
    if purpose not in purposes:
        raise Refused(f"unknown statusPurpose {purpose!r}; choose one of {list(purposes)}")


def result_fields(result: dict[str, Any]) -> dict[str, Any]:
    allowed = {"resultDescription": "result_description", "achievedLevel": "achieved_level",
               "value": "value", "status": "status"}
    unknown = set(result) - set(allowed) - {"type"}
    if unknown:
        raise Refused(f"unknown result fields {sorted(unknown)}")
    return {allowed[name]: value for name, value in result.items() if name in allowed}


def evidence_fields(item: dict[str, Any]) -> dict[str, Any]:
    allowed = {"id": "id", "name": "name", "narrative": "narrative",
               "description": "description", "genre": "genre", "audience": "audience",
               "digestSRI": "digest_sri", "digest": "digest_sri", "mediaType": "media_type"}
    unknown = set(item) - set(allowed) - {"type"}
    if unknown:
        raise Refused(f"unknown evidence fields {sorted(unknown)}")
    return {allowed[name]: value for name, value in item.items()
            if name in allowed and value not in (None, "")}


def iso_datetime(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _datetime_or_now(value: str | None, name: str) -> datetime:
    return datetime_or_none(value, name) or datetime.now(UTC).replace(microsecond=0)


def datetime_or_none(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        return parse_datetime(value)
    except (StandardsError, ValueError, TypeError):
        raise Refused(f"{name} {str(value)[:40]!r} is not an RFC 3339 date-time") \
            from None


def _expiry(valid_from: datetime, achievement: Achievement) -> datetime | None:
    return valid_from + timedelta(days=achievement.valid_days) if achievement.valid_days \
        else None

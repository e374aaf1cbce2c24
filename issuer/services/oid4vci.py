"""OpenID for Verifiable Credential Issuance 1.0: the pre-authorized code flow.

Staff make an offer (an achievement for someone, optionally guarded by a 6-digit transaction
code sent separately); the wallet scans the offer URI, trades the pre-authorized code (and the
transaction code) for an access token at the token endpoint, fetches a c_nonce, proves
possession of its key, and receives the credential with its own DID as credentialSubject.id.

Nothing secret is stored in the clear. The pre-authorized code is an HMAC of the offer id
under a key derived from the key-encryption key, so the offer document can show it without
the database holding it; the database keeps SHA-256 hashes of the code and of the access
token, and a keyed hash of the transaction code (six digits are too few to survive a plain
hash). Every state change is a conditional UPDATE, so two service processes racing on one
offer cannot both win: a code is used once, a credential issued once, and at most
MAX_TX_CODE_ATTEMPTS transaction codes are ever compared.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, insert, update
from sqlmodel import Session, col, select

from issuer.db import session_scope
from issuer.models import CredentialOffer, Nonce, Organisation, utc_now
from issuer.services.achievements import get_achievement
from issuer.services.context import IssuerContext, stored
from issuer.services.issuing import (
    IssueRequest,
    evidence_fields,
    idempotency_key_for,
    issue_achievement,
    result_fields,
)
from issuer.services.oid4vci_metadata import (
    CONFIGURATIONS,
    PRE_AUTHORIZED_GRANT,
    configuration_for_format,
)
from issuer.services.oid4vci_proofs import ProofRejected, jwt_proof_of, verify_key_proof
from servicekit.errors import Gone, NotFound, Refused, ServiceError
from standards.errors import StandardsError
from standards.ob3 import Evidence, Result

OFFER_URI_PREFIX = "openid-credential-offer://?"
TX_CODE_LENGTH = 6
MAX_TX_CODE_ATTEMPTS = 5
NONCE_LIFETIME_SECONDS = 300
TX_CODE_DESCRIPTION = {
    "nl": "Vul de code van 6 cijfers in die je apart van deze QR-code hebt gekregen.",
    "en": "Enter the 6-digit code you received separately from this QR code.",
}
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class OAuthError(ServiceError):
    """A refusal of an OAuth endpoint, named by its OAuth error code (RFC 6749 §5.2, RFC 6750
    §3.1, OpenID4VCI §8.3.1); the API layer answers {"error": code, "error_description": text}
    with the status the code calls for."""

    def __init__(self, error: str, description: str) -> None:
        cleaned = _error_description(description)
        super().__init__(cleaned)
        self.error = error
        self.description = cleaned


@dataclass
class OfferRequest:
    achievement_id: str
    recipient_name: str | None = None
    recipient_email: str | None = None
    evidence: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    with_tx_code: bool = True
    format: str = "ldp_vc"


@dataclass
class NewOffer:
    offer: CredentialOffer
    offer_uri: str
    tx_code: str | None  # shown once, to be passed to the recipient by another channel


# --- offers ---------------------------------------------------------------------------------
def offer_url(public_url: str, offer_id: str) -> str:
    return f"{public_url}/oid4vci/offers/{offer_id}"


def offer_uri(public_url: str, offer_id: str) -> str:
    """The URI a wallet scans: the offer passed by reference (credential_offer_uri)."""
    return OFFER_URI_PREFIX + urlencode({"credential_offer_uri": offer_url(public_url, offer_id)})


def create_offer(ctx: IssuerContext, org: Organisation, request: OfferRequest) -> NewOffer:
    configuration_id = configuration_for_format(request.format)
    if configuration_id is None:
        raise Refused(f"unknown format {request.format!r}; choose ldp_vc or jwt_vc_json")
    _check_offer_request(request)
    tx_code = (f"{secrets.randbelow(10 ** TX_CODE_LENGTH):0{TX_CODE_LENGTH}d}"
               if request.with_tx_code else None)
    with session_scope(ctx.engine) as session:
        achievement = get_achievement(session, org, request.achievement_id)
        if achievement.archived:
            raise Refused("this achievement is archived; it cannot be offered")
        offer = CredentialOffer(
            org_id=org.id, achievement_id=achievement.id, configuration_id=configuration_id,
            recipient_name=(request.recipient_name or "").strip() or None,
            recipient_email=(request.recipient_email or "").strip().lower() or None,
            issue_options={"evidence": request.evidence, "results": request.results},
            pre_authorized_code_hash="",
            expires_at=utc_now() + timedelta(seconds=ctx.settings.offer_lifetime_seconds),
        )
        offer.pre_authorized_code_hash = _sha256(pre_authorized_code(ctx, offer.id))
        offer.tx_code_hash = _tx_code_hash(ctx, offer.id, tx_code) if tx_code else None
        session.add(offer)
    return NewOffer(offer, offer_uri(ctx.public_url, offer.id), tx_code)


def list_offers(session: Session, org: Organisation) -> list[CredentialOffer]:
    return list(session.exec(
        select(CredentialOffer).where(CredentialOffer.org_id == org.id)
        .order_by(CredentialOffer.created_at.desc())  # type: ignore[attr-defined]
    ))


def offer_state(offer: CredentialOffer, now: datetime | None = None) -> str:
    """offered | token_issued | issued | locked | expired (an offer nobody redeemed in time)."""
    if offer.state == "offered" and offer.expires_at <= (now or utc_now()):
        return "expired"
    return offer.state


def get_offer(ctx: IssuerContext, offer_id: str) -> CredentialOffer:
    with Session(ctx.engine) as session:
        offer = session.get(CredentialOffer, offer_id)
    if offer is None:
        raise NotFound("no such credential offer")
    return offer


def offer_document(ctx: IssuerContext, offer_id: str, *, language: str = "nl") -> dict[str, Any]:
    """The Credential Offer object behind credential_offer_uri (410 once used up)."""
    offer = get_offer(ctx, offer_id)
    if offer.state in ("issued", "locked") or offer.expires_at <= utc_now():
        raise Gone("this credential offer has been used, locked or has expired")
    grant: dict[str, Any] = {"pre-authorized_code": pre_authorized_code(ctx, offer.id)}
    if offer.tx_code_hash:
        description = TX_CODE_DESCRIPTION.get(language) or TX_CODE_DESCRIPTION["nl"]
        grant["tx_code"] = {"input_mode": "numeric", "length": TX_CODE_LENGTH,
                            "description": description}
    return {"credential_issuer": ctx.public_url,
            "credential_configuration_ids": [offer.configuration_id],
            "grants": {PRE_AUTHORIZED_GRANT: grant}}


def pre_authorized_code(ctx: IssuerContext, offer_id: str) -> str:
    mac = hmac.new(_derived_key(ctx, b"pre-authorized code"), offer_id.encode(), hashlib.sha256)
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


# --- token endpoint -------------------------------------------------------------------------
def exchange_pre_authorized_code(ctx: IssuerContext, *, grant_type: str | None,
                                 pre_authorized_code: str | None,
                                 tx_code: str | None) -> dict[str, Any]:
    """Token Request (RFC 6749 §4.1.3 with the pre-authorized_code grant) → Token Response."""
    if not grant_type:
        raise OAuthError("invalid_request", "grant_type is required")
    if grant_type != PRE_AUTHORIZED_GRANT:
        raise OAuthError("unsupported_grant_type",
                         f"only the {PRE_AUTHORIZED_GRANT} grant is supported")
    if not pre_authorized_code:
        raise OAuthError("invalid_request", "pre-authorized_code is required")
    with Session(ctx.engine) as session:
        offer = session.exec(select(CredentialOffer).where(
            CredentialOffer.pre_authorized_code_hash == _sha256(pre_authorized_code))).first()
    if offer is None:
        raise OAuthError("invalid_grant", "the pre-authorized code is not valid")
    _check_redeemable(offer)
    if offer.tx_code_hash is None and tx_code is not None:
        raise OAuthError("invalid_request", "this offer has no transaction code; leave tx_code out")
    if offer.tx_code_hash is not None:
        if not tx_code:
            raise OAuthError("invalid_request", "this offer needs its transaction code (tx_code)")
        _check_tx_code(ctx, offer, tx_code)
    access_token = secrets.token_urlsafe(32)
    lifetime = ctx.settings.access_token_lifetime_seconds
    with ctx.engine.begin() as connection:
        claimed = connection.execute(
            update(CredentialOffer)
            .where(col(CredentialOffer.id) == offer.id, col(CredentialOffer.state) == "offered")
            .values(state="token_issued", access_token_hash=_sha256(access_token),
                    access_token_expires_at=utc_now() + timedelta(seconds=lifetime)))
    if claimed.rowcount != 1:  # another request redeemed (or locked) it in the meantime
        raise OAuthError("invalid_grant", "the pre-authorized code was already used")
    return {"access_token": access_token, "token_type": "Bearer", "expires_in": lifetime}


def _check_redeemable(offer: CredentialOffer) -> None:
    if offer.state == "locked":
        raise OAuthError("invalid_grant", "this offer is locked after too many wrong "
                         "transaction codes; ask the issuer for a new offer")
    if offer.state != "offered":
        raise OAuthError("invalid_grant", "the pre-authorized code was already used")
    if offer.expires_at <= utc_now():
        raise OAuthError("invalid_grant", "the pre-authorized code has expired")


def _check_tx_code(ctx: IssuerContext, offer: CredentialOffer, tx_code: str) -> None:
    # Reserve the attempt before comparing: with parallel guesses, still at most
    # MAX_TX_CODE_ATTEMPTS comparisons ever happen for one offer.
    with ctx.engine.begin() as connection:
        row = connection.execute(
            update(CredentialOffer)
            .where(col(CredentialOffer.id) == offer.id,
                   col(CredentialOffer.state) == "offered",
                   col(CredentialOffer.tx_code_attempts) < MAX_TX_CODE_ATTEMPTS)
            .values(tx_code_attempts=col(CredentialOffer.tx_code_attempts) + 1)
            .returning(col(CredentialOffer.tx_code_attempts))).first()
    if row is None:  # out of attempts, or redeemed by a parallel request just now
        _lock(ctx, offer.id)
        raise OAuthError("invalid_grant", "this offer is locked after too many wrong "
                         "transaction codes, or was already used")
    expected = offer.tx_code_hash or ""
    if hmac.compare_digest(_tx_code_hash(ctx, offer.id, tx_code), expected):
        return
    attempts = int(row[0])
    if attempts >= MAX_TX_CODE_ATTEMPTS:
        _lock(ctx, offer.id)
        raise OAuthError("invalid_grant", "wrong transaction code; the offer is now locked")
    left = MAX_TX_CODE_ATTEMPTS - attempts
    raise OAuthError("invalid_grant", f"wrong transaction code; {left} attempt(s) left")


def _lock(ctx: IssuerContext, offer_id: str) -> None:
    with ctx.engine.begin() as connection:
        connection.execute(update(CredentialOffer).where(
            col(CredentialOffer.id) == offer_id, col(CredentialOffer.state) == "offered",
        ).values(state="locked"))


# --- nonce endpoint -------------------------------------------------------------------------
def new_nonce(ctx: IssuerContext) -> str:
    value = secrets.token_urlsafe(32)
    now = utc_now()
    with ctx.engine.begin() as connection:
        # Expired nonces are useless; clearing them here keeps the table small.
        connection.execute(delete(Nonce).where(col(Nonce.expires_at) < now))
        connection.execute(insert(Nonce).values(
            value=value, used=False, expires_at=now + timedelta(seconds=NONCE_LIFETIME_SECONDS)))
    return value


def consume_nonce(ctx: IssuerContext, value: str) -> bool:
    """Mark a c_nonce used; False when it is unknown, already used or expired."""
    if len(value) > 64:
        return False
    with ctx.engine.begin() as connection:
        result = connection.execute(update(Nonce).where(
            col(Nonce.value) == value, col(Nonce.used) == False,  # noqa: E712 (SQL expression)
            col(Nonce.expires_at) > utc_now(),
        ).values(used=True))
    return result.rowcount == 1


# --- credential endpoint --------------------------------------------------------------------
def issue_credential(ctx: IssuerContext, authorization: str | None,
                     body: dict[str, Any]) -> dict[str, Any]:
    """Credential Request → Credential Response, bound to the DID the key proof shows."""
    offer = _offer_for_access_token(ctx, authorization)
    _check_configuration(body, offer)
    try:
        proof = verify_key_proof(jwt_proof_of(body), audience=ctx.public_url)
    except ProofRejected as rejected:
        raise OAuthError(rejected.error, rejected.description) from None
    if not consume_nonce(ctx, proof.nonce):
        raise OAuthError("invalid_nonce", "the c_nonce in the key proof is unknown, used or "
                         "expired; get a new one from the nonce endpoint")
    options = offer.issue_options
    with Session(ctx.engine) as session:
        org = stored(session.get(Organisation, offer.org_id), f"organisation {offer.org_id}")
    request = IssueRequest(
        achievement_id=offer.achievement_id, recipient=proof.holder,
        recipient_name=offer.recipient_name, evidence=options.get("evidence", []),
        results=options.get("results", []), format=CONFIGURATIONS[offer.configuration_id],
        # One offer, one credential, even if a wallet retries after a lost response.
        idempotency_key=idempotency_key_for("oid4vci", offer.id),
    )
    try:
        outcome = issue_achievement(ctx, org, request)
    except ServiceError as error:
        raise OAuthError("credential_request_denied", f"cannot issue this credential: {error}") \
            from None
    if outcome.record.recipient != proof.holder:  # issued to another key of the same token
        raise OAuthError("credential_request_denied", "the credential of this offer was "
                         "already issued")
    with ctx.engine.begin() as connection:
        marked = connection.execute(update(CredentialOffer).where(
            col(CredentialOffer.id) == offer.id, col(CredentialOffer.state) == "token_issued",
        ).values(state="issued", issued_credential_id=outcome.record.id))
    if marked.rowcount != 1:
        raise OAuthError("credential_request_denied", "the credential of this offer was "
                         "already issued")
    return {"credentials": [{"credential": outcome.credential}]}


def _offer_for_access_token(ctx: IssuerContext, authorization: str | None) -> CredentialOffer:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise OAuthError("invalid_token", "an access token is required: Authorization: "
                         "Bearer <token>")
    with Session(ctx.engine) as session:
        offer = session.exec(select(CredentialOffer).where(
            CredentialOffer.access_token_hash == _sha256(token.strip()))).first()
    if offer is None:
        raise OAuthError("invalid_token", "the access token is not valid")
    if offer.state == "issued":
        raise OAuthError("credential_request_denied", "the credential of this offer was "
                         "already issued")
    expires = offer.access_token_expires_at
    if offer.state != "token_issued" or expires is None or expires <= utc_now():
        raise OAuthError("invalid_token", "the access token has expired")
    return offer


def _check_configuration(body: dict[str, Any], offer: CredentialOffer) -> None:
    if "credential_identifier" in body:
        raise OAuthError("invalid_credential_request", "this issuer hands out no "
                         "credential_identifiers; send credential_configuration_id")
    configuration_id = body.get("credential_configuration_id")
    if not isinstance(configuration_id, str) or not configuration_id:
        raise OAuthError("invalid_credential_request", "credential_configuration_id is required")
    if configuration_id not in CONFIGURATIONS:
        raise OAuthError("unknown_credential_configuration",
                         f"unknown credential configuration {configuration_id[:80]!r}")
    if configuration_id != offer.configuration_id:
        raise OAuthError("invalid_credential_request", "this access token is for "
                         f"{offer.configuration_id}, not {configuration_id}")


# --- helpers --------------------------------------------------------------------------------
def _check_offer_request(request: OfferRequest) -> None:
    if request.recipient_name is not None and len(request.recipient_name) > 300:
        raise Refused("recipientName is longer than 300 characters")
    email = (request.recipient_email or "").strip()
    if email and (len(email) > 320 or not _EMAIL.match(email)):
        raise Refused(f"recipientEmail {email[:80]!r} is not an e-mail address")
    for name, items in (("evidence", request.evidence), ("results", request.results)):
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise Refused(f"{name} must be a list of objects")
    # Refuse now what issuing would refuse later: a wallet should never scan a dead offer.
    try:
        for item in request.evidence:
            Evidence(**evidence_fields(item)).to_json()
        for result in request.results:
            Result(**result_fields(result)).to_json()
    except (StandardsError, ValueError, TypeError) as error:
        raise Refused(f"cannot offer this credential: {error}") from None


def _error_description(text: str) -> str:
    # RFC 6749 §5.2 allows printable ASCII except the double quote and backslash.
    text = text.replace('"', "'")
    return "".join(c if " " <= c <= "~" and c != "\\" else "?" for c in text)


def _derived_key(ctx: IssuerContext, purpose: bytes) -> bytes:
    # A separate key per use, derived from (never equal to) the key that encrypts signing keys.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                info=b"opendossier issuer oid4vci " + purpose,
                ).derive(ctx.settings.key_encryption_key())


def _tx_code_hash(ctx: IssuerContext, offer_id: str, tx_code: str) -> str:
    key = _derived_key(ctx, b"transaction code")
    return hmac.new(key, f"{offer_id}:{tx_code}".encode(), hashlib.sha256).hexdigest()


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

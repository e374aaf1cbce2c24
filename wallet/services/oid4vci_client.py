"""Receiving a credential with OpenID4VCI 1.0 (pre-authorized code flow).

The steps a spec-following wallet takes: read the offer (by value, or fetch it by reference),
discover the Credential Issuer and its Authorization Server from their well-known metadata,
redeem the pre-authorized code (with the transaction code when the offer asks for one), get
a c_nonce, sign a key proof (typ openid4vci-proof+jwt) with the OWNER's holder key, request
the credential, and take it in like any import: verified on arrival (`add_credential`).

Every request goes through `ctx.fetcher`, so the wallet's network policy applies to issuers
too. The network steps run without a database session; only the final `add_credential`
needs one.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

from jwcrypto import jws
from sqlmodel import Session

from servicekit.errors import Invalid, Refused, UpstreamFailed
from standards.errors import FetchError, StandardsError
from standards.fetcher import FetchedResponse
from wallet.models import Account
from wallet.services.access import Actor
from wallet.services.accounts import holder_key
from wallet.services.context import WalletContext
from wallet.services.credentials import Added, add_credential, unverified_document

OFFER_SCHEME = "openid-credential-offer"
PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
PROOF_TYP = "openid4vci-proof+jwt"
SUPPORTED_FORMATS = ("ldp_vc", "jwt_vc_json", "jwt_vc_json-ld")
MAX_OFFER_CHARS = 8000


class OfferError(Refused):
    """The offer cannot be received; the message says why in words a person can act on."""


@dataclass(frozen=True)
class IssuerInfo:
    identifier: str
    metadata: dict[str, Any]
    authorization_server: dict[str, Any]

    def display_name(self, language: str = "nl") -> str:
        return _display(self.metadata.get("display"), language) or self.identifier


@dataclass(frozen=True)
class Offer:
    """An offer, read and checked against the issuer's metadata."""

    document: dict[str, Any]
    issuer: IssuerInfo
    configuration_id: str
    configuration: dict[str, Any]
    pre_authorized_code: str
    tx_code: dict[str, Any] | None  # the offer's tx_code object, when a code is needed

    def preview(self, language: str = "nl") -> dict[str, Any]:
        """What the page shows before receiving: who offers what, and whether a code is
        needed (its description and length, so the form can ask for it)."""
        tx = self.tx_code
        return {
            "issuer": {"id": self.issuer.identifier,
                       "name": self.issuer.display_name(language)},
            "credentialConfigurationId": self.configuration_id,
            "format": self.configuration.get("format"),
            "name": _display(_configuration_display(self.configuration), language)
            or self.configuration_id,
            "txCodeRequired": tx is not None,
            "txCode": None if tx is None else {
                "description": tx.get("description") if isinstance(
                    tx.get("description"), str) else None,
                "length": tx.get("length") if isinstance(tx.get("length"), int) else None,
                "inputMode": tx.get("input_mode", "numeric")},
        }


def _configuration_display(configuration: dict[str, Any]) -> Any:
    """OpenID4VCI 1.0 puts a configuration's display under `credential_metadata`; drafts
    before it (and issuers still on them) put it on the configuration itself."""
    metadata = configuration.get("credential_metadata")
    if isinstance(metadata, dict) and metadata.get("display"):
        return metadata["display"]
    return configuration.get("display")


def _display(value: Any, language: str) -> str | None:
    """The `name` of the display entry in `language`, else the first with a name."""
    entries = [d for d in value if isinstance(d, dict) and isinstance(d.get("name"), str)] \
        if isinstance(value, list) else []
    for entry in entries:
        if str(entry.get("locale", "")).lower().split("-")[0] == language:
            return str(entry["name"])
    return str(entries[0]["name"]) if entries else None


def well_known_url(identifier: str, name: str) -> str:
    """RFC 8414 §3.1 / OpenID4VCI §12.2.2: the well-known segment goes between the host and
    the path of the identifier (https://host/tenant → https://host/.well-known/NAME/tenant)."""
    parts = urlsplit(identifier)
    path = parts.path.rstrip("/")
    return urlunsplit((parts.scheme, parts.netloc, f"/.well-known/{name}{path}", "", ""))


# --- reading the offer ----------------------------------------------------------------------
def _fetch_object(ctx: WalletContext, url: str, what: str) -> dict[str, Any]:
    try:
        value = ctx.fetcher.fetch_json(url)
    except FetchError as error:
        message = str(error)
        if "HTTP status 410" in message:
            raise OfferError(f"the {what} is no longer available (already used or expired): "
                             f"{url}") from None
        raise UpstreamFailed(f"could not fetch the {what}: {message}") from None
    if not isinstance(value, dict):
        raise UpstreamFailed(f"the {what} at {url} is not a JSON object")
    return value


def offer_document(ctx: WalletContext, text: str) -> dict[str, Any]:
    """The offer object from what the person pasted or scanned: an
    `openid-credential-offer://?credential_offer_uri=...` (or `credential_offer=` by value),
    any URL with those parameters, or a plain https URL of the offer itself."""
    text = (text or "").strip()
    if not text:
        raise Invalid("paste the credential offer (a link starting with "
                      "openid-credential-offer:// or https://)")
    if len(text) > MAX_OFFER_CHARS:
        raise Invalid(f"the offer is longer than {MAX_OFFER_CHARS} characters")
    parts = urlsplit(text)
    query = parse_qs(parts.query)
    if "credential_offer" in query:
        try:
            document = json.loads(query["credential_offer"][0])
        except ValueError:
            raise Invalid("the credential_offer in the link is not valid JSON") from None
        if not isinstance(document, dict):
            raise Invalid("the credential_offer in the link is not a JSON object")
        return document
    if "credential_offer_uri" in query:
        return _fetch_object(ctx, query["credential_offer_uri"][0], "credential offer")
    if parts.scheme in ("https", "http") and parts.netloc:
        return _fetch_object(ctx, text, "credential offer")
    raise Invalid("this is not a credential offer: expected a link starting with "
                  "openid-credential-offer:// or https://")


def discover(ctx: WalletContext, identifier: str) -> IssuerInfo:
    metadata = _fetch_object(ctx, well_known_url(identifier, "openid-credential-issuer"),
                             "credential issuer metadata")
    if metadata.get("credential_issuer") != identifier:  # §12.2.3: must match exactly
        raise UpstreamFailed("the issuer's metadata names another credential issuer than the "
                             "offer: refusing it")
    servers = metadata.get("authorization_servers")
    server_id = servers[0] if isinstance(servers, list) and servers and isinstance(
        servers[0], str) else identifier
    server = _fetch_object(ctx, well_known_url(server_id, "oauth-authorization-server"),
                           "authorization server metadata")
    if server.get("issuer") != server_id:
        raise UpstreamFailed("the authorization server metadata names another issuer")
    return IssuerInfo(identifier, metadata, server)


def read_offer(ctx: WalletContext, text: str) -> Offer:
    """The offer, its issuer discovered, checked for what this wallet can receive."""
    document = offer_document(ctx, text)
    identifier = document.get("credential_issuer")
    if not isinstance(identifier, str) or not identifier:
        raise OfferError("the offer does not name its credential_issuer")
    ids = document.get("credential_configuration_ids")
    if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
        raise OfferError("the offer names no credential_configuration_ids")
    grants = document.get("grants")
    grant = grants.get(PRE_AUTHORIZED_GRANT) if isinstance(grants, dict) else None
    if not isinstance(grant, dict) or not isinstance(grant.get("pre-authorized_code"), str):
        raise OfferError("the offer has no pre-authorized code: this wallet receives only "
                         "offers that need no log-in at the issuer")
    issuer = discover(ctx, identifier)
    supported = issuer.metadata.get("credential_configurations_supported")
    configuration = supported.get(ids[0]) if isinstance(supported, dict) else None
    if not isinstance(configuration, dict):
        raise UpstreamFailed(f"the issuer does not describe the offered credential {ids[0]!r}")
    if configuration.get("format") not in SUPPORTED_FORMATS:
        raise OfferError(f"this wallet cannot keep credentials in the format "
                         f"{configuration.get('format')!r} (it keeps "
                         f"{', '.join(SUPPORTED_FORMATS)})")
    tx_code = grant.get("tx_code")
    return Offer(document, issuer, ids[0], configuration, grant["pre-authorized_code"],
                 tx_code if isinstance(tx_code, dict) else ({} if "tx_code" in grant else None))


# --- receiving ------------------------------------------------------------------------------
def _answer(response: FetchedResponse, what: str) -> dict[str, Any]:
    """The JSON object of a 200 answer; an OAuth error answer becomes an OfferError carrying
    the issuer's own error_description."""
    try:
        body = response.json()
    except FetchError:
        body = None
    if response.status == 200 and isinstance(body, dict):
        return body
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description") or body.get("message") or ""
        raise OfferError(f"the issuer refused the {what}: {body['error']}"
                         + (f": {description}" if description else ""))
    raise UpstreamFailed(f"the issuer's {what} failed: HTTP {response.status}")


def _post(ctx: WalletContext, url: Any, what: str, **body: Any) -> dict[str, Any]:
    if not isinstance(url, str) or not url:
        raise UpstreamFailed(f"the issuer's metadata gives no {what} endpoint")
    try:
        return _answer(ctx.fetcher.post(url, **body), what)
    except FetchError as error:
        raise UpstreamFailed(f"could not reach the issuer for the {what}: {error}") from None


def _checked_tx_code(offer: Offer, tx_code: str | None) -> str | None:
    """The code to send, or None when the offer asks for none. A code of the wrong shape is
    refused here, so a typo does not use up one of the issuer's few attempts."""
    if offer.tx_code is None:
        return None
    code = (tx_code or "").strip()
    length = offer.tx_code.get("length")
    if not code:
        raise OfferError("this offer needs a transaction code: the issuer gave it to you "
                         "separately" + (f" ({length} characters)" if length else ""))
    if offer.tx_code.get("input_mode", "numeric") == "numeric" and not code.isdigit():
        raise OfferError("the transaction code consists of digits only")
    if isinstance(length, int) and len(code) != length:
        raise OfferError(f"the transaction code has {length} characters, not {len(code)}")
    return code


def key_proof(key: Any, audience: str, nonce: str | None) -> str:
    """A `jwt` key proof (OpenID4VCI Appendix F.1) signed with the holder key; its `kid` is
    the holder's verification method, so the credential is bound to the owner's DID."""
    header = {"typ": PROOF_TYP, "alg": key.jws_algorithm, "kid": key.id}
    claims: dict[str, Any] = {"aud": audience, "iat": int(time.time())}
    if nonce:
        claims["nonce"] = nonce
    token = jws.JWS(json.dumps(claims).encode())
    token.add_signature(key.to_jwcrypto(private=True), protected=json.dumps(header))
    return str(token.serialize(compact=True))


def obtain_credential(ctx: WalletContext, account: Account, offer: Offer,
                      tx_code: str | None) -> dict[str, Any] | str:
    """Run the token, nonce and credential requests; the credential as issued."""
    code = _checked_tx_code(offer, tx_code)
    form = {"grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": offer.pre_authorized_code}
    if code is not None:
        form["tx_code"] = code
    token = _post(ctx, offer.issuer.authorization_server.get("token_endpoint"),
                  "token request", form=form)
    access_token = token.get("access_token")
    if not isinstance(access_token, str) or str(token.get("token_type", "")).lower() != "bearer":
        raise UpstreamFailed("the issuer's token answer has no bearer access token")
    nonce = token.get("c_nonce")
    nonce_endpoint = offer.issuer.metadata.get("nonce_endpoint")
    if nonce_endpoint:
        nonce = _post(ctx, nonce_endpoint, "nonce request").get("c_nonce")
    key = holder_key(ctx, account)
    algorithms = offer.configuration.get("proof_types_supported", {}).get("jwt", {}).get(
        "proof_signing_alg_values_supported") if isinstance(
        offer.configuration.get("proof_types_supported"), dict) else None
    if isinstance(algorithms, list) and key.jws_algorithm not in algorithms:
        raise OfferError(f"the issuer does not accept {key.jws_algorithm} key proofs, the "
                         "only kind this wallet's key can make")
    proof = key_proof(key, offer.issuer.identifier, nonce if isinstance(nonce, str) else None)
    answer = _post(ctx, offer.issuer.metadata.get("credential_endpoint"), "credential request",
                   json_body={"credential_configuration_id": offer.configuration_id,
                              "proofs": {"jwt": [proof]}},
                   headers={"Authorization": f"Bearer {access_token}"})
    return _credential_in(answer)


def _credential_in(answer: dict[str, Any]) -> dict[str, Any] | str:
    if "transaction_id" in answer and "credentials" not in answer:
        raise OfferError("the issuer will deliver this credential later (deferred issuance), "
                         "which this wallet does not support yet")
    credentials = answer.get("credentials")
    first = credentials[0] if isinstance(credentials, list) and credentials else None
    credential = first.get("credential") if isinstance(first, dict) else answer.get("credential")
    if not isinstance(credential, dict | str) or not credential:
        raise UpstreamFailed("the issuer's credential answer holds no credential")
    return credential


def receive_offer(ctx: WalletContext, session: Session, actor: Actor, offer_text: str,
                  tx_code: str | None = None) -> Added:
    """The whole flow for the owner of the dossier: the credential arrives verified (source
    "oid4vci"), or nothing is stored. For a request handler, prefer `fetch_offered` outside
    a session and `add_credential` inside one; this is for the command line and jobs."""
    raw = fetch_offered(ctx, actor, offer_text, tx_code)
    return add_credential(ctx, session, actor, raw, source="oid4vci")


def fetch_offered(ctx: WalletContext, actor: Actor, offer_text: str,
                  tx_code: str | None = None) -> bytes:
    """The offered credential's bytes, ready for `add_credential(..., source="oid4vci")`.
    Refused when it is not bound to the owner's DID: it would not be theirs to present."""
    actor.require_owner("receive credentials")
    offer = read_offer(ctx, offer_text)
    try:
        credential = obtain_credential(ctx, actor.account, offer, tx_code)
    except StandardsError as error:
        raise UpstreamFailed(f"receiving the credential failed: {error}") from None
    if subject_of(credential) != actor.account.did:
        raise UpstreamFailed("the issuer sent a credential for someone else (its subject is not "
                             "your DID): it was not stored")
    return credential.encode() if isinstance(credential, str) else \
        json.dumps(credential, ensure_ascii=False).encode("utf-8")


def subject_of(credential: dict[str, Any] | str) -> str | None:
    """credentialSubject.id of a credential object or VC-JWT, read without verifying (the
    verification follows in add_credential)."""
    document = unverified_document(credential)
    subject = document.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    return subject.get("id") if isinstance(subject, dict) else None

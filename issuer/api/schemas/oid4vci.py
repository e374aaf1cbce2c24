"""Bodies of OpenID for Verifiable Credential Issuance 1.0 and of the staff API that makes
offers.

The protocol's own bodies keep the protocol's snake_case names (`OAuthBody`); the staff API
uses camelCase like the rest of /api."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from issuer.api.schemas.base import LenientRequestBody, ResponseBody


class OAuthBody(BaseModel):
    """A body of the OAuth / OpenID4VCI protocol: names as the specifications spell them;
    members this issuer does not use are ignored."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")


# --- staff API ------------------------------------------------------------------------------
class OfferBody(LenientRequestBody):
    achievement_id: str = Field(min_length=1, description="the achievement to offer")
    recipient_name: str | None = None
    recipient_email: str | None = None
    evidence: list[dict[str, Any]] | None = None
    results: list[dict[str, Any]] | None = None
    tx_code: bool = Field(default=True,
                          description="guard the offer with a 6-digit transaction code")
    format: str | None = Field(default=None, description="ldp_vc (default) or jwt_vc_json")


class OfferSummary(ResponseBody):
    offer_id: str
    offer_uri: str = Field(description="openid-credential-offer://?credential_offer_uri=...")
    qr_png: str
    qr_svg: str
    achievement_id: str
    credential_configuration_id: str
    recipient_name: str | None
    recipient_email: str | None
    with_tx_code: bool
    state: str = Field(description="offered, token_issued, issued, locked or expired")
    record_id: str | None = Field(description="the issued credential's record, once issued")
    created_at: str
    expires_at: str


class NewOffer(OfferSummary):
    tx_code: str | None = Field(description="shown once; pass it to the recipient separately")


class OfferList(ResponseBody):
    offers: list[OfferSummary]


# --- the protocol ---------------------------------------------------------------------------
class CredentialOfferDocument(OAuthBody):
    """The Credential Offer behind credential_offer_uri (OpenID4VCI §4.1.1)."""

    credential_issuer: str
    credential_configuration_ids: list[str]
    grants: dict[str, Any]


class TokenRequest(OAuthBody):
    """Token Request with the pre-authorized code grant (application/x-www-form-urlencoded)."""

    grant_type: str | None = None
    pre_authorized_code: str | None = Field(default=None, alias="pre-authorized_code")
    tx_code: str | None = None


class TokenResponse(OAuthBody):
    access_token: str
    token_type: str
    expires_in: int


class NonceResponse(OAuthBody):
    c_nonce: str


class CredentialRequest(OAuthBody):
    """Credential Request (OpenID4VCI §8.2): the configuration and one `jwt` key proof, in
    `proofs` (1.0) or the single `proof` of earlier drafts."""

    credential_configuration_id: str | None = None
    credential_identifier: Any = Field(default=None, description="not offered by this issuer")
    proofs: dict[str, Any] | None = None
    proof: dict[str, Any] | None = None


class IssuedCredential(OAuthBody):
    credential: dict[str, Any] | str


class CredentialResponse(OAuthBody):
    credentials: list[IssuedCredential]


class OAuthErrorBody(OAuthBody):
    error: str
    error_description: str

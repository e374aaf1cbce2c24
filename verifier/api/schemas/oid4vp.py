"""OpenID4VP bodies: making a request, following it, and the wallet's direct_post answer.

These names are the protocol's and the verifier's own snake_case ones, not camelCase."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from verifier.api.schemas.report import VerificationReport
from verifier.services.oid4vp import MAX_TYPES


class NewRequestBody(BaseModel):
    """What to ask the owner's wallet for; the body may also be left out (DCQL, any Open
    Badge or CLR)."""

    model_config = ConfigDict(extra="ignore")

    query: Literal["dcql", "pe"] = Field(
        default="dcql", description="DCQL, or Presentation Exchange for wallets without DCQL")
    types: list[str] | None = Field(
        default=None, min_length=1, max_length=MAX_TYPES,
        description="credential types to accept (default OpenBadgeCredential, "
                    "AchievementCredential, ClrCredential)")
    by_reference: bool = Field(
        default=False, description="pass the request by reference (request_uri): a smaller "
                                   "QR code; the wallet fetches the request object, signed "
                                   "with the verifier's key (client_id "
                                   "decentralized_identifier:did:key:...)")
    format: Literal["ldp_vc", "jwt_vc_json"] = Field(
        default="ldp_vc", description="the credentials' format: Data Integrity (ldp_vc) or "
                                      "VC-JWT (jwt_vc_json, DCQL only)")


class CreatedRequest(BaseModel):
    id: str = Field(description="reads the result; known only to whoever made the request")
    authorization_request: str = Field(description="the openid4vp:// URI for the wallet")
    expires_in: int = Field(description="seconds until the request expires")
    status_url: str
    query_language: Literal["dcql", "pe"]


class RequestStatus(BaseModel):
    id: str
    state: Literal["pending", "answered", "expired"]
    report: VerificationReport | None = Field(
        description="the verification report once answered, with a `query` check")
    error: str | None = Field(description="why the wallet declined, when it did")


class WalletAnswer(BaseModel):
    """Response mode direct_post (OpenID4VP §8.2), form-encoded; each name at most once.
    Either vp_token (with presentation_submission for Presentation Exchange) or error."""

    state: str
    vp_token: str | None = None
    presentation_submission: str | None = None
    error: str | None = Field(default=None,
                              description='e.g. "access_denied" when the owner says no')
    error_description: str | None = None


class Accepted(BaseModel):
    """The answer was taken: an empty object."""

    model_config = ConfigDict(extra="forbid")


class OAuthError(BaseModel):
    error: Literal["invalid_request"]
    error_description: str

"""Bodies of the W3C CCG VC-API endpoints (/credentials/issue, /credentials/status).

The credential and the options are open JSON-LD documents, checked by the standards core;
the envelope around them is typed. Members the VC-API defines but this issuer does not use
are ignored, as the VC-API asks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from issuer.api.schemas.base import LenientRequestBody, ResponseBody


class IssueCredentialRequest(LenientRequestBody):
    credential: dict[str, Any] = Field(description="an unsigned OB 3.0 credential")
    options: dict[str, Any] | None = Field(
        default=None,
        description="format, cryptosuite, statusPurpose, ... (VC-API IssueCredentialOptions)")


class IssueCredentialResponse(ResponseBody):
    verifiable_credential: dict[str, Any] | str


class StatusChange(LenientRequestBody):
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status: str = Field(description="revoked, suspended or active (unsuspend)")


class UpdateStatusRequest(LenientRequestBody):
    credential_id: str = Field(min_length=1, description="the credential's id")
    credential_status: list[StatusChange] = Field(min_length=1)


class UpdateStatusResponse(ResponseBody):
    credential_id: str
    status: list[str]

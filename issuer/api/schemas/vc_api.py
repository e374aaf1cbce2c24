"""Bodies of the W3C CCG VC-API endpoints (/credentials/issue, /credentials/status).

The credential and the options are open JSON-LD documents, checked by the standards core;
the envelope around them is typed. Members the VC-API defines but this issuer does not use
are ignored, as the VC-API asks."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator

from issuer.api.schemas.base import LenientRequestBody, ResponseBody


class IssueCredentialRequest(LenientRequestBody):
    credential: dict[str, Any] = Field(
        description="an unsigned VCDM 2.0 or 1.1 credential (an Open Badge or any other)")
    options: dict[str, Any] | None = Field(
        default=None,
        description="format, cryptosuite, issuerProfile, credentialStatus ({type, "
                    "statusPurpose, statusSize, statusMessage, statusReference}), ... "
                    "(VC-API IssueCredentialOptions)")

    @field_validator("credential")
    @classmethod
    def _type_names_types(cls, credential: dict[str, Any]) -> dict[str, Any]:
        """`type` is a name or a list of names (VCDM 2.0 §4.5): anything else is refused
        here, with the reason, before the issuer reads which types it names."""
        kinds = credential.get("type")
        names = [kinds] if isinstance(kinds, str) else kinds
        if kinds is not None and not (
                isinstance(names, list) and all(isinstance(name, str) for name in names)):
            raise ValueError("the credential's 'type' must be a string or an array of strings")
        return credential


class IssueCredentialResponse(ResponseBody):
    verifiable_credential: dict[str, Any] | str


class StatusChange(LenientRequestBody):
    type: Literal["BitstringStatusListEntry"] = "BitstringStatusListEntry"
    status: str = Field(description="revoked, suspended or active (unsuspend); or, for a "
                        "credential with a message entry, its new status value as "
                        "statusMessage writes it (0x0, 0x1, ...)")


class UpdateStatusRequest(LenientRequestBody):
    credential_id: str = Field(min_length=1, description="the credential's id")
    credential_status: list[StatusChange] = Field(min_length=1)


class UpdateStatusResponse(ResponseBody):
    credential_id: str
    status: list[str]

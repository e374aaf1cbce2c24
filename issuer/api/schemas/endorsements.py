"""Bodies of the endorsement API: endorse something, keep an endorsement received."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from issuer.api.schemas.base import LenientRequestBody, ResponseBody


class EndorseRequest(LenientRequestBody):
    target_kind: str = Field(description="achievement, profile or credential")
    target_id: str = Field(description="the endorsed thing's id")
    comment: str | None = None
    name: str | None = None


class MadeEndorsement(ResponseBody):
    id: str
    verifiable_credential: dict[str, Any] | str


class ReceivedEndorsementRequest(LenientRequestBody):
    endorsement: dict[str, Any] | str = Field(
        description="an EndorsementCredential: a JSON object (Data Integrity) or a VC-JWT")


class EndorsementSummary(ResponseBody):
    id: str
    credential_id: str
    direction: str = Field(description="made or received")
    endorser: str
    target_kind: str
    target_id: str
    comment: str | None
    issued_at: str
    withdrawn: bool
    verifiable_credential: dict[str, Any] | str


class EndorsementList(ResponseBody):
    endorsements: list[EndorsementSummary]

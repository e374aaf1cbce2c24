"""The verification report: the VC-API shape `{"verified", "checks", "warnings", "errors"}`
plus what this verifier adds (see verifier.services.verification). The routes answer the
report as the service builds it; these models document it (and a test holds them to it)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from verifier.api.schemas.base import CamelModel


class Closed(CamelModel):
    """A part of the report with no other members than documented."""

    model_config = ConfigDict(extra="forbid")


class CheckOutcome(Closed):
    check: str = Field(description='what was checked: "proof", "schema", "status", ...')
    ok: bool
    message: str


class RegistryIdentifier(Closed):
    type: str = Field(description='the kind of identifier, e.g. "BRIN"')
    value: str


class RegistryEntry(Closed):
    """An issuer as the trust registry lists it."""

    id: str
    name: str
    country: str | None
    sector: str | None
    registry_identifiers: list[RegistryIdentifier]
    valid_from: str | None
    valid_until: str | None


class TrustVerdict(Closed):
    """Whether the credential's issuer is in the verifier's trust registry."""

    issuer: str | None
    registry: str = Field(description="the registry's name")
    registry_configured: bool
    registry_source: str | None = Field(description="the registry's URL, when it has one")
    status: Literal["trusted", "unknown", "outside-valid-period"]
    entry: RegistryEntry | None
    message: str


class EvidenceOutcome(Closed):
    """One evidence item of the credential, fetched and compared with its signed digest."""

    id: str | None
    name: str | None
    fetched: bool
    digest: Literal["matches", "differs", "not-signed", "not-checked"]
    message: str
    size: int | None = None
    media_type: str | None = None
    sha256: str | None = None


class EndorsementScope(Closed):
    """What an embedded endorsement vouches for, and whether that is the credential carrying
    it (standards.endorsement_scope)."""

    applies: bool
    carrier: Literal["credential", "issuer", "achievement", "creator"] = Field(
        description="what carries the endorsement in the credential")
    endorses: str | None = Field(description="the id it endorses (its credentialSubject.id)")
    reason: Literal["applies", "other_subject", "no_creator", "not_issuer", "other_publisher",
                    "content_differs", "unconfirmed"]
    message: str


class ReportNode(Closed):
    """The verdict on one credential or presentation."""

    verified: bool
    checks: list[CheckOutcome]
    warnings: list[str]
    errors: list[str]
    format: str = Field(description='"ldp_vc", "jwt_vc", "ldp_vp", ... or "unknown"')
    kind: Literal["credential", "presentation"]
    summary: dict[str, Any] = Field(
        description="what the document says, for display: name, issuer, subject, "
                    "achievement, dates (a credential); holder (a presentation)")
    trust: TrustVerdict | None = Field(default=None, description="credentials only")
    evidence: list[EvidenceOutcome] | None = Field(
        default=None, description="only when evidence was checked (options.checkEvidence)")
    credentials: list[InnerReport] = Field(
        description="the credentials inside: a presentation's, a CLR's")
    endorsements: list[InnerReport]
    scope: EndorsementScope | None = Field(
        default=None, description="an authentic endorsement only: whether it vouches for the "
        "credential carrying it (a copied one does not, and is not counted)")


class InnerReport(ReportNode):
    """A credential inside another document, with where it sits there."""

    path: str = Field(description="its JSON path in the outer document")


class VerificationReport(ReportNode):
    """The answer of POST /credentials/verify and /presentations/verify: 200 when verified,
    400 with the same report when not."""

    verified_at: str = Field(description="when verification ran (RFC 3339, UTC)")


ReportNode.model_rebuild()

"""VC-API bodies: verifying a credential or a presentation, a challenge, the trust registry."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    ConfigDict,
    Field,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
)
from pydantic_core import PydanticCustomError

from verifier.api.schemas.base import CamelModel
from verifier.api.schemas.report import RegistryEntry
from verifier.services.verification import VerifyOptions


def _one_document(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """One clear message instead of one for each branch of the union."""
    try:
        return handler(value)
    except ValidationError:
        raise PydanticCustomError("document", "must be a JSON object or a compact JWT") from None


# A credential or presentation: a JSON-LD document (the standards core validates it) or a
# compact JWT.
Document = Annotated[dict[str, Any] | str, WrapValidator(_one_document)]


class VerifyOptionsBody(CamelModel):
    """VC-API `options`. Unknown options are ignored, as VC-API implementations do; the
    known ones must have their JSON type exactly (no "yes" for true)."""

    model_config = ConfigDict(extra="ignore", strict=True)

    challenge: str | None = Field(default=None, description="the challenge every proof of the "
                                  "presentation must carry: one from POST /challenges (then "
                                  "single use) or the caller's own; when left out, a challenge "
                                  "the proof carries must be one issued here")
    domain: str | None = Field(default=None, description="the domain the proof must name; a "
                               "challenge issued here also binds the domain issued with it")
    check_status: bool = Field(default=True, description="check the credential's status list")
    check_evidence: bool = Field(default=False, description="fetch the evidence and compare its "
                                 "digest with the signed one")
    require_holder_binding: bool = Field(
        default=False, description="a presented credential that is not about whoever signed "
        "the presentation fails (VCDM 2.0 allows it, so by default it is only a warning)")

    def to_options(self) -> VerifyOptions:
        return VerifyOptions(challenge=self.challenge, domain=self.domain,
                             check_status=self.check_status, check_evidence=self.check_evidence,
                             require_holder_binding=self.require_holder_binding)


class VerifyCredentialRequest(CamelModel):
    model_config = ConfigDict(extra="ignore")

    verifiable_credential: Document = Field(
        description="the credential: a JSON-LD document or a compact JWT")
    options: VerifyOptionsBody | None = None


class VerifyPresentationRequest(CamelModel):
    model_config = ConfigDict(extra="ignore")

    verifiable_presentation: Document = Field(
        description="the presentation: a JSON-LD document or a compact JWT")
    options: VerifyOptionsBody | None = None


class Challenge(CamelModel):
    """A single-use challenge for a presentation's proof, with the domain to name."""

    challenge: str
    domain: str
    expires_in: int = Field(description="seconds until the challenge expires")


class TrustRegistryDocument(CamelModel):
    """The issuers this verifier knows."""

    name: str
    source: str | None = Field(description="where the registry came from, when a URL")
    issuers: list[RegistryEntry]

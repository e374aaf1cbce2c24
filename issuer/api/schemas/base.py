"""Base classes of the issuer's JSON bodies: snake_case attributes, camelCase JSON names."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class RequestBody(BaseModel):
    """A JSON request body. Strict: a JSON type that does not fit (a string where a number
    belongs) is refused rather than converted; unknown members are refused."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, strict=True,
                              extra="forbid")


class LenientRequestBody(RequestBody):
    """A request body that ignores members it does not know (VC-API and OpenID4VCI bodies,
    which other software sends with extensions)."""

    model_config = ConfigDict(extra="ignore")


class ResponseBody(BaseModel):
    """A JSON response body, written with its camelCase names. Undocumented members are an
    error (of this service), so the OpenAPI document cannot drift from what is answered."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True,
                              serialize_by_alias=True, extra="forbid")


class ApiError(BaseModel):
    """The body of every refusal of the issuer's own API (servicekit.api_errors)."""

    error: str = Field(description='a code: "bad_request", "not_found", "unprocessable", ...')
    message: str = Field(description="what was wrong, for the person or program that asked")


# Documents the refusals of a route; it also stands in for FastAPI's default 422 answer,
# whose shape these routes never give.
REFUSALS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ApiError, "description": "Refused; the message says why"}}

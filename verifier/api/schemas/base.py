"""What the verifier's body models share: camelCase JSON names for snake_case fields, and the
shape of a refusal."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """A JSON object whose member names are the camelCase forms of the field names
    (`verified_at` is "verifiedAt"); Python code may use either."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class ApiError(BaseModel):
    """The body of every refusal of the verifier's own API (servicekit.api_errors)."""

    error: str = Field(description='a code: "bad_request", "not_found", "too_large", ...')
    message: str = Field(description="what was wrong, for the person or program that asked")


# Documents the refusals of a route; it also stands in for FastAPI's default 422 answer,
# which these routes never give (a body that does not fit its schema gets 400).
REFUSALS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ApiError, "description": "Refused; the message says why"}}

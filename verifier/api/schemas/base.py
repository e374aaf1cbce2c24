"""What every body model of the verifier shares: camelCase JSON names for snake_case fields."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class CamelModel(BaseModel):
    """A JSON object whose member names are the camelCase forms of the field names
    (`verified_at` is "verifiedAt"); Python code may use either."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

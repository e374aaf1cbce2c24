"""OB 3.0 Achievement: what was accomplished (the "badge class"), with its criteria, image,
alignments to competency frameworks and descriptions of possible results (rubrics).

`achievementType` takes an AchievementType enum value (`Badge`, `Competency`,
`MicroCredential`, ...) or an extension value `ext:...`; `Alignment.target_type` likewise
(`CFItem`, `CTDL`, `ceasn:Competency`, ... or `ext:...`). The schema checks both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from standards.ob3.common import JSON, CredentialInputError, as_json, as_json_list, drop_empty
from standards.ob3.profile import Image
from standards.ob3.schema import definition_uri, ensure_conforms


@dataclass(frozen=True)
class Alignment:
    """A link to a competency or framework item (CASE CFItem, CTDL, ESCO, ...)."""

    target_name: str
    target_url: str
    target_code: str | None = None
    target_framework: str | None = None
    target_type: str | None = None
    target_description: str | None = None

    def to_json(self) -> JSON:
        return drop_empty(
            {
                "type": ["Alignment"],
                "targetName": self.target_name,
                "targetUrl": self.target_url,
                "targetCode": self.target_code,
                "targetFramework": self.target_framework,
                "targetType": self.target_type,
                "targetDescription": self.target_description,
            }
        )


@dataclass(frozen=True)
class RubricCriterionLevel:
    id: str
    name: str
    level: str | None = None
    description: str | None = None
    points: str | None = None

    def to_json(self) -> JSON:
        return drop_empty(
            {
                "id": self.id,
                "type": ["RubricCriterionLevel"],
                "name": self.name,
                "level": self.level,
                "description": self.description,
                "points": self.points,
            }
        )


@dataclass(frozen=True)
class ResultDescription:
    """A possible result of the achievement, e.g. a rubric (`resultType` RubricCriterionLevel)
    with its levels, or a grade scale (`valueMin`/`valueMax`)."""

    id: str
    name: str
    result_type: str
    rubric_criterion_levels: Sequence[RubricCriterionLevel] = ()
    allowed_values: Sequence[str] = ()
    required_level: str | None = None
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None

    def to_json(self) -> JSON:
        return drop_empty(
            {
                "id": self.id,
                "type": ["ResultDescription"],
                "name": self.name,
                "resultType": self.result_type,
                "rubricCriterionLevel": as_json_list(self.rubric_criterion_levels),
                "allowedValue": list(self.allowed_values),
                "requiredLevel": self.required_level,
                "requiredValue": self.required_value,
                "valueMin": self.value_min,
                "valueMax": self.value_max,
            }
        )


@dataclass(frozen=True)
class Criteria:
    """How the achievement is earned: a narrative (Markdown) and/or a URL describing it."""

    narrative: str | None = None
    id: str | None = None

    def to_json(self) -> JSON:
        if self.narrative is None and self.id is None:
            raise CredentialInputError("criteria needs a narrative, an id (URL), or both")
        return drop_empty({"id": self.id, "narrative": self.narrative})


def build_achievement(
    *,
    id: str,
    name: str,
    description: str,
    criteria: Criteria | Mapping[str, Any],
    achievement_type: str | None = None,
    image: Image | Mapping[str, Any] | None = None,
    alignments: Sequence[Alignment | Mapping[str, Any]] = (),
    result_descriptions: Sequence[ResultDescription | Mapping[str, Any]] = (),
    creator: Mapping[str, Any] | None = None,
    tags: Sequence[str] = (),
    in_language: str | None = None,
    endorsements: Sequence[Mapping[str, Any]] = (),
    extra: Mapping[str, Any] | None = None,
) -> JSON:
    """An Achievement dict (`type: ["Achievement"]`), checked against the OB 3.0 schema.

    `creator` is a Profile dict (see `build_profile`); `endorsements` are complete (signed)
    EndorsementCredentials embedded as they are. `extra` adds properties defined by an
    extension context (e.g. nl-edubadges `ECTS`); the caller must add that context.
    Raises SchemaViolationError naming the path of anything the schema refuses.
    """
    achievement = drop_empty(
        {
            "id": id,
            "type": ["Achievement"],
            "achievementType": achievement_type,
            "name": name,
            "description": description,
            "criteria": as_json(criteria),
            "image": as_json(image) if image is not None else None,
            "alignment": as_json_list(alignments),
            "resultDescription": as_json_list(result_descriptions),
            "creator": dict(creator) if creator is not None else None,
            "tag": list(tags),
            "inLanguage": in_language,
            "endorsement": [dict(endorsement) for endorsement in endorsements],
            **(extra or {}),
        }
    )
    ensure_conforms(achievement, definition_uri("Achievement"), f"achievement {id!r}")
    return achievement

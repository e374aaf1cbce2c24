"""Bodies of the staff API under /api: frameworks, achievements, issuing, the issued record,
profiles and key rotation."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from issuer.api.schemas.base import RequestBody, ResponseBody

MAX_IDEMPOTENCY_KEY = 200


# --- frameworks -----------------------------------------------------------------------------
class FrameworkDocument(ResponseBody):
    """A competence framework; `competences` in the detail, `competenceCount` in lists."""

    id: str
    title: str
    source: str
    source_identifier: str | None
    uri: str | None
    description: str | None
    competences: list[dict[str, Any]] | None = None
    competence_count: int | None = None


class FrameworkList(ResponseBody):
    items: list[FrameworkDocument]


# --- achievements ---------------------------------------------------------------------------
class AchievementBody(RequestBody):
    """A new achievement definition. `competenceIds` are ids of imported competences."""

    name: str = ""
    description: str = ""
    criteria_narrative: str = ""
    criteria_url: str | None = None
    image_url: str | None = None
    achievement_type: str | None = None
    result_descriptions: list[dict[str, Any]] | None = None
    competence_ids: list[str] | None = None
    valid_days: int | None = None
    profile_id: str | None = None


class StoredAchievement(ResponseBody):
    """An achievement's id here and its OB 3.0 Achievement document."""

    id: str
    achievement: dict[str, Any]


class AchievementList(ResponseBody):
    items: list[StoredAchievement]


class IssueBody(RequestBody):
    """One credential of a stored achievement. `recipient` is a DID or an e-mail address;
    the same `idempotencyKey` again answers the credential issued the first time."""

    recipient: str = ""
    recipient_name: str | None = None
    evidence: list[dict[str, Any]] | None = None
    results: list[dict[str, Any]] | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    format: str | None = Field(default=None, description="ldp_vc (default) or jwt_vc_json")
    cryptosuite: str | None = None
    status_purpose: str | None = None
    idempotency_key: str | None = None


# --- the issued record ----------------------------------------------------------------------
class RecordSummary(ResponseBody):
    record_id: str
    credential_id: str
    recipient: str
    recipient_name: str | None
    achievement_id: str | None = Field(description="none for credentials issued over VC-API")
    achievement_name: str
    issued_at: str
    valid_until: str | None
    revoked: bool
    suspended: bool
    format: str


class IssuedCredential(ResponseBody):
    record: RecordSummary
    verifiable_credential: dict[str, Any] | str = Field(
        description="a JSON object (Data Integrity) or a compact VC-JWT")


class RecordDetail(RecordSummary):
    verifiable_credential: dict[str, Any] | str


class RecordPage(ResponseBody):
    total: int
    limit: int
    offset: int
    items: list[RecordSummary]


# --- profiles and keys ----------------------------------------------------------------------
class ProfileBody(RequestBody):
    """Another issuer profile (a department, a partnership) with its own DID and key."""

    name: str = ""
    url: str | None = None
    email: str | None = None
    image: str | None = None
    description: str | None = None
    did_method: str | None = Field(default=None, description="key (default) or web")
    key_type: str | None = Field(default=None, description="ed25519 (default; eddsa "
                                 "cryptosuites), p256 or p384 (ecdsa cryptosuites)")
    brin: str | None = None
    kvk: str | None = None


class ProfileSummary(ResponseBody):
    id: str
    did: str
    did_method: str
    name: str
    is_default: bool
    verification_methods: list[str]


class ProfileList(ResponseBody):
    items: list[ProfileSummary]


class RotatedKey(ResponseBody):
    profile_id: str
    did: str
    verification_method: str

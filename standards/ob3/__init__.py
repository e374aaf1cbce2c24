"""Open Badges 3.0 and CLR 2.0: builders of unsigned credentials (plain JSON dicts) and
validation against the bundled OB 3.0 JSON Schemas. Signing lives in standards.data_integrity.
"""

from standards.ob3.achievement import (
    Alignment,
    Criteria,
    ResultDescription,
    RubricCriterionLevel,
    build_achievement,
)
from standards.ob3.clr import Association, build_clr_credential
from standards.ob3.common import (
    CLR_CONTEXT,
    OB_CONTEXT,
    VC_V2_CONTEXT,
    CredentialInputError,
)
from standards.ob3.credential import build_achievement_credential
from standards.ob3.endorsement import build_endorsement_credential
from standards.ob3.evidence import Evidence, digest_sri, matches_digest_sri
from standards.ob3.normalise import normalise_received_credential
from standards.ob3.profile import (
    Address,
    IdentifierEntry,
    Image,
    brin_identifier,
    build_profile,
    kvk_identifier,
)
from standards.ob3.schema import SchemaViolationError
from standards.ob3.subject import (
    Result,
    build_achievement_subject,
    hashed_email_identity,
    identity_hash,
    identity_matches,
)
from standards.ob3.validate import (
    ensure_valid_credential,
    validate_achievement_credential,
    validate_clr_credential,
    validate_credential,
    validate_endorsement_credential,
    validate_profile,
)

__all__ = [
    "CLR_CONTEXT",
    "OB_CONTEXT",
    "VC_V2_CONTEXT",
    "Address",
    "Alignment",
    "Association",
    "CredentialInputError",
    "Criteria",
    "Evidence",
    "IdentifierEntry",
    "Image",
    "Result",
    "ResultDescription",
    "RubricCriterionLevel",
    "SchemaViolationError",
    "brin_identifier",
    "build_achievement",
    "build_achievement_credential",
    "build_achievement_subject",
    "build_clr_credential",
    "build_endorsement_credential",
    "build_profile",
    "digest_sri",
    "ensure_valid_credential",
    "hashed_email_identity",
    "identity_hash",
    "identity_matches",
    "kvk_identifier",
    "matches_digest_sri",
    "normalise_received_credential",
    "validate_achievement_credential",
    "validate_clr_credential",
    "validate_credential",
    "validate_endorsement_credential",
    "validate_profile",
]

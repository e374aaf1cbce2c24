"""Verify a credential or presentation, every check reported separately with its reason.

One code path for the CLI, the wallet and the verifier service. Checks, in order:
`format`, `json-ld` (contexts bundled, every term defined), `proof` (each proof, key
controlled by the issuer for assertionMethod), `issuer`, `validity` (dates against an
injectable clock), `status` (Bitstring Status List or 1EdTech Revocation List; a list that
cannot be fetched gives "unknown", which never counts as valid), `schema` (OB 3.0 JSON Schema
for Open Badges; a deviation is a "not fully OB 3.0 conformant" warning), `refresh-service`
(noted, never contacted), then the credentials inside: each credential of a CLR and each
embedded endorsement is verified in turn, down to `MAX_NESTING` levels. For presentations:
`holder` binding plus each credential (a failure only when holder binding is required).

"Cannot be checked now" is told apart from "wrong": a status list that cannot be fetched
gives "status unknown: ...", a signing key that cannot be fetched (an issuer's did:web that
does not answer) gives "key unknown: ...", and a CLR member that fails only so "cannot be
checked now: ...". Such a result is not verified, but `undetermined`: nothing in it is shown
to be false, so a wallet keeps the credential and checks it again later.

The modules, one idea each: `results` (what is reported), `context` (what may be
consulted), `documents` (shared readings of a document), `data_integrity_credentials` and
`jwt_credentials` (the two ways a credential is secured), `credential_checks` (what every
credential gets after its proof), `nested` (CLR members and endorsements), `credentials`
and `presentations` (the entry points).
"""

from standards.verification.context import VerificationContext
from standards.verification.credentials import verify_credential
from standards.verification.presentations import (
    ENVELOPED_JWT_PREFIXES,
    envelope_jwt,
    enveloped_jwt,
    verify_presentation,
)
from standards.verification.results import (
    AUTHENTICITY_CHECKS,
    CANNOT_CHECK_NOW,
    CLOCK_SKEW,
    ISSUER_KEY_NOT_CONFIRMED,
    JSONLD_OK,
    KEY_UNKNOWN,
    MAX_NESTING,
    NO_ISSUER,
    NOT_OB3_CONFORMANT,
    OB_TYPES,
    STATUS_NOT_CHECKED,
    STATUS_UNKNOWN,
    UNDETERMINED_PREFIXES,
    Check,
    VerificationResult,
)

__all__ = [
    "AUTHENTICITY_CHECKS",
    "CANNOT_CHECK_NOW",
    "CLOCK_SKEW",
    "ENVELOPED_JWT_PREFIXES",
    "ISSUER_KEY_NOT_CONFIRMED",
    "JSONLD_OK",
    "KEY_UNKNOWN",
    "MAX_NESTING",
    "NOT_OB3_CONFORMANT",
    "NO_ISSUER",
    "OB_TYPES",
    "STATUS_NOT_CHECKED",
    "STATUS_UNKNOWN",
    "UNDETERMINED_PREFIXES",
    "Check",
    "VerificationContext",
    "VerificationResult",
    "envelope_jwt",
    "enveloped_jwt",
    "verify_credential",
    "verify_presentation",
]

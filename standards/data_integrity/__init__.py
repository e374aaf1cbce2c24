"""W3C Data Integrity proofs with the EdDSA cryptosuites."""

from standards.data_integrity.cryptosuites import (
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    SIGNING_SUITES,
    VERIFYING_SUITES,
    Cryptosuite,
    suite_for_proof,
)
from standards.data_integrity.proofs import (
    KeyResolver,
    ProofResult,
    sign_document,
    verify_document_proofs,
)

__all__ = [
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "SIGNING_SUITES",
    "VERIFYING_SUITES",
    "Cryptosuite",
    "KeyResolver",
    "ProofResult",
    "sign_document",
    "suite_for_proof",
    "verify_document_proofs",
]

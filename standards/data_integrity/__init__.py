"""W3C Data Integrity proofs with the EdDSA and ECDSA cryptosuites (ecdsa-sd-2023: verifying
derived proofs only)."""

from standards.data_integrity.cryptosuites import (
    ECDSA_JCS_2019,
    ECDSA_RDFC_2019,
    EDDSA_JCS_2022,
    EDDSA_RDFC_2022,
    SIGNING_SUITES,
    VERIFYING_SUITES,
    Cryptosuite,
    default_suite_for,
    suite_for_proof,
)
from standards.data_integrity.ecdsa_sd import ECDSA_SD_2023
from standards.data_integrity.proofs import (
    KeyResolver,
    ProofResult,
    sign_document,
    verify_document_proofs,
)

__all__ = [
    "ECDSA_JCS_2019",
    "ECDSA_RDFC_2019",
    "ECDSA_SD_2023",
    "EDDSA_JCS_2022",
    "EDDSA_RDFC_2022",
    "SIGNING_SUITES",
    "VERIFYING_SUITES",
    "Cryptosuite",
    "KeyResolver",
    "ProofResult",
    "default_suite_for",
    "sign_document",
    "suite_for_proof",
    "verify_document_proofs",
]

"""OpenID4VCI Credential Issuer metadata and the OAuth Authorization Server metadata (RFC 8414).

This service is its own Authorization Server (no `authorization_servers` member) and offers
one kind of credential, an Open Badges 3.0 OpenBadgeCredential, in two formats.
"""

from __future__ import annotations

from typing import Any

from issuer.services.oid4vci_proofs import BINDING_METHODS, PROOF_ALGORITHMS
from standards.ob3 import OB_CONTEXT, VC_V2_CONTEXT

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATIONS = {
    "OpenBadgeCredential_ldp_vc": "ldp_vc",
    "OpenBadgeCredential_jwt_vc_json": "jwt_vc_json",
}
CREDENTIAL_TYPES = ["VerifiableCredential", "OpenBadgeCredential"]
_ISSUER_DISPLAY = [{"name": "OpenDossier uitgever", "locale": "nl"},
                   {"name": "OpenDossier issuer", "locale": "en"}]
_CREDENTIAL_DISPLAY = [
    {"name": "Open Badge", "locale": "nl",
     "description": "Een Open Badges 3.0-credential: een behaalde prestatie, ondertekend door "
                    "de school of organisatie die hem uitgaf."},
    {"name": "Open Badge", "locale": "en",
     "description": "An Open Badges 3.0 credential: an achievement, signed by the school or "
                    "organisation that awarded it."},
]


def configuration_for_format(fmt: str) -> str | None:
    return next((cid for cid, value in CONFIGURATIONS.items() if value == fmt), None)


def credential_endpoint(public_url: str) -> str:
    return f"{public_url}/oid4vci/credential"


def issuer_metadata(public_url: str) -> dict[str, Any]:
    """/.well-known/openid-credential-issuer (OpenID4VCI 1.0 §12.2)."""
    binding: dict[str, Any] = {
        "cryptographic_binding_methods_supported": list(BINDING_METHODS),
        "proof_types_supported": {
            "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}},
        "credential_metadata": {"display": _CREDENTIAL_DISPLAY},
    }
    return {
        "credential_issuer": public_url,
        "credential_endpoint": credential_endpoint(public_url),
        "nonce_endpoint": f"{public_url}/oid4vci/nonce",
        "display": _ISSUER_DISPLAY,
        "credential_configurations_supported": {
            "OpenBadgeCredential_ldp_vc": {
                "format": "ldp_vc",
                "credential_definition": {"@context": [VC_V2_CONTEXT, OB_CONTEXT],
                                          "type": CREDENTIAL_TYPES},
                # For ldp_vc the algorithm identifiers are Data Integrity suite names.
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                **binding,
            },
            "OpenBadgeCredential_jwt_vc_json": {
                "format": "jwt_vc_json",
                # jwt_vc_json is not processed as JSON-LD: no @context here (Appendix A.1.1).
                "credential_definition": {"type": CREDENTIAL_TYPES},
                "credential_signing_alg_values_supported": ["EdDSA"],
                **binding,
            },
        },
    }


def authorization_server_metadata(public_url: str) -> dict[str, Any]:
    """/.well-known/oauth-authorization-server: only the token endpoint of the pre-authorized
    code grant exists (no authorization endpoint, so no response types are offered)."""
    return {
        "issuer": public_url,
        "token_endpoint": f"{public_url}/oid4vci/token",
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "token_endpoint_auth_methods_supported": ["none"],
        "pre-authorized_grant_anonymous_access_supported": True,
    }

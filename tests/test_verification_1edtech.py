"""Agreement with the 1EdTech validator (issue 19): its legacy OB 3.0 draft context is
bundled, and an authentic credential that only deviates from the OB 3.0 JSON Schema is valid
with a "not fully OB 3.0 conformant" warning, while a broken proof stays fatal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.document_loader import DEFAULT_LOADER, bundled_context
from standards.jsonld import engine_for
from standards.keys import generate_key
from standards.verification import NOT_OB3_CONFORMANT, verify_credential
from tests.ob3_sample import realistic_ob3_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LEGACY_OB3 = "https://imsglobal.github.io/openbadges-specification/context.json"


def test_the_validators_legacy_ob3_draft_context_is_bundled() -> None:
    assert "OpenBadgeCredential" in bundled_context(LEGACY_OB3)["@context"]
    document = {"@context": ["https://www.w3.org/2018/credentials/v1", LEGACY_OB3],
                "type": ["VerifiableCredential", "OpenBadgeCredential"],
                "issuer": "https://school.example", "issuanceDate": "2022-01-01T00:00:00Z",
                "credentialSubject": {"id": "did:example:owner"}}
    expanded = engine_for(DEFAULT_LOADER).expand(document)
    assert "https://imsglobal.github.io/openbadges-specification/ob_v3p0.html" \
        "#OpenBadgeCredential" in expanded[0]["@type"]


def _signed_off_schema(change: Any) -> tuple[dict[str, Any], Any]:
    key = generate_key()
    did = did_key_from_key_pair(key)
    credential = realistic_ob3_credential("did:example:owner", 1, issuer_id=did)
    change(credential)
    return sign_document(credential, key,
                         verification_method=f"{did}#{did.removeprefix('did:key:')}"), key


def _set_identifier_object(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["identifier"] = {
        "type": "IdentityObject", "hashed": False, "identityHash": "owner@school.example",
        "identityType": "emailAddress"}


def test_an_identifier_object_instead_of_a_list_is_valid_with_a_warning() -> None:
    signed, _ = _signed_off_schema(_set_identifier_object)
    result = verify_credential(signed, now=NOW)
    assert result.verified, result.errors
    assert any(w.startswith(f"{NOT_OB3_CONFORMANT}: ") and "identifier" in w
               for w in result.warnings), result.warnings


def test_an_achievement_type_outside_the_list_is_valid_with_a_warning() -> None:
    def odd_type(credential: dict[str, Any]) -> None:
        credential["credentialSubject"]["achievement"]["achievementType"] = "Stagebewijs"

    signed, _ = _signed_off_schema(odd_type)
    result = verify_credential(signed, now=NOW)
    assert result.verified, result.errors
    assert any(w.startswith(f"{NOT_OB3_CONFORMANT}: ") for w in result.warnings)


def test_off_schema_and_tampered_stays_invalid() -> None:
    signed, _ = _signed_off_schema(_set_identifier_object)
    signed["credentialSubject"]["achievement"]["name"] = "changed after signing"
    result = verify_credential(signed, now=NOW)
    assert not result.verified
    assert any(c.check == "proof" and not c.ok for c in result.checks)

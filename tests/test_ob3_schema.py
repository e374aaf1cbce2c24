"""Validation against the bundled OB 3.0 JSON Schemas: published examples and vectors,
broken documents (errors name the JSON path), normalisation of received credentials, VCDM 1.1."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from standards.errors import SchemaValidationError
from standards.ob3 import (
    SchemaViolationError,
    ensure_valid_credential,
    normalise_received_credential,
    validate_achievement_credential,
    validate_clr_credential,
    validate_credential,
    validate_endorsement_credential,
    validate_profile,
)
from standards.ob3.schema import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    registry,
    schema_errors,
    validator_for,
)

BUNDLE = Path(__file__).resolve().parents[1] / "standards" / "schemas"

OB_SPEC_EXAMPLES = [
    "achievementAlignmentCase.json",
    "achievementAlignmentCe.json",
    "basicOpenBadgeCredential.json",
    "fullOpenBadge.json",
    "skillAssertionCase.json",
    "skillAssertionCtdl.json",
]
NL_EXAMPLES = [
    "minimal_valid_obv3.json",
    "theed_extracurricular_full_mbo.json",
    "theed_microcredential_full_ho.json",
    "theed_regular_minimal_ho.json",
    "uvh_at_microcredential_full_1.json",
]


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def basic(standards_dir: Path) -> dict:
    return load(standards_dir / "examples/ob3-spec/basicOpenBadgeCredential.json")


# --- The bundle ---------------------------------------------------------------------------


def test_bundled_ob_schemas_are_the_published_bytes(standards_dir: Path) -> None:
    shared = standards_dir / "schemas/ob_v3p0/jsonschema1-variant"
    names = sorted(p.name for p in shared.glob("*.json"))
    assert names == sorted(p.name for p in (BUNDLE / "ob_v3p0").glob("*.json"))
    for name in names:
        bundled = hashlib.sha256((BUNDLE / "ob_v3p0" / name).read_bytes()).hexdigest()
        assert bundled == hashlib.sha256((shared / name).read_bytes()).hexdigest(), name
        assert load(shared / name)["$schema"] == "https://json-schema.org/draft/2019-09/schema#"


def test_validators_are_compiled_once() -> None:
    assert validator_for(ACHIEVEMENT_CREDENTIAL_SCHEMA) is validator_for(
        ACHIEVEMENT_CREDENTIAL_SCHEMA
    )


def test_unbundled_schema_is_refused_not_fetched() -> None:
    with pytest.raises(SchemaValidationError, match=r"is not bundled.*never fetched"):
        validator_for("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/unknown.json")


def test_credential_schema_ids_used_by_the_examples_resolve_from_the_bundle(
    standards_dir: Path,
) -> None:
    ids = {
        entry["id"]
        for name in OB_SPEC_EXAMPLES
        for entry in load(standards_dir / "examples/ob3-spec" / name).get("credentialSchema", [])
    }
    assert ids, "the spec examples name their schema"
    for schema_id in ids:
        assert validator_for(schema_id) is not None
        assert registry().contents(schema_id)["$id"] == ACHIEVEMENT_CREDENTIAL_SCHEMA


# --- Published examples and vectors -------------------------------------------------------


@pytest.mark.parametrize("name", OB_SPEC_EXAMPLES)
def test_ob3_spec_examples_validate(standards_dir: Path, name: str) -> None:
    document = load(standards_dir / "examples/ob3-spec" / name)
    assert validate_achievement_credential(document) == []
    assert validate_credential(document) == []


@pytest.mark.parametrize("name", NL_EXAMPLES)
def test_nl_edubadges_examples_validate(standards_dir: Path, name: str) -> None:
    folder = standards_dir / "examples/nl-edubadges"
    document = load(folder / name)
    assert validate_achievement_credential(document) == []
    assert validate_profile(document["issuer"]) == []
    # Each also meets the edubadges profile schemas it names (microcredential.json, ...)
    # where they are published here; those schemas $ref nothing, so plain jsonschema will do.
    for entry in document.get("credentialSchema", []):
        profile_schema = folder / entry["id"].rsplit("/", 1)[-1]
        if profile_schema.name.startswith("ob_v3p0") or not profile_schema.exists():
            continue
        errors = list(Draft201909Validator(load(profile_schema)).iter_errors(document))
        assert errors == [], profile_schema.name


def test_ob_kat_unsigned_validates_and_signed_fails_only_on_single_proof(
    standards_dir: Path,
) -> None:
    kat = load(standards_dir / "vectors/ob3-kat/ob-eddsa-rdfc-2022-kat.json")
    assert validate_achievement_credential(kat["unsignedCredential"]) == []
    signed = kat["signedCredential"]
    errors = validate_achievement_credential(signed)
    # Known upstream issue openbadges-specification#473: the schema demands a proof array.
    assert errors == ["$.proof: {'type': 'DataIntegrityProof', …} is not of type 'array'"]
    assert validate_achievement_credential(signed, received=True) == []


def test_clr_kat_fails_strictly_only_on_compacted_types_and_passes_when_received(
    standards_dir: Path,
) -> None:
    kat = load(standards_dir / "vectors/ob3-kat/clr-eddsa-rdfc-2022-kat.json")
    signed = kat["signedCredential"]
    errors = validate_clr_credential(signed)
    # The implementation guide writes `"type": "Profile"` etc.; the OB schemas want arrays
    # (openbadges-specification#469-#471, JSON-LD array compaction accepted by the WG).
    vc = "$.credentialSubject.verifiableCredential[0]"
    assert errors == [
        "$.credentialSubject.achievement[0].creator.type: 'Profile' is not of type 'array'",
        "$.credentialSubject.achievement[0].type: 'Achievement' is not of type 'array'",
        "$.credentialSubject.achievement[1].creator.type: 'Profile' is not of type 'array'",
        "$.credentialSubject.achievement[1].type: 'Achievement' is not of type 'array'",
        "$.credentialSubject.type: 'ClrSubject' is not of type 'array'",
        f"{vc}.credentialSubject.achievement.creator.type: 'Profile' is not of type 'array'",
        f"{vc}.credentialSubject.achievement.type: 'Achievement' is not of type 'array'",
        f"{vc}.credentialSubject.type: 'AchievementSubject' is not of type 'array'",
        f"{vc}.issuer.type: 'Profile' is not of type 'array'",
        "$.issuer.type: 'Profile' is not of type 'array'",
    ]
    assert validate_clr_credential(signed, received=True) == []
    assert validate_credential(kat["unsignedCredential"], received=True) == []


# --- Broken documents: each error names its JSON path ------------------------------------


def test_missing_name_is_reported_at_its_path(basic: dict) -> None:
    broken = copy.deepcopy(basic)
    del broken["credentialSubject"]["achievement"]["name"]
    assert validate_credential(broken) == [
        "$.credentialSubject.achievement.name: required property is missing"
    ]


def test_several_missing_properties_are_each_reported_once(basic: dict) -> None:
    broken = {key: value for key, value in basic.items() if key not in ("id", "validFrom")}
    assert validate_achievement_credential(broken) == [
        "$.id: required property is missing",
        "$.validFrom: required property is missing",
    ]


def test_wrong_credential_type_is_reported(basic: dict) -> None:
    broken = {**basic, "type": ["VerifiableCredential", "SomethingElse"]}
    assert validate_achievement_credential(broken) == [
        "$.type: ['VerifiableCredential', 'SomethingElse'] does not contain items matching the "
        "given schema"
    ]
    assert validate_credential(broken) == [
        "$.type: ['VerifiableCredential', 'SomethingElse'] names no supported credential type "
        "(OpenBadgeCredential, AchievementCredential, EndorsementCredential, ClrCredential)"
    ]
    assert validate_credential([]) == ["$: expected a JSON object, got list"]


def test_wrong_value_type_inside_issuer_names_the_nested_path(basic: dict) -> None:
    broken = copy.deepcopy(basic)
    broken["issuer"]["type"] = "Issuer"
    broken["issuer"]["name"] = 42
    assert validate_credential(broken) == [
        "$.issuer.name: 42 is not of type 'string'",
        "$.issuer.type: 'Issuer' is not of type 'array'",
    ]


@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-09-01", "2024-09-01T12:00:00", "2024-02-30T00:00:00Z", "2024-09-01 12:00Z"],
)
def test_bad_dates_are_reported(basic: dict, value: str) -> None:
    assert validate_credential({**basic, "validFrom": value}) == [
        f"$.validFrom: {value!r} is not a 'date-time'"
    ]


def test_good_dates_with_offset_and_fraction_pass(basic: dict) -> None:
    assert validate_credential({**basic, "validFrom": "2024-09-01T12:00:00.123+02:00"}) == []


def test_endorsement_is_checked_against_its_own_schema(basic: dict) -> None:
    endorsement = {
        **basic,
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "credentialSubject": {"id": "urn:x", "type": ["EndorsementSubject"]},
    }
    assert validate_endorsement_credential(endorsement) == []
    del endorsement["name"]
    assert validate_credential(endorsement) == ["$.name: required property is missing"]


def test_ensure_valid_credential_raises_with_every_error(basic: dict) -> None:
    broken = copy.deepcopy(basic)
    del broken["credentialSubject"]["achievement"]["name"]
    broken["validFrom"] = "soon"
    with pytest.raises(SchemaViolationError) as caught:
        ensure_valid_credential(broken)
    assert isinstance(caught.value, SchemaValidationError)
    assert caught.value.errors == [
        "$.credentialSubject.achievement.name: required property is missing",
        "$.validFrom: 'soon' is not a 'date-time'",
    ]
    assert "'http://example.com/credentials/3527'" in str(caught.value)
    assert ensure_valid_credential(basic) == basic


# --- Normalisation of received credentials ------------------------------------------------


def test_single_proof_and_credential_schema_become_one_item_arrays(basic: dict) -> None:
    proof = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z1"}
    schema = {"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}
    received = {**basic, "proof": proof, "credentialSchema": schema}
    normalised = normalise_received_credential(received)
    assert normalised["proof"] == [proof]
    assert normalised["credentialSchema"] == [schema]
    assert received["proof"] is proof  # the original is left as it was signed
    assert validate_credential(received) == [  # long instances are abbreviated
        "$.credentialSchema: {'id': 'https://purl.imsglobal.org/spec/ob/v3p0/sc…, …} "
        "is not of type 'array'",
        "$.proof: {'type': 'DataIntegrityProof', …} is not of type 'array'",
    ]
    assert validate_credential(received, received=True) == []
    assert ensure_valid_credential(received, received=True)["proof"] == [proof]


def test_normalisation_reaches_embedded_endorsements_and_leaves_string_typed_classes(
    basic: dict,
) -> None:
    endorsement = {
        "@context": basic["@context"],
        "id": "urn:e",
        "type": ["VerifiableCredential", "EndorsementCredential"],
        "name": "E",
        "issuer": {"id": "did:web:e.example", "type": "Profile"},
        "validFrom": "2024-01-01T00:00:00Z",
        "credentialSubject": {"id": "urn:x", "type": "EndorsementSubject"},
        "proof": {"type": "DataIntegrityProof"},
    }
    received = copy.deepcopy(basic)
    received["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    received["credentialSubject"]["achievement"]["image"] = {"id": "urn:i", "type": "Image"}
    normalised = normalise_received_credential(received)
    embedded = normalised["credentialSubject"]["achievement"]["endorsement"][0]
    assert embedded["proof"] == [{"type": "DataIntegrityProof"}]
    assert embedded["issuer"]["type"] == ["Profile"]
    assert embedded["credentialSubject"]["type"] == ["EndorsementSubject"]
    assert normalised["credentialSubject"]["achievement"]["image"]["type"] == "Image"
    assert validate_credential(received, received=True) == []


# --- VCDM 1.1-era OB 3.0 credentials -----------------------------------------------------


@pytest.fixture
def vcdm11_credential() -> dict:
    """Shaped like OB 3.0.0 credentials issued in 2022-2023 (JFF plugfest era)."""
    return {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        ],
        "id": "urn:uuid:5f2ecb80-24d5-41b5-8739-538b8faa2f73",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {
            "type": "Profile",
            "id": "did:key:z6MktiSzqF9kqwdU8VkdBKx56EYzXfpgnNPUAGznpicNiWfn",
            "name": "Jobs for the Future (JFF)",
        },
        "issuanceDate": "2022-05-01T00:00:00Z",
        "expirationDate": "2032-05-01T00:00:00Z",
        "name": "JFF Plugfest #2 2022",
        "credentialSubject": {
            "type": "AchievementSubject",
            "id": "did:key:z6MkrHKzgsahxBLyNAbLQyB1pcWNYC9GmywiWPgkrvntAZcj",
            "achievement": {
                "id": "urn:uuid:dba75453-7a5a-4e3f-96f7-c5a38f64d26d",
                "type": "Achievement",
                "name": "JFF Plugfest #2 2022",
                "description": "Successfully completed requirements for Plugfest #2",
                "criteria": {"narrative": "Issue and display an OB 3.0 credential"},
            },
        },
        "proof": {
            "type": "Ed25519Signature2020",
            "created": "2022-05-01T00:00:00Z",
            "verificationMethod": "did:key:z6Mkti...#z6Mkti...",
            "proofPurpose": "assertionMethod",
            "proofValue": "z3MvGcVxzRzBtLmR5Ct",
        },
    }


def test_vcdm11_credential_fails_the_schema_as_written(vcdm11_credential: dict) -> None:
    errors = validate_credential(vcdm11_credential)
    assert "$.validFrom: required property is missing" in errors
    assert (
        "$.@context[0]: 'https://www.w3.org/2018/credentials/v1' is not one of "
        "['https://www.w3.org/ns/credentials/v2']"
    ) in errors


def test_vcdm11_credential_is_accepted_when_received(vcdm11_credential: dict) -> None:
    assert validate_credential(vcdm11_credential, received=True) == []
    # The caller gets the normalised document, still VCDM 1.1 (nothing is relabelled).
    normalised = ensure_valid_credential(vcdm11_credential, received=True)
    assert normalised["@context"][0] == "https://www.w3.org/2018/credentials/v1"
    assert normalised["issuanceDate"] == "2022-05-01T00:00:00Z"
    assert "validFrom" not in normalised


def test_vcdm11_errors_use_the_vcdm11_names(vcdm11_credential: dict) -> None:
    missing = {k: v for k, v in vcdm11_credential.items() if k != "issuanceDate"}
    assert validate_credential(missing, received=True) == [
        "$.issuanceDate (VCDM 1.1): required property is missing"
    ]
    bad = {**vcdm11_credential, "expirationDate": "never"}
    assert validate_credential(bad, received=True) == [
        "$.expirationDate (VCDM 1.1): 'never' is not a 'date-time'"
    ]


def test_schema_errors_on_a_definition() -> None:
    errors = schema_errors(
        {"type": "IdentityObject", "identityHash": "x", "hashed": "yes"},
        ACHIEVEMENT_CREDENTIAL_SCHEMA + "#/$defs/IdentityObject",
    )
    assert errors == [
        "$.hashed: 'yes' is not of type 'boolean'",
        "$.identityType: required property is missing",
    ]

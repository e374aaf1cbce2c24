"""Builders of OB 3.0 / CLR 2.0 credentials: their output passes the OB 3.0 schemas, and bad
input is refused with an error that names the problem."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from standards.errors import SchemaValidationError, StandardsError
from standards.ob3 import (
    CLR_CONTEXT,
    OB_CONTEXT,
    VC_V2_CONTEXT,
    Address,
    Alignment,
    Association,
    CredentialInputError,
    Criteria,
    Evidence,
    IdentifierEntry,
    Image,
    Result,
    ResultDescription,
    RubricCriterionLevel,
    SchemaViolationError,
    brin_identifier,
    build_achievement,
    build_achievement_credential,
    build_achievement_subject,
    build_clr_credential,
    build_endorsement_credential,
    build_profile,
    digest_sri,
    hashed_email_identity,
    identity_hash,
    identity_matches,
    kvk_identifier,
    matches_digest_sri,
    validate_achievement_credential,
    validate_clr_credential,
    validate_credential,
    validate_endorsement_credential,
    validate_profile,
)

HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
VALID_FROM = datetime(2024, 9, 1, 12, 0, tzinfo=UTC)


def issuer_profile(**overrides: object) -> dict:
    fields: dict = {
        "id": "did:web:badges.hu.example",
        "name": "Hogeschool Utrecht",
        "url": "https://www.hu.example",
        "email": "badges@hu.example",
        "image": Image("https://www.hu.example/logo.png", caption="HU logo"),
        "description": "University of applied sciences",
        "other_identifiers": [
            brin_identifier("25DW"),
            kvk_identifier("30275643"),
            IdentifierEntry("hu-utrecht", "sourcedId"),
        ],
        "phone": "+31 88 481 8283",
        "address": Address(
            street_address="Padualaan 99",
            postal_code="3584 CH",
            address_locality="Utrecht",
            address_country="Nederland",
            address_country_code="NL",
        ),
    }
    fields.update(overrides)
    return build_profile(**fields)


def teamwork_achievement(achievement_id: str = "https://badges.hu.example/a/teamwork") -> dict:
    return build_achievement(
        id=achievement_id,
        name="Samenwerken in een projectteam",
        description="Werkt doelgericht samen in een multidisciplinair team.",
        criteria=Criteria(
            narrative="Beoordeeld met de rubric *Samenwerken*.",
            id="https://badges.hu.example/a/teamwork/criteria",
        ),
        achievement_type="Competency",
        image=Image("https://badges.hu.example/a/teamwork.png", caption="Teamwork badge"),
        alignments=[
            Alignment(
                target_name="Collaborate in teams",
                target_url="https://case.example/uri/6b1b1f2c",
                target_code="ESCO-S1.8",
                target_framework="ESCO",
                target_type="CFItem",
            ),
            Alignment(
                target_name="EQF level 6",
                target_url="https://europa.eu/europass/en/eqf",
                target_type="ext:EQF",
            ),
        ],
        result_descriptions=[
            ResultDescription(
                id=f"{achievement_id}/rubric",
                name="Samenwerken",
                result_type="RubricCriterionLevel",
                rubric_criterion_levels=[
                    RubricCriterionLevel(f"{achievement_id}/rubric/1", "Beginner", "1", "Helpt"),
                    RubricCriterionLevel(f"{achievement_id}/rubric/2", "Expert", "2", "Leidt"),
                ],
            )
        ],
        creator=issuer_profile(),
        tags=["samenwerken", "teamwork"],
        in_language="nl",
    )


def endorsement(endorsed_id: str) -> dict:
    return build_endorsement_credential(
        id="urn:uuid:4f1c2a9e-5d35-4b7c-9d59-1f2b6f5a0c11",
        issuer=build_profile(id="did:web:surf.example", name="SURF"),
        endorsed_id=endorsed_id,
        endorsement_comment="Deze competentie sluit aan op het landelijk kader.",
        name="SURF endorsement of Samenwerken",
        valid_from=VALID_FROM,
    )


def teamwork_credential(
    credential_id: str = "urn:uuid:2f6f2d7e-8e7e-4c8e-9f59-5a1c7d8f0a01",
    achievement: dict | None = None,
) -> dict:
    achievement = achievement or teamwork_achievement()
    subject = build_achievement_subject(
        id=HOLDER,
        achievement=achievement,
        identifiers=[hashed_email_identity("student@hu.example", salt="s4lt")],
        results=[
            Result(
                result_description=f"{achievement['id']}/rubric",
                achieved_level=f"{achievement['id']}/rubric/2",
                status="Completed",
            )
        ],
    )
    return build_achievement_credential(
        id=credential_id,
        issuer=issuer_profile(),
        subject=subject,
        name="Samenwerken in een projectteam",
        valid_from=VALID_FROM,
        valid_until=VALID_FROM + timedelta(days=5 * 365),
        evidence=[
            Evidence.for_file(
                id="https://portfolio.hu.example/evidence/42/report.pdf",
                content=b"%PDF-1.7 project report",
                media_type="application/pdf",
                name="Projectverslag",
                narrative="Eindverslag van het groepsproject.",
                genre="Report",
                audience="Assessors",
            )
        ],
        credential_status={
            "id": "https://badges.hu.example/status/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://badges.hu.example/status/1",
        },
        endorsements=[endorsement(achievement["id"])],
        description="Toegekend na beoordeling van het groepsproject.",
        image=Image("https://badges.hu.example/a/teamwork.png"),
    )


# --- Profile ------------------------------------------------------------------------------


def test_profile_has_all_given_fields_and_passes_the_profile_schema() -> None:
    profile = issuer_profile()
    assert profile["type"] == ["Profile"]
    assert profile["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "25DW", "identifierType": "ext:BRIN"},
        {"type": "IdentifierEntry", "identifier": "30275643", "identifierType": "ext:KvK"},
        {"type": "IdentifierEntry", "identifier": "hu-utrecht", "identifierType": "sourcedId"},
    ]
    assert profile["address"]["type"] == ["Address"]
    assert profile["image"] == {
        "id": "https://www.hu.example/logo.png",
        "type": "Image",
        "caption": "HU logo",
    }
    assert validate_profile(profile) == []


def test_profile_leaves_out_optional_fields_not_given() -> None:
    assert build_profile(id="did:web:x.example", name="X") == {
        "id": "did:web:x.example",
        "type": ["Profile"],
        "name": "X",
    }


def test_identifier_type_outside_the_ob_enum_is_reported_by_the_schema() -> None:
    profile = issuer_profile(other_identifiers=[IdentifierEntry("25DW", "brin")])
    errors = validate_profile(profile)
    assert len(errors) == 1
    assert errors[0].startswith("$.otherIdentifier[0].identifierType: matches none of")


# --- Achievement --------------------------------------------------------------------------


def test_achievement_carries_criteria_image_alignment_rubric_and_passes_schema() -> None:
    achievement = teamwork_achievement()
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "Competency"
    assert achievement["criteria"] == {
        "id": "https://badges.hu.example/a/teamwork/criteria",
        "narrative": "Beoordeeld met de rubric *Samenwerken*.",
    }
    assert achievement["alignment"][0] == {
        "type": ["Alignment"],
        "targetName": "Collaborate in teams",
        "targetUrl": "https://case.example/uri/6b1b1f2c",
        "targetCode": "ESCO-S1.8",
        "targetFramework": "ESCO",
        "targetType": "CFItem",
    }
    rubric = achievement["resultDescription"][0]
    assert rubric["resultType"] == "RubricCriterionLevel"
    assert [level["level"] for level in rubric["rubricCriterionLevel"]] == ["1", "2"]
    assert achievement["creator"]["type"] == ["Profile"]
    assert achievement["inLanguage"] == "nl"


def test_achievement_type_outside_enum_is_refused_naming_the_path() -> None:
    with pytest.raises(SchemaViolationError) as caught:
        build_achievement(
            id="urn:x",
            name="X",
            description="X",
            criteria=Criteria(narrative="X"),
            achievement_type="Skill",
        )
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith("$.achievementType: matches none of")
    assert "'Skill' is not one of" in caught.value.errors[0]
    assert isinstance(caught.value, SchemaValidationError)


def test_achievement_extension_type_and_language_pattern() -> None:
    build_achievement(
        id="urn:x", name="X", description="X", criteria=Criteria(id="https://x.example/c"),
        achievement_type="ext:Microcredential", in_language="nl-NL",
    )  # fmt: skip
    with pytest.raises(SchemaViolationError, match=r"\$\.inLanguage: 'Dutch' does not match"):
        build_achievement(
            id="urn:x", name="X", description="X", criteria=Criteria(narrative="X"),
            in_language="Dutch",
        )  # fmt: skip


def test_criteria_needs_narrative_or_id() -> None:
    with pytest.raises(CredentialInputError, match="criteria needs a narrative, an id"):
        Criteria().to_json()


def test_image_with_extra_field_is_refused() -> None:
    with pytest.raises(SchemaViolationError, match=r"\$\.image: Additional properties"):
        build_achievement(
            id="urn:x", name="X", description="X", criteria=Criteria(narrative="X"),
            image={"id": "https://x.example/i.png", "type": "Image", "alt": "no such field"},
        )  # fmt: skip


# --- AchievementSubject and identity hashes ----------------------------------------------


def test_identity_hash_matches_the_spec_example() -> None:
    # OB 3.0 IdentityHash: "'sha256$b5809d8a...' represents the result of calculating a SHA-256
    # hash on the string 'a@example.comKosher'".
    assert identity_hash("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_hashed_email_identity_is_sha256_of_email_plus_salt_in_utf8() -> None:
    identity = hashed_email_identity("jüri@school.example", salt="zout")
    by_hand = hashlib.sha256("jüri@school.examplezout".encode()).hexdigest()
    assert identity == {
        "type": "IdentityObject",
        "identityHash": f"sha256${by_hand}",
        "identityType": "emailAddress",
        "hashed": True,
        "salt": "zout",
    }


def test_hashed_email_identity_chooses_a_fresh_salt_when_none_given() -> None:
    first = hashed_email_identity("a@example.com")
    second = hashed_email_identity("a@example.com")
    assert len(first["salt"]) == 32
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]
    assert identity_matches(first, "a@example.com")


def test_identity_matches_checks_hash_salt_and_algorithm() -> None:
    identity = hashed_email_identity("a@example.com", salt="Kosher")
    assert identity_matches(identity, "a@example.com")
    assert not identity_matches(identity, "b@example.com")
    assert not identity_matches({**identity, "salt": "other"}, "a@example.com")
    upper = {
        **identity,
        "identityHash": identity["identityHash"].upper().replace("SHA256", "sha256"),
    }
    assert identity_matches(upper, "a@example.com")  # the spec allows upper-case hex
    md5 = {**identity, "identityHash": "md5$" + hashlib.md5(b"a@example.comKosher").hexdigest()}
    assert identity_matches(md5, "a@example.com")
    assert not identity_matches({**identity, "identityHash": "sha1$00"}, "a@example.com")
    plain = {"type": "IdentityObject", "identityHash": "a@example.com", "hashed": False}
    assert identity_matches(plain, "a@example.com")


def test_identity_hash_refuses_unsupported_algorithm() -> None:
    with pytest.raises(CredentialInputError, match="'sha1' is not one of"):
        identity_hash("a@example.com", algorithm="sha1")


def test_subject_needs_id_or_identifier() -> None:
    with pytest.raises(CredentialInputError, match="needs an id or at least one identifier"):
        build_achievement_subject(achievement=teamwork_achievement())
    subject = build_achievement_subject(
        achievement=teamwork_achievement(), identifiers=[hashed_email_identity("a@example.com")]
    )
    assert "id" not in subject
    assert subject["type"] == ["AchievementSubject"]


def test_result_status_outside_enum_is_refused() -> None:
    with pytest.raises(SchemaViolationError, match=r"\$\.result\[0\]\.status: 'Passed' is not"):
        build_achievement_subject(
            id=HOLDER, achievement=teamwork_achievement(), results=[Result(status="Passed")]
        )


# --- Evidence ---------------------------------------------------------------------------


def test_digest_sri_is_base64_of_the_sha2_digest() -> None:
    content = b"%PDF-1.7 project report"
    assert digest_sri(content) == "sha384-" + base64.b64encode(
        hashlib.sha384(content).digest()
    ).decode("ascii")
    assert digest_sri(content, "sha256") == "sha256-" + base64.b64encode(
        hashlib.sha256(content).digest()
    ).decode("ascii")
    assert matches_digest_sri(content, digest_sri(content))
    assert not matches_digest_sri(content + b"!", digest_sri(content))
    # SRI: with several hashes only the strongest algorithm counts.
    mixed = f"{digest_sri(content, 'sha256')} {digest_sri(b'other', 'sha512')}"
    assert not matches_digest_sri(content, mixed)
    assert not matches_digest_sri(content, "md5-abc")
    with pytest.raises(CredentialInputError, match="'md5' is not one of"):
        digest_sri(content, "md5")


def test_evidence_digest_terms_are_defined_by_the_vc_v2_context() -> None:
    # OB 3.0 Evidence has no digest term; digestSRI and mediaType come from the VC 2.0
    # context (top-level, protected), so JSON-LD undefined-term checks accept them.
    context_file = Path(__file__).resolve().parents[1] / "contexts/w3c/credentials_v2.jsonld"
    context = json.loads(context_file.read_text())["@context"]
    assert context["digestSRI"]["@id"] == "https://www.w3.org/2018/credentials#digestSRI"
    assert context["mediaType"]["@id"] == "https://schema.org/encodingFormat"
    evidence = Evidence.for_file(
        id="https://x.example/e.pdf", content=b"e", media_type="application/pdf"
    ).to_json()
    assert set(evidence) == {"id", "type", "digestSRI", "mediaType"}
    assert evidence["type"] == ["Evidence"]


def test_evidence_needs_id_or_narrative() -> None:
    with pytest.raises(CredentialInputError, match="evidence needs an id"):
        Evidence(name="nothing").to_json()


# --- AchievementCredential --------------------------------------------------------------


def test_achievement_credential_has_vcdm2_shape_and_passes_schema() -> None:
    credential = teamwork_credential()
    assert credential["@context"] == [VC_V2_CONTEXT, OB_CONTEXT]
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["validFrom"] == "2024-09-01T12:00:00Z"
    assert credential["validUntil"] == "2029-08-31T12:00:00Z"
    assert "proof" not in credential
    assert credential["evidence"][0]["digestSRI"].startswith("sha384-")
    assert credential["endorsement"][0]["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert validate_achievement_credential(credential) == []
    assert validate_credential(credential) == []


def test_credential_dates_are_normalised_to_utc() -> None:
    cest = timezone(timedelta(hours=2))
    credential = build_achievement_credential(
        id="urn:x",
        issuer="did:web:x.example",
        subject=build_achievement_subject(id=HOLDER, achievement=teamwork_achievement()),
        name="X",
        valid_from=datetime(2024, 6, 1, 9, 30, 15, 250000, tzinfo=cest),
    )
    assert credential["validFrom"] == "2024-06-01T07:30:15.250Z"
    assert credential["issuer"] == "did:web:x.example"


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(CredentialInputError, match="valid_from must be a timezone-aware"):
        build_achievement_credential(
            id="urn:x",
            issuer=issuer_profile(),
            subject=build_achievement_subject(id=HOLDER, achievement=teamwork_achievement()),
            name="X",
            valid_from=datetime(2024, 6, 1),
        )


def test_bad_date_string_is_refused_naming_the_path() -> None:
    with pytest.raises(SchemaViolationError) as caught:
        build_achievement_credential(
            id="urn:x",
            issuer=issuer_profile(),
            subject=build_achievement_subject(id=HOLDER, achievement=teamwork_achievement()),
            name="X",
            valid_from="1 September 2024",
        )
    assert caught.value.errors == ["$.validFrom: '1 September 2024' is not a 'date-time'"]
    assert isinstance(caught.value, StandardsError)


# --- EndorsementCredential --------------------------------------------------------------


def test_endorsement_credential_shape_and_schema() -> None:
    credential = endorsement("https://badges.hu.example/a/teamwork")
    assert credential["@context"] == [VC_V2_CONTEXT, OB_CONTEXT]
    assert credential["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert credential["credentialSubject"] == {
        "id": "https://badges.hu.example/a/teamwork",
        "type": ["EndorsementSubject"],
        "endorsementComment": "Deze competentie sluit aan op het landelijk kader.",
    }
    assert validate_endorsement_credential(credential) == []
    assert validate_credential(credential) == []


def test_endorsement_embedded_in_achievement_is_validated() -> None:
    broken = endorsement("urn:x")
    del broken["name"]
    with pytest.raises(SchemaViolationError) as caught:
        build_achievement(
            id="urn:x", name="X", description="X", criteria=Criteria(narrative="X"),
            endorsements=[broken],
        )  # fmt: skip
    assert caught.value.errors == ["$.endorsement[0].name: required property is missing"]


# --- ClrCredential ----------------------------------------------------------------------


def test_clr_with_several_achievements_validates() -> None:
    teamwork = teamwork_credential()
    research_achievement = teamwork_achievement("https://badges.hu.example/a/research")
    research = teamwork_credential(
        "urn:uuid:7d3f0c58-0b8e-4f4e-8d55-2c1f9e6b4a02", research_achievement
    )
    programme = build_achievement(
        id="https://badges.hu.example/a/bachelor-ict",
        name="Bachelor ICT",
        description="Bachelor programme ICT",
        criteria=Criteria(narrative="All courses passed"),
        achievement_type="BachelorDegree",
    )
    clr = build_clr_credential(
        id="urn:uuid:0c8b3c1e-2f8a-4d7e-a0a4-6f0f6e7b9d03",
        issuer=issuer_profile(),
        subject_id=HOLDER,
        name="Transcript Bachelor ICT (partial)",
        credentials=[teamwork, research],
        achievements=[
            teamwork["credentialSubject"]["achievement"],
            research_achievement,
            programme,
        ],
        associations=[
            Association(
                "isChildOf", teamwork["credentialSubject"]["achievement"]["id"], programme["id"]
            ),
            Association("isChildOf", research_achievement["id"], programme["id"]),
        ],
        valid_from=VALID_FROM,
        partial=True,
    )
    assert clr["@context"] == [VC_V2_CONTEXT, CLR_CONTEXT, OB_CONTEXT]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["partial"] is True
    subject = clr["credentialSubject"]
    assert subject["id"] == HOLDER
    assert subject["type"] == ["ClrSubject"]
    assert subject["verifiableCredential"] == [teamwork, research]
    assert len(subject["achievement"]) == 3
    assert subject["association"][0] == {
        "type": "Association",
        "associationType": "isChildOf",
        "sourceId": "https://badges.hu.example/a/teamwork",
        "targetId": "https://badges.hu.example/a/bachelor-ict",
    }
    assert validate_clr_credential(clr) == []
    assert validate_credential(clr) == []


def test_clr_achievements_default_to_the_distinct_embedded_ones() -> None:
    first = teamwork_credential("urn:uuid:1")
    again = teamwork_credential("urn:uuid:2")  # same achievement, awarded twice
    clr = build_clr_credential(
        id="urn:uuid:clr", issuer="did:web:x.example", subject_id=HOLDER, name="T",
        credentials=[first, again], valid_from="2024-09-01T00:00:00Z",
    )  # fmt: skip
    assert [a["id"] for a in clr["credentialSubject"]["achievement"]] == [
        "https://badges.hu.example/a/teamwork"
    ]
    assert clr["partial"] is False


def test_clr_refuses_no_credentials_and_bad_embedded_credential() -> None:
    with pytest.raises(CredentialInputError, match="at least one AchievementCredential"):
        build_clr_credential(
            id="urn:c", issuer="did:web:x.example", subject_id=HOLDER, name="T",
            credentials=[], valid_from=VALID_FROM,
        )  # fmt: skip
    broken = teamwork_credential()
    del broken["credentialSubject"]["achievement"]["criteria"]
    with pytest.raises(SchemaViolationError) as caught:
        build_clr_credential(
            id="urn:c", issuer="did:web:x.example", subject_id=HOLDER, name="T",
            credentials=[broken], achievements=[], valid_from=VALID_FROM,
        )  # fmt: skip
    assert caught.value.errors == [
        "$.credentialSubject.verifiableCredential[0].credentialSubject.achievement.criteria: "
        "required property is missing"
    ]


def test_clr_refuses_unknown_association_type() -> None:
    credential = teamwork_credential()
    with pytest.raises(SchemaViolationError, match=r"association\[0\]\.associationType"):
        build_clr_credential(
            id="urn:c", issuer="did:web:x.example", subject_id=HOLDER, name="T",
            credentials=[credential], valid_from=VALID_FROM,
            associations=[Association("isCousinOf", "urn:a", "urn:b")],
        )  # fmt: skip


def test_clr_embeds_a_received_credential_with_a_single_proof_unchanged(
    standards_dir: Path,
) -> None:
    kat = json.loads((standards_dir / "vectors/ob3-kat/ob-eddsa-rdfc-2022-kat.json").read_text())
    signed = kat["signedCredential"]
    assert isinstance(signed["proof"], dict)
    clr = build_clr_credential(
        id="urn:c", issuer="did:web:x.example", subject_id=signed["credentialSubject"]["id"],
        name="T", credentials=[signed], valid_from=VALID_FROM,
    )  # fmt: skip
    assert clr["credentialSubject"]["verifiableCredential"] == [
        signed
    ]  # byte-for-byte, proof intact


# --- JSON-LD: every property the builders write is defined by the contexts ----------------


def test_builder_outputs_expand_with_no_undefined_terms() -> None:
    from standards.errors import UnsafeDocumentError
    from standards.jsonld import engine_for

    engine = engine_for()
    credential = teamwork_credential()
    clr = build_clr_credential(
        id="urn:uuid:c", issuer=issuer_profile(), subject_id=HOLDER, name="T",
        credentials=[credential], valid_from=VALID_FROM,
        associations=[Association("isChildOf", "urn:a", "urn:b")], partial=True,
    )  # fmt: skip
    for document in (credential, endorsement("urn:x"), clr):
        assert engine.expand(document)  # raises UnsafeDocumentError on an undefined term
    # The check has teeth: a digest under a name no context defines is refused.
    undefined = copy.deepcopy(credential)
    undefined["evidence"][0]["digest"] = undefined["evidence"][0].pop("digestSRI")
    with pytest.raises(UnsafeDocumentError, match="digest"):
        engine.expand(undefined)

"""standards.vcdm_structure: the VCDM 2.0 / 1.1 shape of a credential, every problem listed."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from standards.dates import parse_datetime
from standards.vcdm_structure import (
    credential_structure_problems,
    presentation_structure_problems,
    vcdm_version,
)

V2 = "https://www.w3.org/ns/credentials/v2"
V1 = "https://www.w3.org/2018/credentials/v1"
ISSUER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


def credential(**members: Any) -> dict[str, Any]:
    document: dict[str, Any] = {"@context": [V2], "type": ["VerifiableCredential"],
                                "issuer": ISSUER,
                                "credentialSubject": {"id": "did:example:subject"}}
    document.update(members)
    return {name: value for name, value in document.items() if value is not None}


def test_a_minimal_credential_and_the_optional_members_done_right_are_sound() -> None:
    assert credential_structure_problems(credential()) == []
    assert credential_structure_problems(credential(
        **{"@context": [V2, {"Example": "https://example.org/#Example"},
                        "https://example.org/context/v1"]},
        id="https://example.org/credentials/1",
        issuer={"id": ISSUER, "name": {"@value": "School", "@language": "nl"},
                "description": [{"@value": "A school", "@language": "en",
                                 "@direction": "ltr"}, "Een school"]},
        name="Diploma", validFrom="2025-01-01T00:00:00Z",
        validUntil="2026-01-01T00:00:00.5+01:00",
        credentialStatus={"id": "https://example.org/status/1#3", "type": "SomeStatus"},
        termsOfUse=[{"type": "TermsOfUse"}], evidence={"type": ["Evidence"]},
        refreshService={"type": "Refresh", "id": "https://example.org/refresh"},
        credentialSchema=[{"id": "https://example.org/schema.json",
                           "type": "JsonSchema"}],
        relatedResource=[{"id": "https://example.org/a.png", "digestSRI": "sha384-x"},
                         {"id": "https://example.org/b.png", "digestMultibase": "uEi"}],
        credentialSubject=[{"id": "did:example:one"}, {"name": "Two"}],
    )) == []


@pytest.mark.parametrize(("members", "problem"), [
    ({"@context": None}, "@context: required"),
    ({"@context": ["https://www.w3.org/ns/credentials/examples/v2"]}, "first item"),
    ({"@context": ["https://example.org/ctx", V2]}, "first item"),
    ({"@context": [V2, "https ://not-a-url/ctx"]}, "@context[1]: must be a URL"),
    ({"@context": [V2, 123192875]}, "@context[1]: must be a URL"),
    ({"@context": [{"foo": True}]}, "first item"),
    ({"@context": {"foo": True}}, "first item"),
    ({"@context": [V2, V2]}, "@context[1]: the base context"),
    ({"id": ["https://a.example/1", "https://b.example/1"]}, "credential.id: must be a "
                                                             "single URL"),
    ({"id": "https ://not-a-url/vc/1"}, "credential.id"),
    ({"type": ["ExampleCredential"]}, "type: must include VerifiableCredential"),
    ({"type": None}, "type: required"),
    ({"name": {"@value": "x", "@language": "en", "extra": "y"}}, "name: must be a string"),
    ({"description": 42}, "description: must be a string"),
    ({"issuer": None}, "issuer: required"),
    ({"issuer": "fake-issuer"}, "issuer: must be a URL"),
    ({"issuer": {"name": "No id"}}, "issuer.id: must be a URL"),
    ({"issuer": {"id": ISSUER, "name": {"@value": "x", "@foo": "y"}}}, "issuer.name"),
    ({"credentialSubject": None}, "credentialSubject: required"),
    ({"credentialSubject": {}}, "credentialSubject: must be an object with at least one"),
    ({"credentialSubject": [{"id": "did:example:1"}, {}]}, "credentialSubject[1]"),
    ({"credentialSubject": {"id": ["did:example:1", "did:example:2"]}},
     "credentialSubject.id: must be a single URL"),
    ({"validFrom": "Sat 25 Feb 2023 07:16:31 PM CST"}, "validFrom: must be a dateTimeStamp"),
    ({"validUntil": "2025-01-01T00:00:00"}, "validUntil: must be a dateTimeStamp"),
    ({"validFrom": "2026-01-01T00:00:00Z", "validUntil": "2025-01-01T00:00:00Z"},
     "validUntil: must not be before validFrom"),
    ({"credentialStatus": {"id": "did:example:status"}}, "credentialStatus.type: required"),
    ({"credentialStatus": {"type": 2}}, "credentialStatus.type: required"),
    ({"credentialStatus": {"type": "S", "id": ["did:example:1", "did:example:2"]}},
     "credentialStatus.id: must be a single URL"),
    ({"termsOfUse": {}}, "termsOfUse.type: required"),
    ({"renderMethod": {"id": "https://example.org/render"}}, "renderMethod.type: required"),
    ({"confidenceMethod": [{"type": "Cm"}, "x"]}, "confidenceMethod[1]: must be an object"),
    ({"evidence": [{"type": "Evidence"}, {"id": "https://example.org/e"}]},
     "evidence[1].type: required"),
    ({"refreshService": {"id": "https://example.org/refresh"}}, "refreshService.type"),
    ({"credentialSchema": {"id": "https://example.org/schema.json"}},
     "credentialSchema.type: required"),
    ({"credentialSchema": {"type": "JsonSchema"}}, "credentialSchema.id: required"),
    ({"credentialSchema": {"type": "JsonSchema", "id": "https ://x.org/s"}},
     "credentialSchema.id: must be a single URL"),
    ({"relatedResource": ["https://example.org/a.png"]}, "relatedResource[0]: must be an "
                                                         "object"),
    ({"relatedResource": [{"digestSRI": "sha384-x"}]}, "relatedResource[0].id: required"),
    ({"relatedResource": [{"id": "https://example.org/a"}]}, "needs digestSRI or "
                                                            "digestMultibase"),
    ({"relatedResource": [{"id": "https://example.org/a", "digestSRI": "sha384-x"},
                          {"id": "https://example.org/a", "digestMultibase": "uEi"}]},
     "relatedResource[1].id: 'https://example.org/a' is listed twice"),
])
def test_each_structural_rule_names_its_place(members: dict[str, Any], problem: str) -> None:
    problems = credential_structure_problems(credential(**members))
    assert any(problem in found for found in problems), problems


def test_every_problem_is_listed_at_once() -> None:
    problems = credential_structure_problems({
        "@context": [V2], "type": ["VerifiableCredential"], "issuer": "fake-issuer",
        "credentialSubject": {}, "validFrom": "yesterday", "termsOfUse": {}})
    assert len(problems) == 4, problems


def test_vcdm_11_dates_and_version() -> None:
    v11 = credential(**{"@context": [V1], "issuanceDate": "2025-01-01T00:00:00Z",
                        "expirationDate": "2026-01-01T00:00:00"})
    assert vcdm_version(v11) == "1.1" and vcdm_version(credential()) == "2.0"
    assert vcdm_version({"@context": ["https://example.org/ctx"]}) is None
    assert credential_structure_problems(v11) == []
    late = dict(v11, issuanceDate="2027-01-01T00:00:00Z")
    assert credential_structure_problems(late) == [
        "expirationDate: must not be before issuanceDate"]
    assert credential_structure_problems(dict(v11, issuanceDate="1 Jan 2025")) == [
        "issuanceDate: must be an XML Schema dateTime, not '1 Jan 2025'"]
    assert credential_structure_problems("not a credential") == [
        "the credential must be a JSON object"]


def test_a_presentation_conforms_or_says_where_not() -> None:
    """VCDM 2.0 §4.13: a presentation's @context and id as a credential's; its credentials
    objects (a credential or an EnvelopedVerifiableCredential), never a bare string or
    number. VCDM 1.1 presentations may carry compact JWTs as strings."""
    enveloped = {"@context": V2, "type": "EnvelopedVerifiableCredential",
                 "id": "data:application/vc+jwt,eyJ..."}
    sound = {"@context": [V2], "type": ["VerifiablePresentation"], "id": "urn:uuid:1",
             "verifiableCredential": [credential(), enveloped]}
    assert presentation_structure_problems(sound) == []
    assert presentation_structure_problems({**sound, "id": "not a url"}) == [
        "presentation.id: must be a single URL, not 'not a url'"]
    assert presentation_structure_problems({**sound, "@context": ["https://example.org/c"]})
    assert presentation_structure_problems({**sound, "@context": [
        "https://example.org/c", V2]}) == [
        "@context: the first item must be https://www.w3.org/ns/credentials/v2 (or "
        "https://www.w3.org/2018/credentials/v1)",
        "@context[1]: the base context https://www.w3.org/ns/credentials/v2 must come first, "
        "once"]
    without = {k: v for k, v in sound.items() if k != "@context"}
    assert presentation_structure_problems(without) == [
        "@context: required; its first item must be https://www.w3.org/ns/credentials/v2"]
    bare = {**sound, "verifiableCredential": [credential(), "eyJ.a.b", 42]}
    assert presentation_structure_problems(bare) == [
        "verifiableCredential[1]: must be a credential object or an "
        "EnvelopedVerifiableCredential, not a bare value",
        "verifiableCredential[2]: must be a credential object or an "
        "EnvelopedVerifiableCredential, not a bare value"]
    assert presentation_structure_problems({**bare, "@context": [V1]}) == []


def test_a_date_time_without_offset_is_read_as_utc() -> None:
    """VCDM 2.0 §5.8: a time value without a time zone offset is read as UTC (VCDM 1.1
    credentials carry such values; 2.0 ones must not)."""
    assert parse_datetime("2026-03-01T12:00:00") == datetime(2026, 3, 1, 12, tzinfo=UTC)
    assert parse_datetime("2026-03-01T12:00:00+01:00") == datetime(2026, 3, 1, 11, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a valid date-time"):
        parse_datetime("1 maart 2026")

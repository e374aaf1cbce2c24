"""The JSON-LD safety check of documents no RDF-canonicalising proof processed (eddsa-jcs-2022
credentials here): answered by a shape template once the shape is known, with the verdict
and the messages pyld gives (an undefined term, a relative IRI where a template slot is)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from standards import shape_templates
from standards.jsonld import drop_engines, engine_for
from standards.verification import JSONLD_OK, verify_credential
from tests.ob3_sample import realistic_ob3_credential
from tests.verifier.signing import LocalSigner, new_signer


@pytest.fixture(autouse=True)
def compile_on_the_second_miss(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests count documents: a template compiled on a skeleton's second miss (the
    fewest documents that exercise one) instead of the default MISSES_BEFORE_COMPILE."""
    monkeypatch.setattr(shape_templates, "MISSES_BEFORE_COMPILE", 2)


NOW = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture
def fresh_engines() -> Iterator[None]:
    drop_engines()
    yield
    drop_engines()


def jcs_credentials(signer: LocalSigner, count: int) -> list[dict[str, Any]]:
    return [signer.sign(realistic_ob3_credential(f"did:example:learner-{i}", i,
                                                 issuer_id=signer.did), suite="eddsa-jcs-2022")
            for i in range(count)]


def jsonld_check(document: dict[str, Any]) -> tuple[bool, str]:
    result = verify_credential(document, now=NOW, check_status=False)
    [check] = [c for c in result.checks if c.check == "json-ld"]
    return check.ok, check.message


@pytest.mark.usefixtures("fresh_engines")
def test_jcs_credentials_of_a_known_shape_are_checked_by_its_template() -> None:
    credentials = jcs_credentials(new_signer(), 5)
    for credential in credentials:
        result = verify_credential(credential, now=NOW, check_status=False)
        assert result.verified, result.errors
        assert jsonld_check(credential) == (True, JSONLD_OK)
    templates = engine_for().shape_templates
    assert templates is not None and templates.stats["template hit"] >= 3


@pytest.mark.usefixtures("fresh_engines")
def test_what_pyld_refuses_is_refused_with_its_message_once_the_shape_is_known() -> None:
    signer = new_signer()
    credentials = jcs_credentials(signer, 4)
    for credential in credentials:
        assert jsonld_check(credential)[0]
    relative = copy.deepcopy(credentials[0])  # a slot's IRI value, now relative
    relative["evidence"][0]["id"] = "evidence/1"
    undefined = copy.deepcopy(credentials[1])  # another shape: pyld answers
    undefined["credentialSubject"]["nickname"] = "Sam"
    expected = {}
    for name, document in (("relative", relative), ("undefined", undefined)):
        drop_engines()  # the reference verdict: a fresh engine, no template
        expected[name] = jsonld_check(document)
    drop_engines()
    for credential in credentials:
        jsonld_check(credential)
    templates = engine_for().shape_templates
    assert templates is not None and templates.stats["template hit"] >= 2
    assert jsonld_check(relative) == expected["relative"]
    assert templates.stats["fallback: an IRI that might not expand to itself"] == 1
    assert jsonld_check(undefined) == expected["undefined"]
    assert not expected["relative"][0] and "relative IRI 'evidence/1'" in expected["relative"][1]
    assert not expected["undefined"][0] and "nickname" in expected["undefined"][1]

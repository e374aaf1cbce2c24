"""The compiled JSON Schema fast path (standards.ob3.compiled_schema) against the reference,
Python jsonschema: whatever the compiled validator accepts, the reference must find valid.
Checked on every bundled example and vector, and on generated documents: perturbed OB 3.0
credentials (tests.fuzz.documents) and strings changed where the two regex engines or the
format checkers could disagree (a final newline, Unicode digits, near-enum values, dates)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from standards.dids import did_key_from_key_pair
from standards.keys import generate_key
from standards.ob3 import normalise_received_credential, validate_credential
from standards.ob3.schema import (
    ACHIEVEMENT_CREDENTIAL_SCHEMA,
    CLR_CREDENTIAL_SCHEMA,
    ENDORSEMENT_CREDENTIAL_SCHEMA,
    compiled_schemas,
    definition_uri,
    schema_errors,
    validator_for,
)
from tests.fuzz.documents import paths, perturbed
from tests.ob3_sample import realistic_ob3_credential

EXAMPLES = 300
ROOT = Path(__file__).resolve().parents[1]


def reference_valid(document: Any, uri: str) -> bool:
    return not any(True for _ in validator_for(uri).iter_errors(document))


def schema_for(document: Any) -> str:
    types = document.get("type") if isinstance(document, dict) else None
    types = types if isinstance(types, list) else [types]
    if "ClrCredential" in types:
        return CLR_CREDENTIAL_SCHEMA
    if "EndorsementCredential" in types:
        return ENDORSEMENT_CREDENTIAL_SCHEMA
    return ACHIEVEMENT_CREDENTIAL_SCHEMA


def corpus(standards_dir: Path) -> list[tuple[str, Any]]:
    """Every JSON credential among the shared examples and vectors and tests/vectors."""
    folders = [standards_dir / "examples", standards_dir / "vectors" / "ob3-kat",
               ROOT / "tests" / "vectors"]
    found = []
    for folder in folders:
        for file in sorted(folder.rglob("*.json")):
            try:
                document = json.loads(file.read_text(encoding="utf-8"))
            except (UnicodeDecodeError, ValueError):
                continue
            if isinstance(document, dict) and "type" in document:
                found.append((str(file.relative_to(folder.parent)), document))
    return found


def test_examples_and_vectors_get_the_reference_verdict(standards_dir: Path) -> None:
    documents = corpus(standards_dir)
    assert len(documents) > 40
    accepted = 0
    for name, document in documents:
        for view in (document, normalise_received_credential(document)):
            uri = schema_for(view)
            fast, reference = compiled_schemas().accepts(view, uri), reference_valid(view, uri)
            # Never more lenient; and on these real documents never stricter either, so the
            # fast path is taken for every valid one.
            assert fast == reference, (name, fast, reference)
            accepted += fast
    assert accepted > 20


def sample() -> dict[str, Any]:
    did = did_key_from_key_pair(generate_key("ed25519"))
    return normalise_received_credential(
        realistic_ob3_credential("did:example:learner", 7, issuer_id=did))


# Strings where `re` and the compiled regex, or two format checkers, could part ways.
def _tweaked(value: str) -> st.SearchStrategy[str]:
    digits = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    return st.sampled_from([
        value + "\n", value + "\r\n", "\n" + value, value.translate(digits), value.upper(),
        value.lower(), value + " ", value[:-1], value + "x", f"ext:{value}", f"ext:{value}\n",
        "ext:", "ext:a|b", "ext:é", "en-Latn-NL", "en-NL\n", "nld", "e", "2024-06-14",
        "2024-06-14T09:30:00", "2024-06-14T09:30:00z", "2024-06-14t09:30:00Z",
        "2024-02-30T09:30:00Z", "2024-06-14T24:00:00Z", "2024-06-14T09:30:60Z",
        "2024-06-14T09:30:00+0100", "２０２４-06-14T09:30:00Z",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json\n",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.٠.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "a.b.c", "a.b.c\n", "a..c", "Competency", "LetterGrade", "CTDL"])


@st.composite
def string_tweaked(draw: st.DrawFn, base: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(base)
    strings = [path for path in paths(document) if isinstance(_at(document, path), str)]
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        path = draw(st.sampled_from(strings))
        _parent(document, path)[path[-1]] = draw(_tweaked(_at(document, path)))
    return document


def _parent(document: Any, path: tuple[str | int, ...]) -> Any:
    for step in path[:-1]:
        document = document[step]
    return document


def _at(document: Any, path: tuple[str | int, ...]) -> Any:
    return _parent(document, path)[path[-1]]


BASE = sample()


def parts(document: dict[str, Any]) -> list[tuple[Any, str]]:
    """The credential and two of its parts, each with the schema it must meet."""
    subject = document.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    return [(document, ACHIEVEMENT_CREDENTIAL_SCHEMA), (document, ENDORSEMENT_CREDENTIAL_SCHEMA),
            (achievement, definition_uri("Achievement")),
            (document.get("issuer"), definition_uri("ProfileRef"))]


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck), phases=[Phase.generate])
@given(st.one_of(string_tweaked(BASE), perturbed(BASE)))
def test_what_the_compiled_validator_accepts_the_reference_accepts(
        document: dict[str, Any]) -> None:
    # schema_errors answers [] when the compiled validator accepts, else the reference's
    # errors: so it equals the reference exactly when this implication holds.
    for part, uri in parts(document):
        if compiled_schemas().accepts(part, uri):
            assert reference_valid(part, uri), (uri, part)


@pytest.mark.parametrize("value", ["\ud800", {1: "x"}, (1, 2), float("nan"), 10 ** 40])
def test_what_the_compiled_validator_cannot_read_goes_to_the_reference(value: Any) -> None:
    document = {**BASE, "validFrom": value}
    assert not compiled_schemas().accepts(document, ACHIEVEMENT_CREDENTIAL_SCHEMA)
    if value == "\ud800":
        return  # the content cache's key cannot encode it (UnicodeEncodeError, as before)
    errors = validate_credential(document)
    assert errors == schema_errors(document, ACHIEVEMENT_CREDENTIAL_SCHEMA)
    assert errors and all(error.startswith("$.validFrom: ") for error in errors), errors


def test_a_valid_credential_takes_the_fast_path_and_conforms() -> None:
    assert compiled_schemas().accepts(BASE, ACHIEVEMENT_CREDENTIAL_SCHEMA)
    assert reference_valid(BASE, ACHIEVEMENT_CREDENTIAL_SCHEMA)
    assert validate_credential(BASE, received=True) == []

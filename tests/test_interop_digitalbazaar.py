"""Interop with an independent implementation: Digital Bazaar's JavaScript VC stack.

OpenDossier-signed credentials must verify with @digitalbazaar/vc + eddsa-rdfc-2022, theirs
must verify with ours, and a change to any signed value must make both refuse. The node
scripts in interop/js/ load only our bundled contexts and resolve did:key locally (no network).

Skipped only when node or interop/js/node_modules is missing on a developer's machine; under CI
(env CI set) a missing harness is a failure, so a skip can never hide one.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.keys import KeyPair, generate_key
from standards.verification import verify_credential
from tests.js_harness import require_harness, run_node
from tests.ob3_sample import realistic_ob3_credential

pytestmark = pytest.mark.interop

# Validity is checked at a fixed time on both sides, so the tests do not age.
NOW = datetime(2026, 1, 1, tzinfo=UTC)
NOW_ISO = "2026-01-01T00:00:00Z"
CREATED = "2024-06-14T09:30:00Z"


@pytest.fixture(scope="module", autouse=True)
def js_harness() -> None:
    require_harness()


def js_sign(credential: dict[str, Any], key: KeyPair, created: str = CREATED) -> dict[str, Any]:
    return run_node("sign.mjs", {
        "credential": credential,
        "keyPair": {"publicKeyMultibase": key.public_key_multibase(),
                    "secretKeyMultibase": key.secret_key_multibase()},
        "created": created,
    })


def js_verify(credential: dict[str, Any]) -> dict[str, Any]:
    return run_node("verify.mjs", {"credential": credential, "now": NOW_ISO})


def py_sign(credential: dict[str, Any], key: KeyPair) -> dict[str, Any]:
    did = did_key_from_key_pair(key)
    return sign_document(credential, key, suite="eddsa-rdfc-2022",
                         verification_method=f"{did}#{key.public_key_multibase()}",
                         created=CREATED)


@pytest.fixture(scope="module")
def issuer_key() -> KeyPair:
    return generate_key("ed25519")


@pytest.fixture(scope="module")
def unsigned_credential(issuer_key: KeyPair) -> dict[str, Any]:
    subject = did_key_from_key_pair(generate_key("ed25519"))
    return realistic_ob3_credential(subject, 1, issuer_id=did_key_from_key_pair(issuer_key))


@pytest.fixture(scope="module")
def signed_by(unsigned_credential: dict[str, Any], issuer_key: KeyPair) -> dict[str, dict]:
    """The same credential signed once by each implementation, same key, same `created`."""
    return {
        "opendossier": py_sign(unsigned_credential, issuer_key),
        "digitalbazaar": js_sign(unsigned_credential, issuer_key),
    }


def test_js_signer_reproduces_the_w3c_vector(standards_dir: Path) -> None:
    # Proves the harness itself (loader, key import, suite) before it judges OpenDossier.
    vectors = standards_dir / "vectors" / "eddsa"
    signed = json.loads((vectors / "eddsa-rdfc-2022" / "signedDataInt.json").read_text())
    key = json.loads((vectors / "keyPair.json").read_text())
    proof = signed.pop("proof")
    resigned = run_node("sign.mjs", {
        "credential": signed,
        "keyPair": {"publicKeyMultibase": key["publicKeyMultibase"],
                    "secretKeyMultibase": key["privateKeyMultibase"]},
        "created": proof["created"],
    })
    assert resigned["proof"] == proof


def test_sample_credential_is_a_realistic_size(unsigned_credential: dict[str, Any]) -> None:
    assert 2500 <= len(json.dumps(unsigned_credential)) <= 5000


def test_opendossier_signed_verifies_with_digitalbazaar(signed_by: dict[str, dict]) -> None:
    result = js_verify(signed_by["opendossier"])
    assert result == {"verified": True}, result


def test_digitalbazaar_signed_verifies_with_opendossier(
    signed_by: dict[str, dict], issuer_key: KeyPair
) -> None:
    signed = signed_by["digitalbazaar"]
    did = did_key_from_key_pair(issuer_key)
    assert signed["proof"] == {
        "type": "DataIntegrityProof",
        "created": CREATED,
        "verificationMethod": f"{did}#{issuer_key.public_key_multibase()}",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "proofValue": signed["proof"]["proofValue"],
    }
    result = verify_credential(signed, now=NOW)
    assert result.verified, result.errors
    assert result.errors == []


def test_each_implementation_verifies_its_own(signed_by: dict[str, dict]) -> None:
    # Without this, a refusal in the tamper tests could be a verifier that refuses everything.
    assert verify_credential(signed_by["opendossier"], now=NOW).verified
    assert js_verify(signed_by["digitalbazaar"]) == {"verified": True}


def test_both_produce_the_same_signature(signed_by: dict[str, dict]) -> None:
    # Ed25519 is deterministic: same key, same proof options and the same canonical N-Quads
    # give the same proofValue. A difference means the two canonicalize differently.
    ours, theirs = signed_by["opendossier"], signed_by["digitalbazaar"]
    assert ours["proof"]["proofValue"] == theirs["proof"]["proofValue"]
    assert ours == theirs


def _other_did() -> str:
    return did_key_from_key_pair(generate_key("ed25519"))


# (path into the signed credential, new value). Dates stay inside the validity window, so a
# refusal comes from the proof, not from the clock.
TAMPERINGS: list[tuple[tuple[str | int, ...], Any]] = [
    (("name",), "Data Steward, level 3"),
    (("validFrom",), "2024-06-13T09:30:00Z"),
    (("validUntil",), "2030-06-14T09:30:00Z"),
    (("issuer", "id"), _other_did),
    (("issuer", "name"), "Another University"),
    (("credentialSubject", "id"), _other_did),
    (("credentialSubject", "achievement", "alignment", 0, "targetCode"), "D.11"),
    (("credentialSubject", "achievement", "criteria", "narrative"), "Attend the lectures."),
    (("credentialSubject", "result", 0, "value"), "A"),
    (("evidence", 0, "narrative"), "Not reviewed."),
    (("proof", "created"), "2024-06-14T09:30:01Z"),
]


def _set_path(document: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    target: Any = document
    for step in path[:-1]:
        target = target[step]
    assert target[path[-1]] != value, f"{path} already has the value {value!r}"
    target[path[-1]] = value


@pytest.mark.parametrize("signer", ["opendossier", "digitalbazaar"])
@pytest.mark.parametrize(
    ("path", "value"), TAMPERINGS, ids=[".".join(map(str, p)) for p, _ in TAMPERINGS]
)
def test_changed_signed_value_is_refused_by_both(
    signed_by: dict[str, dict], signer: str, path: tuple[str | int, ...], value: Any
) -> None:
    tampered = copy.deepcopy(signed_by[signer])
    _set_path(tampered, path, value() if callable(value) else value)

    ours = verify_credential(tampered, now=NOW)
    assert not ours.verified, f"OpenDossier accepted a credential with {path} changed"
    assert ours.errors

    theirs = js_verify(tampered)
    assert theirs["verified"] is False, f"Digital Bazaar accepted {path} changed"
    assert theirs["error"]


def test_bench_verify_reports_figures(signed_by: dict[str, dict]) -> None:
    credentials = [signed_by["opendossier"], signed_by["digitalbazaar"]]
    result = run_node("bench-verify.mjs", {"credentials": credentials, "now": NOW_ISO},
                      "--warmup", "1")
    assert result["count"] == 2
    assert result["all_verified"] is True, result
    assert result["ms_per_verify"] > 0

    tampered = copy.deepcopy(credentials[1])
    tampered["name"] = "Changed"
    result = run_node("bench-verify.mjs", {"credentials": [*credentials, tampered]})
    assert result["all_verified"] is False
    assert result["first_failure"]["index"] == 2


def test_bench_verify_reports_rounds_cpu_and_tampered_copies(
        signed_by: dict[str, dict]) -> None:
    credentials = [signed_by["opendossier"], signed_by["digitalbazaar"]]
    tampered = copy.deepcopy(credentials[0])
    tampered["name"] = "Changed"
    result = run_node("bench-verify.mjs", {"rounds": [credentials[:1], credentials[1:]],
                                           "warmupCredentials": credentials, "warmup": 1,
                                           "tampered": [tampered], "now": NOW_ISO})
    assert result["all_verified"] is True, result
    assert [r["count"] for r in result["rounds"]] == [1, 1]
    assert all(r["cpu_ms_per_verify"] > 0 and r["all_verified"] for r in result["rounds"])
    assert (result["tampered_refused"], result["tampered_total"]) == (1, 1)


def test_harness_loads_no_context_it_does_not_bundle(
    signed_by: dict[str, dict]
) -> None:
    # The JS loader must refuse, not fetch: this URL would resolve on the open web.
    foreign = copy.deepcopy(signed_by["digitalbazaar"])
    foreign["@context"] = [*foreign["@context"], "https://schema.org/"]
    result = js_verify(foreign)
    assert result["verified"] is False
    assert "refusing to load" in result["error"]


def test_harness_reports_status_as_unchecked(
    unsigned_credential: dict[str, Any], issuer_key: KeyPair
) -> None:
    with_status = copy.deepcopy(unsigned_credential)
    with_status["credentialStatus"] = {
        "id": "https://badges.hanze-example.nl/status/3#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://badges.hanze-example.nl/status/3",
    }
    result = js_verify(js_sign(with_status, issuer_key))
    assert result["verified"] is True, result
    assert "not checked" in result["statusCheck"]


@pytest.mark.parametrize(
    ("script", "stdin", "message"),
    [
        ("verify.mjs", "", "empty"),
        ("verify.mjs", "{not json", "not valid JSON"),
        ("verify.mjs", "[1, 2]", "must be a JSON object"),
        ("sign.mjs", '{"credential": {"@context": []}}', "keyPair"),
        ("sign.mjs", '{"credential": {}, "keyPair": {"publicKeyMultibase": "abc"}}', "multibase"),
        ("bench-verify.mjs", "[]", "non-empty"),
    ],
)
def test_harness_rejects_bad_input_clearly(script: str, stdin: str, message: str) -> None:
    output = run_node(script, stdin, expect_ok=False)
    assert message in output["error"]

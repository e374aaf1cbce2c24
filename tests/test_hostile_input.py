"""Issue 17 item 9: no 500 from any input. A JSON number too long for Python's int parsing,
a string with a lone surrogate escape (found in issue 20) and a context that maps @vocab to
null inside an achievement are answered with a 4xx and the reason by each real service: the
issuer's VC-API issue and the wallet's credential import (on SQLite and PostgreSQL), the
verifier's /credentials/verify."""

from __future__ import annotations

import copy
import json
from typing import Any

import httpx
import pytest

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.errors import NotUnicodeTextError
from standards.keys import generate_key
from standards.verification import verify_credential
from tests.issuer.conftest import IssuerService, api, issuer_server, org  # noqa: F401
from tests.issuer.test_issuer_vc_api import unsigned_credential_of
from tests.verifier.conftest import (  # noqa: F401 (fixtures)
    VerifierService,
    issuer,
    issuer_org,
    trust_registry_file,
    verifier,
)
from tests.verifier.signing import achievement_credential, new_signer
from tests.wallet.conftest import Owner, WalletService, owner, wallet_server  # noqa: F401

# Numbers Python's json would choke on or take although JSON has no such thing, and a word
# the refusal must contain.
NOT_JSON = pytest.mark.parametrize("number, reason", [
    ("9" * 5000, "5000 digits"), ("NaN", "NaN is not a JSON value"),
    ("-Infinity", "-Infinity is not a JSON value"), ("1e999", "too large"),
    # Not a number, but text Python's json takes and nothing can encode as UTF-8.
    ('"Klas\\ud800management"', "lone surrogate")],
    ids=["5000-digits", "NaN", "-Infinity", "1e999", "lone-surrogate"])


def with_number(document: dict[str, Any], path: tuple[str, ...], number: str) -> bytes:
    """`document` as JSON text with `number` written at `path` (by hand: Python itself would
    refuse to print a 5,000-digit number)."""
    marked = copy.deepcopy(document)
    target = marked
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = "@@NUMBER@@"
    return json.dumps(marked).replace('"@@NUMBER@@"', number).encode()


def with_null_vocab(credential: dict[str, Any]) -> dict[str, Any]:
    broken = copy.deepcopy(credential)
    broken["credentialSubject"]["achievement"]["@context"] = {"@vocab": None}
    return broken


def assert_refused_with_reason(response: httpx.Response, *words: str) -> None:
    assert 400 <= response.status_code < 500, (response.status_code, response.text[:500])
    text = response.text.lower()
    assert all(word.lower() in text for word in words), response.text[:500]


# --- issuer: VC-API issue (SQLite and PostgreSQL) -------------------------------------------
@NOT_JSON
def test_issuer_refuses_numbers_json_does_not_have(api: httpx.Client,  # noqa: F811
                                                   number: str, reason: str) -> None:
    body = with_number({"credential": unsigned_credential_of(api)},
                       ("credential", "credentialSubject", "achievement", "name"), number)
    response = api.post("/credentials/issue", content=body,
                        headers={"content-type": "application/json"})
    assert_refused_with_reason(response, reason)


def test_issuer_refuses_a_null_vocab(api: httpx.Client) -> None:  # noqa: F811
    response = api.post("/credentials/issue",
                        json={"credential": with_null_vocab(unsigned_credential_of(api))})
    assert_refused_with_reason(response, "@vocab")


# --- verifier: /credentials/verify ----------------------------------------------------------
@pytest.fixture(scope="module")
def signed() -> dict[str, Any]:
    signer = new_signer()
    return signer.sign(achievement_credential(signer.did, "did:example:holder"))


@NOT_JSON
def test_verifier_refuses_numbers_json_does_not_have(verifier: VerifierService,  # noqa: F811
                                                     signed: dict[str, Any], number: str,
                                                     reason: str) -> None:
    body = with_number({"verifiableCredential": signed},
                       ("verifiableCredential", "credentialSubject", "achievement", "name"),
                       number)
    with verifier.client() as client:
        response = client.post("/credentials/verify", content=body,
                               headers={"content-type": "application/json"})
    assert_refused_with_reason(response, reason)


def test_verifier_reports_a_null_vocab(verifier: VerifierService,  # noqa: F811
                                       signed: dict[str, Any]) -> None:
    with verifier.client() as client:
        response = client.post("/credentials/verify",
                               json={"verifiableCredential": with_null_vocab(signed)})
    assert response.status_code == 400, response.text  # a report: the credential fails
    report = response.json()
    assert not report["verified"]
    assert any("@vocab" in error for error in report["errors"]), report["errors"]


# --- wallet: credential import (SQLite and PostgreSQL) --------------------------------------
@NOT_JSON
def test_wallet_refuses_numbers_json_does_not_have(owner: Owner,  # noqa: F811
                                                   signed: dict[str, Any], number: str,
                                                   reason: str) -> None:
    body = with_number(signed, ("credentialSubject", "achievement", "name"), number)
    response = owner.client.post(owner.url("/credentials"), content=body,
                                 headers={"content-type": "application/json"})
    assert_refused_with_reason(response, reason)
    assert not owner.client.get(owner.url("/credentials")).json()


def test_wallet_refuses_a_null_vocab(owner: Owner, signed: dict[str, Any]) -> None:  # noqa: F811
    response = owner.client.post(owner.url("/credentials"),
                                 content=json.dumps(with_null_vocab(signed)),
                                 headers={"content-type": "application/json"})
    assert_refused_with_reason(response, "@vocab")
    assert not owner.client.get(owner.url("/credentials")).json()


# --- the library, given a lone surrogate directly (no JSON text to refuse) ------------------
@pytest.mark.parametrize("suite", ["eddsa-rdfc-2022", "eddsa-jcs-2022"])
@pytest.mark.parametrize("where", ["value", "key"])
def test_the_library_refuses_a_lone_surrogate_instead_of_crashing(suite: str,
                                                                  where: str) -> None:
    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    credential = achievement_credential(did, "did:example:holder")
    signed = sign_document(credential, key, suite=suite,
                           verification_method=f"{did}#{did.removeprefix('did:key:')}")
    if where == "value":
        signed["name"] = "Klas\ud800management"
    else:
        signed["credentialSubject"]["achievement"]["Klas\udc00"] = "x"
    result = verify_credential(signed)
    assert not result.verified
    assert any("lone surrogate" in error for error in result.errors), result.errors
    with pytest.raises(NotUnicodeTextError, match="lone surrogate"):
        sign_document({k: v for k, v in signed.items() if k != "proof"}, key, suite=suite,
                      verification_method=f"{did}#{did.removeprefix('did:key:')}")

"""Status entries of more than one bit (Bitstring Status List §2.1: statusPurpose "message",
statusSize, statusMessage, statusReference), issued through the VC-API and set through
/credentials/status, on SQLite and PostgreSQL; checked by the standards core's verification
(the verifier service's own test is tests/verifier/test_verifier_status_messages.py)."""

from __future__ import annotations

import base64
import gzip
from typing import Any

import httpx
import pytest

from standards.verification import verify_credential
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import SUBJECT_DID, organisation_did, unsigned_credential_of

MESSAGES = [{"status": "0x0", "message": "pending review"},
            {"status": "0x1", "message": "accepted"},
            {"status": "0x2", "message": "rejected"},
            {"status": "0x3", "message": "withdrawn"}]
REFERENCE = "https://school.example/status-dictionary"


def message_status(size: int = 2, messages: list[dict[str, str]] | None = None,
                   **extra: Any) -> dict[str, Any]:
    """`options.credentialStatus` asking for a message entry of `size` bits."""
    return {"type": "BitstringStatusListEntry", "statusPurpose": "message", "statusSize": size,
            "statusMessage": MESSAGES if messages is None else messages, **extra}


def plain_credential(api: httpx.Client, version: str = "2.0") -> dict[str, Any]:
    """A plain VCDM credential, as the W3C suites send (no Open Badge)."""
    if version == "1.1":
        return {"@context": ["https://www.w3.org/2018/credentials/v1"],
                "type": ["VerifiableCredential"], "issuer": organisation_did(api),
                "credentialSubject": {"id": SUBJECT_DID}}
    return {"@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"], "issuer": organisation_did(api),
            "credentialSubject": {"id": SUBJECT_DID}}


def issue(api: httpx.Client, credential: dict[str, Any],
          credential_status: dict[str, Any]) -> dict[str, Any]:
    response = api.post("/credentials/issue", json={
        "credential": credential, "options": {"credentialStatus": credential_status}})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


def set_status(api: httpx.Client, credential: dict[str, Any], status: str) -> httpx.Response:
    return api.post("/credentials/status", json={
        "credentialId": credential["id"],
        "credentialStatus": [{"type": "BitstringStatusListEntry", "status": status}]})


def published(api: httpx.Client, entry: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The list credential the entry names, and its bitstring."""
    response = api.get(entry["statusListCredential"])
    assert response.status_code == 200, response.text
    list_credential = response.json()
    encoded = list_credential["credentialSubject"]["encodedList"][1:]
    return list_credential, gzip.decompress(base64.urlsafe_b64decode(
        encoded + "=" * (-len(encoded) % 4)))


def entry_value(bits: bytes, index: int, size: int) -> int:
    value = 0
    for position in range(index * size, (index + 1) * size):
        value = value << 1 | bool(bits[position // 8] & (0x80 >> (position % 8)))
    return value


def status_check(credential: dict[str, Any]) -> tuple[bool, str]:
    result = verify_credential(credential, fetcher=local_fetcher(), check_status=True)
    check = next(c for c in result.checks if c.check == "status")
    return result.verified, check.message


def test_message_entry_is_issued_set_and_verified(issuer_server: IssuerService,
                                                  api: httpx.Client) -> None:
    vc = issue(api, plain_credential(api), message_status(statusReference=REFERENCE))
    entry = vc["credentialStatus"]
    assert {key: entry[key] for key in ("type", "statusPurpose", "statusSize", "statusMessage",
                                        "statusReference")} == {
        "type": "BitstringStatusListEntry", "statusPurpose": "message", "statusSize": 2,
        "statusMessage": MESSAGES, "statusReference": REFERENCE}
    list_credential, bits = published(api, entry)
    assert list_credential["credentialSubject"]["statusPurpose"] == "message"
    assert "statusSize" not in list_credential["credentialSubject"]  # the entry says it
    assert len(bits) * 8 == 131072 * 2  # the herd-privacy floor counts entries, not bits
    index = int(entry["statusListIndex"])
    assert entry_value(bits, index, 2) == 0
    assert status_check(vc) == (True, f"message status 0x0: 'pending review' (entry {index} "
                                      f"of {entry['statusListCredential']})")
    for status, value, message in (("0x2", 2, "rejected"), ("0x3", 3, "withdrawn"),
                                   ("0x1", 1, "accepted")):
        response = set_status(api, vc, status)
        assert response.status_code == 200, response.text
        assert entry_value(published(api, entry)[1], index, 2) == value
        verified, said = status_check(vc)
        assert verified  # a message never invalidates the credential
        assert said.startswith(f"message status {status}: {message!r}")


def test_message_lists_are_kept_apart_by_size(issuer_server: IssuerService,
                                              api: httpx.Client) -> None:
    two = issue(api, plain_credential(api), message_status())
    three = issue(api, plain_credential(api), message_status(
        3, [{"status": hex(value), "message": f"stage {value}"} for value in range(8)]))
    revocable = api.post("/credentials/issue", json={"credential": plain_credential(api)}).json()
    lists = {two["credentialStatus"]["statusListCredential"],
             three["credentialStatus"]["statusListCredential"],
             revocable["verifiableCredential"]["credentialStatus"]["statusListCredential"]}
    assert len(lists) == 3
    assert len(published(api, three["credentialStatus"])[1]) * 8 == 131072 * 3
    # a second size-2 credential shares the first one's list
    again = issue(api, plain_credential(api), message_status())
    assert again["credentialStatus"]["statusListCredential"] == \
        two["credentialStatus"]["statusListCredential"]
    assert set_status(api, three, "0x7").status_code == 200
    assert status_check(three)[1].startswith("message status 0x7: 'stage 7'")
    # the value is checked against the entry's own size
    too_big = set_status(api, two, "0x4")
    assert too_big.status_code == 400
    assert "does not fit the credential's message entry of 2 bit(s) (0x0 to 0x3)" \
        in too_big.text


def test_vcdm_1_1_and_open_badge_credentials_carry_message_entries(
        issuer_server: IssuerService, api: httpx.Client) -> None:
    older = issue(api, plain_credential(api, "1.1"), message_status())
    badge = issue(api, unsigned_credential_of(api), message_status(statusReference=[REFERENCE]))
    for vc in (older, badge):
        assert vc["credentialStatus"]["statusSize"] == 2
        verified, said = status_check(vc)
        assert verified, said
        assert said.startswith("message status 0x0: 'pending review'")


@pytest.mark.parametrize(("credential_status", "reason"), [
    (message_status(messages=[]), "statusMessage must be an array of 4 entries"),
    ({**message_status(), "statusMessage": None},
     "statusMessage is required when statusSize is greater than 1"),
    (message_status(messages=[*MESSAGES[:3], {"status": "0x1", "message": "again"}]),
     "out of range or repeated"),
    (message_status(messages=[*MESSAGES[:3], {"status": "3", "message": "no 0x"}]),
     "0x-prefixed hex string"),
    (message_status(0), "statusSize must be an integer greater than zero"),
    (message_status(17), "statusSize 17 is not supported"),
    (message_status(statusReference="not a url"), "statusReference must be a URL"),
    (message_status(statusReference=[]), "statusReference must be a URL"),
    ({**message_status(), "statusPurpose": "revocation"},
     "statusSize 2 is for statusPurpose 'message'; a 'revocation' entry is one bit"),
    ({"type": "BitstringStatusListEntry", "statusPurpose": "refresh"},
     "unknown statusPurpose 'refresh'"),
])
def test_malformed_message_entries_are_refused(issuer_server: IssuerService, api: httpx.Client,
                                               credential_status: dict[str, Any],
                                               reason: str) -> None:
    response = api.post("/credentials/issue", json={
        "credential": plain_credential(api), "options": {"credentialStatus": credential_status}})
    assert response.status_code == 422, response.text
    assert reason in response.text


def test_status_changes_fit_the_entry_the_credential_has(issuer_server: IssuerService,
                                                         api: httpx.Client) -> None:
    message = issue(api, plain_credential(api), message_status())
    revocable = api.post("/credentials/issue", json={
        "credential": plain_credential(api)}).json()["verifiableCredential"]
    for status in ("revoked", "suspended", "active"):
        refused = set_status(api, message, status)
        assert refused.status_code == 409
        assert "issued with a message entry only" in refused.text
    refused = set_status(api, revocable, "0x1")
    assert refused.status_code == 409
    assert "has no message entry" in refused.text
    assert set_status(api, message, "0xzz").status_code == 400  # not a status
    # nothing changed
    assert status_check(message)[1].startswith("message status 0x0")
    assert status_check(revocable)[0]

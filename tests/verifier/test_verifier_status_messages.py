"""The verifier service and multi-bit status entries (statusPurpose "message", statusSize,
statusMessage, statusReference): from the real issuer, the message a status value stands for is
reported and never makes the credential invalid; locally made lists and entries that break the
rules give status unknown."""

from __future__ import annotations

from typing import Any

import httpx

from standards.status_list import StatusList
from standards.status_list_building import build_status_entry, build_status_list_credential
from tests.issuer.test_issuer_status_messages import (
    MESSAGES,
    REFERENCE,
    message_status,
    plain_credential,
    set_status,
)
from tests.local_server import LocalServer
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import VALID_FROM, LocalSigner, achievement_credential, new_signer

INDEX = 11


def status_of(report: dict[str, Any]) -> str:
    return next(str(c["message"]) for c in report["checks"] if c["check"] == "status")


def test_messages_from_the_issuer_are_reported(verifier: VerifierService,
                                               issuer_api: httpx.Client) -> None:
    response = issuer_api.post("/credentials/issue", json={
        "credential": plain_credential(issuer_api),
        "options": {"credentialStatus": message_status(statusReference=REFERENCE)}})
    assert response.status_code == 201, response.text
    vc = response.json()["verifiableCredential"]
    # set before the verifier first reads the list (it keeps lists as long as they say)
    assert set_status(issuer_api, vc, "0x2").status_code == 200
    report = verifier.verify_credential(vc)
    assert report["verified"] is True, report
    assert status_of(report).startswith("message status 0x2: 'rejected' (entry ")


def signed_with_message_entry(school: LocalSigner, list_url: str,
                              **entry_changes: Any) -> dict[str, Any]:
    entry = build_status_entry(list_credential_url=list_url, index=INDEX, purpose="message",
                               status_size=2, status_message=MESSAGES)
    entry.update(entry_changes)
    return school.sign(achievement_credential(school.did, new_signer().did,
                                              credential_status=entry))


def message_list(school: LocalSigner, url: str, bits: StatusList) -> dict[str, Any]:
    return school.sign(build_status_list_credential(
        id=url, issuer=school.did, status_purpose="message", status_list=bits,
        valid_from=VALID_FROM, status_size=1 if bits.length < 2 * 131072 else 2))


def test_message_entries_that_break_the_rules_give_status_unknown(
        verifier: VerifierService, local_server: LocalServer) -> None:
    school = new_signer()
    good = StatusList(2 * 131072)
    good.set_status(INDEX, 3, status_size=2)
    url = local_server.json_route("/status/message", message_list(
        school, f"{local_server.base}/status/message", good))
    report = verifier.verify_credential(signed_with_message_entry(school, url))
    assert report["verified"] is True, report
    assert status_of(report).startswith("message status 0x3: 'withdrawn'")
    # a list of one bit per entry read as two bits per entry: too few entries
    short = local_server.json_route("/status/short", message_list(
        school, f"{local_server.base}/status/short", StatusList()))
    message = failed(verifier.verify_credential(signed_with_message_entry(school, short)))
    assert message["status"].startswith("status unknown: status list at ")
    assert "has 65536 entries, fewer than the minimum 131072" in message["status"]
    for changes, reason in (
            ({"statusMessage": MESSAGES[:2]}, "statusMessage must be an array of 4 entries"),
            ({"statusReference": 42}, "statusReference must be a URL"),
            ({"statusSize": 3, "statusMessage": None},
             "statusMessage is required when statusSize is greater than 1")):
        refused = failed(verifier.verify_credential(
            signed_with_message_entry(school, url, **changes)))
        assert refused["status"].startswith("status unknown: "), refused
        assert reason in refused["status"]

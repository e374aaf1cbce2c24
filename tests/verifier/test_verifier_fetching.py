"""What the verifier fetches, over real HTTP on 127.0.0.1: status lists (unreachable means
"status unknown", never valid; cached only as long as their headers allow; bounded in size),
did:web documents (never from a private address unless the operator allows it) and evidence
(only when asked, compared with the digest the issuer signed)."""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest

from standards.ob3 import Evidence
from standards.status_list_building import build_status_entry
from tests.issuer.conftest import free_port
from tests.local_server import LocalServer
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import (
    LocalSigner,
    achievement_credential,
    did_web_signer,
    new_signer,
    status_list_credential,
)

INDEX = 7


@pytest.fixture(scope="module")
def school() -> LocalSigner:
    return new_signer()


def credential_with_status(school: LocalSigner, list_url: str,
                           purpose: str = "revocation") -> dict[str, Any]:
    entry = build_status_entry(list_credential_url=list_url, index=INDEX, purpose=purpose)
    return school.sign(achievement_credential(school.did, new_signer().did,
                                              credential_status=entry))


def status_message(report: dict[str, Any]) -> str:
    return next(c["message"] for c in report["checks"] if c["check"] == "status")


# --- status lists -----------------------------------------------------------------------
def test_status_list_that_404s_gives_status_unknown(verifier: VerifierService,
                                                    school: LocalSigner,
                                                    local_server: LocalServer) -> None:
    url = f"{local_server.base}/status/gone"
    report = verifier.verify_credential(credential_with_status(school, url))
    assert report["verified"] is False
    message = failed(report)["status"]
    assert message.startswith("status unknown: ")
    assert url in message and "HTTP status 404" in message
    assert local_server.hits["/status/gone"] == 1


def test_status_list_on_a_closed_port_gives_status_unknown(verifier: VerifierService,
                                                           school: LocalSigner) -> None:
    url = f"http://127.0.0.1:{free_port()}/status/1"
    report = verifier.verify_credential(credential_with_status(school, url))
    message = failed(report)["status"]
    assert message.startswith(f"status unknown: fetching {url} failed")


def test_status_list_signed_by_someone_else_counts_with_a_warning(
        verifier: VerifierService, school: LocalSigner, local_server: LocalServer) -> None:
    """Bitstring Status List v1.0 (2.2): the list's issuer MAY differ from the credential's;
    its status counts, and the report says whose word it is (issue 19, the DCC's did:web
    fixtures keep their list under a did:key)."""
    keeper = new_signer()
    url = local_server.json_route("/status/foreign",
                                  status_list_credential(keeper, f"{local_server.base}"
                                                         "/status/foreign"))
    report = verifier.verify_credential(credential_with_status(school, url))
    assert report["verified"] is True, report
    assert status_message(report) == f"not revoked (entry {INDEX} of {url})"
    assert any(w.startswith(f"status list issuer not confirmed: the status list {url} is "
                            f"issued by {keeper.did}, not by the credential's issuer "
                            f"{school.did}") for w in report["warnings"])


def test_a_revocation_by_the_keeper_of_someone_elses_list_holds(
        verifier: VerifierService, school: LocalSigner, local_server: LocalServer) -> None:
    keeper = new_signer()
    url = local_server.json_route("/status/foreign-revoked", status_list_credential(
        keeper, f"{local_server.base}/status/foreign-revoked", set_indices=[INDEX]))
    report = verifier.verify_credential(credential_with_status(school, url))
    assert report["verified"] is False
    assert failed(report)["status"] == f"revoked (entry {INDEX} of {url})"
    assert any(w.startswith("status list issuer not confirmed") for w in report["warnings"])


def test_a_list_by_the_credentials_own_issuer_gets_no_such_warning(
        verifier: VerifierService, school: LocalSigner, local_server: LocalServer) -> None:
    url = local_server.json_route("/status/own", status_list_credential(
        school, f"{local_server.base}/status/own"))
    report = verifier.verify_credential(credential_with_status(school, url))
    assert report["verified"] is True, report
    assert not any(w.startswith("status list issuer not confirmed")
                   for w in report["warnings"])


def test_locally_revoked_and_suspended_entries_fail(verifier: VerifierService,
                                                    school: LocalSigner,
                                                    local_server: LocalServer) -> None:
    for purpose, word in (("revocation", "revoked"), ("suspension", "suspended")):
        url = f"{local_server.base}/status/{purpose}"
        local_server.json_route(f"/status/{purpose}", status_list_credential(
            school, url, purpose=purpose, set_indices=[INDEX]))
        report = verifier.verify_credential(credential_with_status(school, url, purpose))
        assert failed(report)["status"] == f"{word} (entry {INDEX} of {url})"


def test_status_list_is_fetched_once_while_fresh(verifier: VerifierService,
                                                 school: LocalSigner,
                                                 local_server: LocalServer) -> None:
    url = f"{local_server.base}/status/cached"
    local_server.json_route("/status/cached", status_list_credential(school, url),
                            headers={"Cache-Control": "public, max-age=600"})
    credential = credential_with_status(school, url)
    for _ in range(3):
        report = verifier.verify_credential(credential)
        assert report["verified"] is True, report
        assert status_message(report) == f"not revoked (entry {INDEX} of {url})"
    assert local_server.hits["/status/cached"] == 1


def test_status_list_marked_no_store_is_fetched_every_time(verifier: VerifierService,
                                                           school: LocalSigner,
                                                           local_server: LocalServer) -> None:
    url = f"{local_server.base}/status/no-store"
    local_server.json_route("/status/no-store", status_list_credential(school, url),
                            headers={"Cache-Control": "no-store"})
    credential = credential_with_status(school, url)
    for _ in range(2):
        assert verifier.verify_credential(credential)["verified"] is True
    assert local_server.hits["/status/no-store"] == 2
    # a list revoked since the last look is seen at once
    local_server.json_route("/status/no-store", status_list_credential(
        school, url, set_indices=[INDEX]), headers={"Cache-Control": "no-store"})
    assert failed(verifier.verify_credential(credential))["status"].startswith("revoked")


def test_status_list_larger_than_the_fetch_limit_gives_status_unknown(
        verifier: VerifierService, school: LocalSigner, local_server: LocalServer) -> None:
    url = f"{local_server.base}/status/huge"
    huge = status_list_credential(school, url)
    huge["description"] = "x" * (3 * 1024 * 1024)  # the list need not even verify
    local_server.json_route("/status/huge", huge)
    message = failed(verifier.verify_credential(credential_with_status(school, url)))["status"]
    assert message.startswith("status unknown: ")
    assert "response too large" in message
    assert "limit 2097152" in message


# --- did:web at a private address -------------------------------------------------------
def test_did_web_at_a_loopback_address_is_refused_by_default(
        verifier: VerifierService, strict_verifier: VerifierService,
        local_server: LocalServer) -> None:
    signer, did_document = did_web_signer(local_server.did)
    local_server.json_route("/.well-known/did.json", did_document)
    credential = signer.sign(achievement_credential(signer.did, new_signer().did))
    # allowed to reach 127.0.0.1 (one machine), the same credential is sound ...
    assert verifier.verify_credential(credential)["verified"] is True
    assert local_server.hits["/.well-known/did.json"] == 1
    # ... the default policy refuses the address before connecting
    report = strict_verifier.verify_credential(credential)
    message = failed(report)["proof"]
    assert f"cannot resolve {signer.did}" in message
    assert "resolves to a loopback address 127.0.0.1" in message
    assert local_server.hits["/.well-known/did.json"] == 1


def test_status_list_over_plain_http_is_refused_by_default(strict_verifier: VerifierService,
                                                           school: LocalSigner,
                                                           local_server: LocalServer) -> None:
    url = local_server.json_route("/status/plain", {})
    message = failed(strict_verifier.verify_credential(
        credential_with_status(school, url)))["status"]
    assert message.startswith("status unknown: refused to fetch")
    assert "scheme 'http' is not allowed" in message
    assert local_server.hits["/status/plain"] == 0


# --- evidence ---------------------------------------------------------------------------
LESSON_PLAN = b"%PDF-1.7 lesplan rekenen groep 6"


def serve_bytes(server: LocalServer, path: str, content: bytes, media_type: str) -> str:
    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", media_type)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)

    server.routes[path] = route
    return server.base + path


def credential_with_evidence(school: LocalSigner, url: str, signed_content: bytes | None
                             ) -> dict[str, Any]:
    evidence = (Evidence(id=url, name="Lesplan") if signed_content is None
                else Evidence.for_file(id=url, content=signed_content, name="Lesplan"))
    return school.sign(achievement_credential(school.did, new_signer().did,
                                              evidence=[evidence.to_json()]))


def test_evidence_is_fetched_only_when_asked_and_its_digest_checked(
        verifier: VerifierService, school: LocalSigner, local_server: LocalServer) -> None:
    url = serve_bytes(local_server, "/evidence/lesplan.pdf", LESSON_PLAN, "application/pdf")
    credential = credential_with_evidence(school, url, LESSON_PLAN)
    plain = verifier.verify_credential(credential)
    assert "evidence" not in plain
    assert local_server.hits["/evidence/lesplan.pdf"] == 0
    report = verifier.verify_credential(credential, checkEvidence=True)
    assert report["verified"] is True, report
    [outcome] = report["evidence"]
    assert outcome["digest"] == "matches"
    assert outcome["mediaType"] == "application/pdf"
    assert outcome["size"] == len(LESSON_PLAN)
    assert outcome["name"] == "Lesplan"


def test_evidence_whose_digest_differs_fails(verifier: VerifierService, school: LocalSigner,
                                             local_server: LocalServer) -> None:
    url = serve_bytes(local_server, "/evidence/vervangen.pdf", LESSON_PLAN, "application/pdf")
    credential = credential_with_evidence(school, url, b"the file the issuer saw")
    report = verifier.verify_credential(credential, checkEvidence=True)
    assert report["verified"] is False
    message = failed(report)["evidence"]
    assert "digest differs" in message and url in message
    assert report["evidence"][0]["digest"] == "differs"


def test_evidence_without_a_digest_or_unreachable_is_shown_not_failed(
        verifier: VerifierService, school: LocalSigner, local_server: LocalServer) -> None:
    url = serve_bytes(local_server, "/evidence/foto.jpg", b"\xff\xd8 foto", "image/jpeg")
    unsigned = verifier.verify_credential(credential_with_evidence(school, url, None),
                                          checkEvidence=True)
    assert unsigned["verified"] is True
    assert unsigned["evidence"][0]["digest"] == "not-signed"
    gone = f"{local_server.base}/evidence/weg.jpg"
    report = verifier.verify_credential(credential_with_evidence(school, gone, LESSON_PLAN),
                                        checkEvidence=True)
    assert report["verified"] is True  # the claim stands; the file is just not there now
    assert report["evidence"][0]["fetched"] is False
    assert "HTTP status 404" in report["evidence"][0]["message"]

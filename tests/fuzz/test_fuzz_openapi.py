"""Schemathesis against each service's OpenAPI document: every operation of the issuer, the
wallet (on SQLite and PostgreSQL) and the verifier, with schema-valid and schema-violating
requests, through the real app in-process. No 5xx, no hang, documented answers as documented
(see `tests.fuzz.api_fuzzing`).

Before the run each service gets real things to aim at: an organisation with an achievement,
a credential, a framework, an offer, a bulk job and an endorsement (issuer); an owner with a
credential, evidence, a reflection, a share, a public CV, a report and a delegate invitation
(wallet); an OpenID4VP request (verifier). Their ids are put in the paths of some requests
(others get generated ids, for the refusals), and the API key or session token in every one.
"""

from __future__ import annotations

from typing import Any

import pytest

from issuer.api.app import create_app as issuer_app
from tests.fuzz.api_fuzzing import Fixed, FuzzReport, fuzz_service
from tests.fuzz.budget import EXAMPLES_PER_OPERATION, backend_of
from tests.issuer.conftest import IssuerService
from tests.verifier.conftest import VerifierService
from tests.verifier.signing import achievement_credential, new_signer
from tests.wallet.conftest import Owner, WalletService
from verifier.api.app import create_app as verifier_app
from wallet.api.app import create_app as wallet_app

pytestmark = pytest.mark.fuzz

def created(answer: Any, status: int = 201) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    return answer.json()  # type: ignore[no-any-return]


def deletions_last(method: str, path: str) -> tuple[bool, str]:
    """Operations that remove the seeded things run after those that use them."""
    return method == "DELETE", path


def assert_clean(report: FuzzReport, record: Any) -> None:
    record("fuzz", report.summary())
    assert not report.findings, "\n\n".join(str(finding) for finding in report.findings)


# --- the issuer ------------------------------------------------------------------------------

def seed_organisation(issuer: IssuerService) -> tuple[str, dict[str, str]]:
    """A new organisation's API key, and {path parameter: a real id} of what it made."""
    org = issuer.create_org("Fuzz College")
    with issuer.client(org["api_token"]) as api:
        achievement = created(api.post("/api/achievements", json={
            "name": "Klassenmanagement", "description": "Leidt een klas.",
            "criteriaNarrative": "Drie lesobservaties."}))
        issued = created(api.post(f"/api/achievements/{achievement['id']}/issue",
                                  json={"recipient": new_signer().did}))
        profile = created(api.get("/api/profiles"), 200)["items"][0]
        framework = created(api.post("/api/frameworks/csv", params={"title": "Kader"},
                                     content="code,name\nA1,Pedagogisch handelen\n",
                                     headers={"content-type": "text/csv"}))
        offer = created(api.post("/api/offers", json={"achievementId": achievement["id"]}))
        job = created(api.post(f"/api/achievements/{achievement['id']}/bulk",
                               content="recipient\nleraar@example.org\n",
                               headers={"content-type": "text/csv"}), 202)
        endorsement = created(api.post("/api/endorsements", json={
            "targetKind": "achievement", "targetId": "https://badges.example.org/a/1",
            "comment": "Een degelijke badge."}))
    status = issued["verifiableCredential"]["credentialStatus"]
    status_list_url = (status[0] if isinstance(status, list) else status)["statusListCredential"]
    return org["api_token"], {
        "achievement_id": achievement["id"], "credential_id": issued["record"]["recordId"],
        "profile_id": profile["id"], "framework_id": framework["id"],
        "competence_id": framework["competences"][0]["id"], "offer_id": offer["offerId"],
        "job_id": job["job"], "endorsement_id": endorsement["id"],
        "status_list_id": status_list_url.rstrip("/").rsplit("/", 1)[1]}


def test_every_issuer_operation(fuzz_issuer: IssuerService,
                                record_property: Any) -> None:
    api_key, ids = seed_organisation(fuzz_issuer)

    def plan(method: str, path: str) -> Fixed:
        return Fixed(headers={"Authorization": f"Bearer {api_key}"},
                     real_ids={name: value for name, value in ids.items()
                               if f"{{{name}}}" in path})

    report = fuzz_service(f"issuer [{backend_of(fuzz_issuer.database_url)}]",
                          issuer_app(context=fuzz_issuer.ctx), plan,
                          max_examples=EXAMPLES_PER_OPERATION, order=deletions_last)
    assert len(report.operations) >= 40, report.operations
    assert_clean(report, record_property)


# --- the wallet ------------------------------------------------------------------------------

def seed_dossier(wallet: WalletService) -> tuple[Owner, dict[str, str], str]:
    """A new owner, {path parameter: a real id} of what is in the dossier, and a second
    session token of the owner's (for `DELETE /api/session`, which ends it)."""
    owner = wallet.create_owner()
    issuer = new_signer()
    credential = created(owner.client.post(owner.url("/credentials"), json=issuer.sign(
        achievement_credential(issuer.did, owner.did))))
    evidence = created(owner.client.post(owner.url("/evidence"), json={
        "kind": "note", "title": "Gesprek met mentor", "description": "Feedback op planning"}))
    reflection = created(owner.client.post(owner.url("/reflections"),
                                           json={"text": "Ik leerde veel."}))
    share = created(owner.client.post(owner.url("/shares"), json={
        "credentials": [credential["id"]], "evidence": [evidence["id"]]}))
    created(owner.client.put(owner.url("/cv"), json={
        "enabled": True, "slug": f"fuzz-{owner.id[:12]}", "credentials": [credential["id"]]}),
        200)
    report = created(owner.client.post(owner.url("/reports"), json={
        "title": "Stageverslag", "reflections": [reflection["id"]]}))
    invitation = created(owner.client.post(owner.url("/delegations"), json={
        "email": "mentor@example.org", "role": "mentor"}))
    second_session = wallet.log_in(owner.email, owner.id, owner.did)
    return owner, {
        "owner_id": owner.id, "credential_id": credential["id"], "evidence_id": evidence["id"],
        "reflection_id": reflection["id"], "share_id": share["id"],
        "token": share["url"].rstrip("/").rsplit("/", 1)[1],
        "slug": f"fuzz-{owner.id[:12]}", "report_id": report["id"],
        "delegation_id": invitation["id"]}, str(second_session.client.headers["Authorization"])


def test_every_wallet_operation(fuzz_wallet: WalletService, record_property: Any) -> None:
    owner, ids, second_session = seed_dossier(fuzz_wallet)
    session = str(owner.client.headers["Authorization"])

    def plan(method: str, path: str) -> Fixed:
        # Logging out must not end the session every other request uses.
        token = second_session if (method, path) == ("DELETE", "/api/session") else session
        return Fixed(headers={"Authorization": token},
                     # Without the owner's own dossier in the path, every request is a 404.
                     path_parameters={"owner_id": owner.id} if "{owner_id}" in path else {},
                     real_ids={name: value for name, value in ids.items()
                               if f"{{{name}}}" in path and name != "owner_id"})

    report = fuzz_service(f"wallet [{backend_of(fuzz_wallet.database_url)}]",
                          wallet_app(context=fuzz_wallet.context), plan,
                          max_examples=EXAMPLES_PER_OPERATION, order=deletions_last)
    assert len(report.operations) >= 58, report.operations
    assert_clean(report, record_property)


# --- the verifier ----------------------------------------------------------------------------

def test_every_verifier_operation(fuzz_verifier: VerifierService,
                                  record_property: Any) -> None:
    with fuzz_verifier.client() as client:
        request = created(client.post("/oid4vp/requests", json={}))

    def plan(method: str, path: str) -> Fixed:
        return Fixed(real_ids={"request_id": request["id"]} if "{request_id}" in path else {})

    assert fuzz_verifier.context is not None
    report = fuzz_service("verifier", verifier_app(context=fuzz_verifier.context), plan,
                          max_examples=EXAMPLES_PER_OPERATION)
    assert len(report.operations) >= 9, report.operations
    assert_clean(report, record_property)

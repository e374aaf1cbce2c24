"""Every service's OpenAPI document describes its bodies: each POST, PUT and PATCH operation
has a request body with a schema, and each JSON response a schema.

The apps are built in-process (`create_app(settings)` with a temporary data directory and
SQLite); nothing is served, the document is read from the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

BODY_METHODS = ("post", "put", "patch")
# Operations that take no body by design: (service, method, path).
NO_BODY = {
    ("verifier", "post", "/challenges"),  # VC-API: a new challenge, nothing to send
    ("issuer", "post", "/oid4vci/nonce"),  # OpenID4VCI: a fresh c_nonce, nothing to send
    ("issuer", "post", "/api/profiles/{profile_id}/rotate-key"),  # the path says it all
    # the owner's decision on a delegate's item is the path itself
    ("wallet", "post", "/api/dossiers/{owner_id}/evidence/{evidence_id}/approve"),
    ("wallet", "post", "/api/dossiers/{owner_id}/evidence/{evidence_id}/reject"),
    ("wallet", "post", "/api/dossiers/{owner_id}/reflections/{reflection_id}/approve"),
    ("wallet", "post", "/api/dossiers/{owner_id}/reflections/{reflection_id}/reject"),
}


def verifier_app(data_dir: Path) -> FastAPI:
    from verifier.api.app import create_app
    from verifier.config import VerifierSettings

    return create_app(VerifierSettings(data_dir=data_dir))


def issuer_app(data_dir: Path) -> FastAPI:
    from issuer.api.app import create_app
    from issuer.config import IssuerSettings

    return create_app(IssuerSettings(data_dir=data_dir,
                                     database_url=f"sqlite:///{data_dir / 'issuer.db'}"))


def wallet_app(data_dir: Path) -> FastAPI:
    from wallet.api.app import create_app
    from wallet.config import WalletSettings

    return create_app(WalletSettings(data_dir=data_dir,
                                     database_url=f"sqlite:///{data_dir / 'wallet.db'}"))


APPS: dict[str, Callable[[Path], FastAPI]] = {
    "verifier": verifier_app, "issuer": issuer_app, "wallet": wallet_app}
SERVICES = ["verifier", "issuer", "wallet"]


@pytest.fixture(params=SERVICES)
def openapi(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    """(service name, its OpenAPI document)."""
    service = request.param
    app = APPS[service](tmp_path / service)
    try:
        yield service, app.openapi()
    finally:
        context = getattr(app.state, service)
        if hasattr(context, "close"):
            context.close()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(method, path, operation) of every operation in the document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, path, operation


def has_schema(content: dict[str, Any], media_type: str) -> bool:
    """Whether `content` describes `media_type` with a schema that says something."""
    schema = content.get(media_type, {}).get("schema")
    return isinstance(schema, dict) and bool(schema)


def test_every_body_operation_documents_its_request_body(openapi: tuple[str, Any]) -> None:
    service, document = openapi
    missing = []
    for method, path, operation in operations(document):
        if method not in BODY_METHODS or (service, method, path) in NO_BODY:
            continue
        content = operation.get("requestBody", {}).get("content", {})
        if not any(has_schema(content, media_type) for media_type in content):
            missing.append(f"{method.upper()} {path}")
    assert missing == [], f"{service}: operations without a request body schema: {missing}"


def test_every_json_response_has_a_schema(openapi: tuple[str, Any]) -> None:
    service, document = openapi
    missing = []
    for method, path, operation in operations(document):
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if "application/json" in content and not has_schema(content, "application/json"):
                missing.append(f"{method.upper()} {path} {status}")
    assert missing == [], f"{service}: JSON responses without a schema: {missing}"


def test_no_body_list_names_real_operations(openapi: tuple[str, Any]) -> None:
    """An operation exempt from a body must exist and really take none (keeps NO_BODY true)."""
    service, document = openapi
    exempt = {(method, path) for name, method, path in NO_BODY if name == service}
    present = {(method, path): operation for method, path, operation in operations(document)}
    for method, path in exempt:
        assert (method, path) in present, f"{service}: {method.upper()} {path} is gone"
        assert "requestBody" not in present[(method, path)], \
            f"{service}: {method.upper()} {path} takes a body now; drop it from NO_BODY"


def test_verifier_reports_fit_their_documented_schema(tmp_path: Path) -> None:
    """The verifier answers reports as its services build them; the response models that
    document them must describe them exactly (the models forbid undocumented members)."""
    from fastapi.testclient import TestClient

    from tests.verifier.signing import (
        achievement_credential,
        clr_credential,
        new_signer,
        presentation,
    )
    from verifier.api.schemas.oid4vp import CreatedRequest, RequestStatus
    from verifier.api.schemas.report import VerificationReport
    from verifier.api.schemas.vc_api import Challenge, TrustRegistryDocument

    signer = new_signer()
    credential = signer.sign(achievement_credential(signer.did, "did:example:owner"))
    app = verifier_app(tmp_path)
    with TestClient(app) as client:
        challenge = Challenge.model_validate(client.post("/challenges").json())
        shown = presentation(signer, [credential, clr_credential(signer, signer.did, [credential])],
                             challenge=challenge.challenge, domain=challenge.domain)
        answers = [
            client.post("/credentials/verify", json={"verifiableCredential": credential,
                                                     "options": {"checkEvidence": True}}),
            client.post("/credentials/verify",
                        json={"verifiableCredential": signer.sign_jwt(credential)}),
            client.post("/credentials/verify", json={"verifiableCredential": {"not": "one"}}),
            client.post("/presentations/verify", json={"verifiablePresentation": shown}),
        ]
        for answer in answers:
            report = VerificationReport.model_validate(answer.json())
            # 200 when verified, 400 with the same report when not
            assert answer.status_code == (200 if report.verified else 400), answer.text
        created = CreatedRequest.model_validate(client.post("/oid4vp/requests").json())
        RequestStatus.model_validate(client.get(f"/oid4vp/requests/{created.id}").json())
        TrustRegistryDocument.model_validate(client.get("/trust-registry").json())
    app.state.verifier.close()


def test_issuer_answers_fit_their_documented_schema(tmp_path: Path) -> None:
    """What the issuer's staff API, VC-API and offer endpoints answer fits the response
    models that document them (they forbid undocumented members)."""
    from fastapi.testclient import TestClient
    from sqlmodel import Session

    from issuer.api.schemas.bulk import JobList
    from issuer.api.schemas.endorsements import EndorsementList
    from issuer.api.schemas.manage import (
        AchievementList,
        FrameworkDocument,
        FrameworkList,
        IssuedCredential,
        ProfileList,
        RecordDetail,
        RecordPage,
        StoredAchievement,
    )
    from issuer.api.schemas.oid4vci import CredentialOfferDocument, NewOffer, OfferList
    from issuer.api.schemas.vc_api import IssueCredentialResponse
    from issuer.services.organisations import create_organisation

    app = issuer_app(tmp_path)
    context = app.state.issuer
    with Session(context.engine, expire_on_commit=False) as session:
        org = create_organisation(context, session, "School")
        session.commit()
    client = TestClient(app, headers={"Authorization": f"Bearer {org.api_token}"})
    made = client.post("/api/achievements", json={
        "name": "Samenwerken", "description": "Werkt samen", "criteriaNarrative": "Project"})
    assert made.status_code == 201, made.text
    achievement = StoredAchievement.model_validate(made.json())
    holder = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    issued = client.post(f"/api/achievements/{achievement.id}/issue",
                         json={"recipient": holder, "idempotencyKey": "k-1"})
    assert issued.status_code == 201, issued.text
    outcome = IssuedCredential.model_validate(issued.json())
    assert isinstance(outcome.verifiable_credential, dict)
    unsigned = {name: value for name, value in outcome.verifiable_credential.items()
                if name not in ("proof", "id", "credentialStatus")}
    vc_api = client.post("/credentials/issue", json={"credential": unsigned})
    assert vc_api.status_code == 201, vc_api.text
    IssueCredentialResponse.model_validate(vc_api.json())
    offer = client.post("/api/offers", json={"achievementId": achievement.id})
    assert offer.status_code == 201, offer.text
    offer_id = NewOffer.model_validate(offer.json()).offer_id
    CredentialOfferDocument.model_validate(client.get(f"/oid4vci/offers/{offer_id}").json())
    framework = client.post("/api/frameworks/csv", params={"title": "Vaardigheden"},
                            content="code,name\nS1,Samenwerken\n",
                            headers={"content-type": "text/csv"})
    assert framework.status_code == 201, framework.text
    framework_id = FrameworkDocument.model_validate(framework.json()).id
    for path, model in (
        (f"/api/frameworks/{framework_id}", FrameworkDocument),
        ("/api/frameworks", FrameworkList), ("/api/achievements", AchievementList),
        ("/api/credentials", RecordPage),
        (f"/api/credentials/{outcome.record.credential_id}", RecordDetail),
        ("/api/profiles", ProfileList), ("/api/offers", OfferList),
        ("/api/endorsements", EndorsementList), ("/api/bulk", JobList),
    ):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        model.model_validate(answer.json())
    context.close()

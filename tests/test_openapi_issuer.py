"""The issuer's OpenAPI document describes its bodies (each POST, PUT and PATCH has a request
body with a schema, each JSON response a schema), and what the issuer answers fits the
response models that document it (they forbid undocumented members).

The issuer part of tests/test_openapi_bodies.py (the verifier helper's), kept separate until
both are merged. The app is built in-process with SQLite; no server runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from issuer.api.app import create_app
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
from issuer.config import IssuerSettings
from issuer.services.context import IssuerContext
from issuer.services.organisations import create_organisation

BODY_METHODS = ("post", "put", "patch")
NO_BODY = {
    ("post", "/oid4vci/nonce"),  # OpenID4VCI: a fresh c_nonce, nothing to send
    ("post", "/api/profiles/{profile_id}/rotate-key"),  # the path says it all
}
HOLDER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"


@pytest.fixture
def context(tmp_path: Path) -> Iterator[IssuerContext]:
    ctx = IssuerContext.open(IssuerSettings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'issuer.db'}"))
    yield ctx
    ctx.close()


def operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and "responses" in operation:
                yield method, path, operation


def has_schema(content: dict[str, Any], media_type: str) -> bool:
    schema = content.get(media_type, {}).get("schema")
    return isinstance(schema, dict) and bool(schema)


def test_every_body_and_json_response_is_documented(context: IssuerContext) -> None:
    document = create_app(context=context).openapi()
    no_body, no_response = [], []
    for method, path, operation in operations(document):
        if method in BODY_METHODS and (method, path) not in NO_BODY:
            content = operation.get("requestBody", {}).get("content", {})
            if not any(has_schema(content, media_type) for media_type in content):
                no_body.append(f"{method.upper()} {path}")
        for status, response in operation["responses"].items():
            content = response.get("content", {})
            if "application/json" in content and not has_schema(content, "application/json"):
                no_response.append(f"{method.upper()} {path} {status}")
    assert no_body == []
    assert no_response == []
    present = {(method, path) for method, path, _ in operations(document)}
    assert present >= NO_BODY


def test_answers_fit_their_documented_schema(context: IssuerContext) -> None:
    with Session(context.engine, expire_on_commit=False) as session:
        org = create_organisation(context, session, "School")
        session.commit()
    client = TestClient(create_app(context=context),
                        headers={"Authorization": f"Bearer {org.api_token}"})
    made = client.post("/api/achievements", json={
        "name": "Samenwerken", "description": "Werkt samen", "criteriaNarrative": "Project"})
    assert made.status_code == 201, made.text
    achievement = StoredAchievement.model_validate(made.json())
    issued = client.post(f"/api/achievements/{achievement.id}/issue",
                         json={"recipient": HOLDER, "idempotencyKey": "k-1"})
    assert issued.status_code == 201, issued.text
    record = IssuedCredential.model_validate(issued.json()).record
    unsigned = {k: v for k, v in IssuedCredential.model_validate(issued.json())
                .verifiable_credential.items()  # type: ignore[union-attr]
                if k not in ("proof", "id", "credentialStatus")}
    vc_api = client.post("/credentials/issue", json={"credential": unsigned})
    assert vc_api.status_code == 201, vc_api.text
    IssueCredentialResponse.model_validate(vc_api.json())
    offer = client.post("/api/offers", json={"achievementId": achievement.id})
    assert offer.status_code == 201, offer.text
    new_offer = NewOffer.model_validate(offer.json())
    CredentialOfferDocument.model_validate(
        client.get(f"/oid4vci/offers/{new_offer.offer_id}").json())
    framework = client.post("/api/frameworks/csv", params={"title": "Vaardigheden"},
                            content="code,name\nS1,Samenwerken\n",
                            headers={"content-type": "text/csv"})
    assert framework.status_code == 201, framework.text
    framework_id = FrameworkDocument.model_validate(framework.json()).id
    for path, model in (
        (f"/api/frameworks/{framework_id}", FrameworkDocument),
        ("/api/achievements", AchievementList), ("/api/credentials", RecordPage),
        (f"/api/credentials/{record.credential_id}", RecordDetail),
        ("/api/profiles", ProfileList), ("/api/frameworks", FrameworkList),
        ("/api/offers", OfferList), ("/api/endorsements", EndorsementList),
        ("/api/bulk", JobList),
    ):
        answer = client.get(path)
        assert answer.status_code == 200, (path, answer.text)
        model.model_validate(answer.json())

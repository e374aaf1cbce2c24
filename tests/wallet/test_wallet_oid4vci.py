"""Receiving credentials over OpenID4VCI from the real issuer service: offers made by staff
through the issuer's API, received by the wallet service, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import httpx
import pytest

from standards.verification import verify_credential
from tests import inprocess
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService
from tests.verifier.conftest import issuer, issuer_org  # noqa: F401
from tests.wallet.conftest import Owner


@pytest.fixture
def issuer_api(issuer: IssuerService, issuer_org: dict[str, Any]  # noqa: F811
               ) -> Iterator[httpx.Client]:
    with issuer.client(issuer_org["api_token"]) as client:
        yield client


@pytest.fixture
def achievement_id(issuer_api: httpx.Client) -> str:
    made = issuer_api.post("/api/achievements", json={
        "name": "Klassenmanagement", "description": "Leidt een klas rustig en doelgericht.",
        "criteriaNarrative": "Drie lesobservaties met een voldoende."})
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def make_offer(api: httpx.Client, achievement_id: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/offers", json={"achievementId": achievement_id,
                                             "recipientName": "Sam de Vries", **fields})
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def stored_count(owner: Owner) -> int:
    return len(owner.client.get(owner.url("/credentials")).json())


def test_receive_with_tx_code(owner: Owner, issuer_api: httpx.Client,
                              achievement_id: str) -> None:
    made = make_offer(issuer_api, achievement_id)
    preview = owner.client.post(owner.url("/credentials/offers/preview"),
                                json={"offer": made["offerUri"]})
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["txCodeRequired"] is True and shown["txCode"]["length"] == 6
    assert shown["txCode"]["inputMode"] == "numeric"
    assert shown["format"] == "ldp_vc" and shown["issuer"]["name"]
    # the configuration's display name (OpenID4VCI 1.0: under credential_metadata)
    assert shown["name"] == "Open Badge", shown

    # no code, a code of the wrong shape: refused here, the issuer's attempts are not used
    missing = owner.client.post(owner.url("/credentials/offers"), json={"offer": made["offerUri"]})
    assert missing.status_code == 422 and "needs a transaction code" in missing.json()["message"]
    short = owner.client.post(owner.url("/credentials/offers"),
                              json={"offer": made["offerUri"], "txCode": "12"})
    assert short.status_code == 422 and "6 characters" in short.json()["message"]
    # a wrong code: the issuer's own words come through, nothing is stored
    wrong = f"{(int(made['txCode']) + 1) % 1_000_000:06d}"
    refused = owner.client.post(owner.url("/credentials/offers"),
                                json={"offer": made["offerUri"], "txCode": wrong})
    assert refused.status_code == 422, refused.text
    message = refused.json()["message"]
    assert "invalid_grant" in message and "attempt(s) left" in message
    assert stored_count(owner) == 0

    received = owner.client.post(owner.url("/credentials/offers"),
                                 json={"offer": made["offerUri"], "txCode": made["txCode"]})
    assert received.status_code == 201, received.text
    body = received.json()
    assert body["source"] == "oid4vci" and body["format"] == "ldp_vc"
    assert body["verification"]["verified"] is True and body["duplicate"] is False
    view = owner.client.get(owner.url(f"/credentials/{body['id']}")).json()
    credential = view["credential"]
    assert credential["credentialSubject"]["id"] == owner.did  # bound to the owner's DID
    assert view["state"] == "valid"
    result = verify_credential(credential, fetcher=local_fetcher())
    assert result.verified, result.to_json()

    # the offer is used up: a clear refusal, nothing more stored
    again = owner.client.post(owner.url("/credentials/offers"),
                              json={"offer": made["offerUri"], "txCode": made["txCode"]})
    assert again.status_code == 422 and "no longer available" in again.json()["message"]
    assert stored_count(owner) == 1


def test_receive_jwt_without_tx_code_by_value(owner: Owner, issuer_api: httpx.Client,
                                              achievement_id: str) -> None:
    made = make_offer(issuer_api, achievement_id, txCode=False, format="jwt_vc_json")
    assert made["txCode"] is None
    preview = owner.client.post(owner.url("/credentials/offers/preview"),
                                json={"offer": made["offerUri"]}).json()
    assert preview["txCodeRequired"] is False and preview["txCode"] is None
    # the offer passed by value (credential_offer=) instead of by reference
    reference = parse_qs(urlsplit(made["offerUri"]).query)["credential_offer_uri"][0]
    offer = inprocess.get(reference).json()
    by_value = "openid-credential-offer://?credential_offer=" + quote(json.dumps(offer))
    received = owner.client.post(owner.url("/credentials/offers"), json={"offer": by_value})
    assert received.status_code == 201, received.text
    assert received.json()["format"] == "jwt_vc"
    view = owner.client.get(owner.url(f"/credentials/{received.json()['id']}")).json()
    assert isinstance(view["credential"], str) and view["state"] == "valid"
    assert view["readable"]["subject"]["id"] == owner.did


def test_bad_offers_and_who_may_receive(wallet_server: Any, owner: Owner,
                                        issuer_api: httpx.Client, achievement_id: str) -> None:
    for offer, status, words in (
            ("", 400, "must be the credential offer"),
            ("hello", 400, "not a credential offer"),
            ("openid-credential-offer://?credential_offer=%7Bnope", 400, "not valid JSON"),
            ("openid-credential-offer://?credential_offer=%7B%7D", 422, "credential_issuer"),
            ("http://127.0.0.1:9/offer", 502, "could not fetch")):
        answer = owner.client.post(owner.url("/credentials/offers"), json={"offer": offer})
        assert answer.status_code == status, (offer, answer.text)
        assert words in answer.json()["message"], answer.text
    made = make_offer(issuer_api, achievement_id)
    coordinator = wallet_server.delegate(owner, "coordinator")
    refused = coordinator.client.post(owner.url("/credentials/offers"),
                                      json={"offer": made["offerUri"], "txCode": made["txCode"]})
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    assert stored_count(owner) == 0

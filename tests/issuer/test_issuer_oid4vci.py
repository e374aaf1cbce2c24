"""OpenID4VCI 1.0 pre-authorized code flow over real HTTP, on SQLite and PostgreSQL, driven by
the test wallet (tests/oid4vci_wallet.py)."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
import qrcode
from PIL import Image
from sqlalchemy import update
from sqlmodel import Session

from issuer.config import IssuerSettings
from issuer.db import session_scope
from issuer.models import CredentialOffer, utc_now
from issuer.services.achievements import AchievementInput, create_achievement
from issuer.services.context import IssuerContext
from issuer.services.organisations import get_organisation
from servicekit import qr
from standards.keys import generate_key
from standards.verification import verify_credential
from tests import inprocess
from tests.inprocess import NETWORK, local_fetcher
from tests.issuer.conftest import IssuerService
from tests.oid4vci_wallet import PRE_AUTHORIZED_GRANT, TestWallet, WalletError, subject_id

LDP = "OpenBadgeCredential_ldp_vc"
JWT = "OpenBadgeCredential_jwt_vc_json"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DESCRIPTION_ID = "urn:uuid:5f7e1c7a-6d1f-4a53-9a32-2f0c1c0b7a01"
LEVEL_ID = "urn:uuid:9b6f5d3e-1111-4c6b-8a2e-3b1e2f4a5c61"
EVIDENCE = {"id": "https://school.example/evidence/lesvideo.mp4", "name": "Lesvideo",
            "narrative": "Een les rekenen in groep 6."}
RESULT = {"resultDescription": DESCRIPTION_ID, "achievedLevel": LEVEL_ID}


@pytest.fixture
def issuer_ctx(issuer_server: IssuerService) -> Iterator[IssuerContext]:
    """The running server's database, opened from the test (same data dir, same key file)."""
    ctx = IssuerContext.open(IssuerSettings(
        data_dir=issuer_server.data_dir, database_url=issuer_server.database_url,
        public_url=issuer_server.base_url), run_migrations=False)
    yield ctx
    ctx.close()


@pytest.fixture
def achievement_id(issuer_ctx: IssuerContext, org: dict[str, Any]) -> str:
    with session_scope(issuer_ctx.engine) as session:
        organisation = get_organisation(session, org["org"])
        achievement = create_achievement(issuer_ctx, session, organisation, AchievementInput(
            name="Klassenmanagement", description="Leidt een klas rustig en doelgericht.",
            criteria_narrative="Drie lesobservaties met een voldoende.",
            result_descriptions=[{
                "id": DESCRIPTION_ID,
                "type": ["ResultDescription"], "name": "Niveau",
                "resultType": "RubricCriterionLevel",
                "rubricCriterionLevel": [{"id": LEVEL_ID, "type": ["RubricCriterionLevel"],
                                          "name": "Goed"}],
            }]))
        return achievement.id


@pytest.fixture
def wallet() -> Iterator[TestWallet]:
    holder = TestWallet(client=NETWORK.client())
    yield holder
    holder.close()


def make_offer(api: httpx.Client, achievement_id: str, **fields: Any) -> dict[str, Any]:
    response = api.post("/api/offers", json={"achievementId": achievement_id,
                                             "recipientName": "Sam de Vries",
                                             "recipientEmail": "Sam@Example.org", **fields})
    assert response.status_code == 201, response.text
    return response.json()


def offer_row(api: httpx.Client, offer_id: str) -> dict[str, Any]:
    rows = [row for row in api.get("/api/offers").json()["offers"] if row["offerId"] == offer_id]
    assert len(rows) == 1
    return rows[0]


def verified(credential: dict[str, Any] | str) -> None:
    result = verify_credential(credential, fetcher=local_fetcher(),
                               check_status=True)
    assert result.verified, result.to_json()


# --- metadata -------------------------------------------------------------------------------
def test_metadata_describes_issuer_and_authorization_server(issuer_server: IssuerService,
                                                           wallet: TestWallet) -> None:
    base = issuer_server.base_url
    issuer = wallet.discover(base)  # checks credential_issuer and issuer match exactly
    metadata = issuer.metadata
    assert metadata["credential_endpoint"] == f"{base}/oid4vci/credential"
    assert metadata["nonce_endpoint"] == f"{base}/oid4vci/nonce"
    assert {item["locale"] for item in metadata["display"]} == {"nl", "en"}
    configurations = metadata["credential_configurations_supported"]
    assert set(configurations) == {LDP, JWT}
    ldp = configurations[LDP]
    assert ldp["format"] == "ldp_vc"
    assert ldp["credential_definition"] == {
        "@context": ["https://www.w3.org/ns/credentials/v2",
                     "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"]}
    assert ldp["cryptographic_binding_methods_supported"] == ["did:key", "did:jwk"]
    assert ldp["credential_signing_alg_values_supported"] == ["eddsa-rdfc-2022"]
    assert ldp["proof_types_supported"] == {
        "jwt": {"proof_signing_alg_values_supported": ["EdDSA", "ES256"]}}
    assert configurations[JWT]["format"] == "jwt_vc_json"
    assert "@context" not in configurations[JWT]["credential_definition"]

    server = issuer.authorization_server
    assert server["token_endpoint"] == f"{base}/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True
    assert PRE_AUTHORIZED_GRANT in server["grant_types_supported"]


# --- the whole flow -------------------------------------------------------------------------
def test_full_flow_with_tx_code_binds_the_wallet_did(issuer_server: IssuerService,
                                                     api: httpx.Client, achievement_id: str,
                                                     wallet: TestWallet) -> None:
    made = make_offer(api, achievement_id, evidence=[EVIDENCE], results=[RESULT])
    assert re.fullmatch(r"[0-9]{6}", made["txCode"])
    uri = made["offerUri"]
    assert uri.startswith("openid-credential-offer://?credential_offer_uri=")
    reference = parse_qs(urlsplit(uri).query)["credential_offer_uri"][0]
    assert reference == f"{issuer_server.base_url}/oid4vci/offers/{made['offerId']}"
    assert made["qrPng"] == f"{reference}/qr.png" and made["qrSvg"] == f"{reference}/qr.svg"

    offer = wallet.fetch_offer(uri)
    grant = offer["grants"][PRE_AUTHORIZED_GRANT]
    assert offer["credential_issuer"] == issuer_server.base_url
    assert offer["credential_configuration_ids"] == [LDP]
    assert grant["tx_code"]["input_mode"] == "numeric" and grant["tx_code"]["length"] == 6
    assert made["txCode"] not in str(offer)  # the transaction code travels separately

    credential = wallet.receive(uri, made["txCode"])
    assert isinstance(credential, dict)
    assert credential["credentialSubject"]["id"] == wallet.did
    assert credential["evidence"][0]["id"] == EVIDENCE["id"]
    assert credential["credentialSubject"]["result"][0]["achievedLevel"] == LEVEL_ID
    verified(credential)

    row = offer_row(api, made["offerId"])
    assert row["state"] == "issued" and row["recordId"]
    assert row["recipientEmail"] == "sam@example.org"
    gone = api.get(f"/oid4vci/offers/{made['offerId']}")
    assert gone.status_code == 410 and gone.json()["error"] == "gone"


def test_jwt_vc_json_without_tx_code(issuer_server: IssuerService, api: httpx.Client,
                                     achievement_id: str, wallet: TestWallet) -> None:
    made = make_offer(api, achievement_id, txCode=False, format="jwt_vc_json")
    assert made["txCode"] is None
    offer = wallet.fetch_offer(made["offerUri"])
    assert offer["credential_configuration_ids"] == [JWT]
    assert "tx_code" not in offer["grants"][PRE_AUTHORIZED_GRANT]
    # a transaction code the offer did not ask for is a malformed request, not a guess
    issuer = wallet.discover(offer["credential_issuer"])
    response = inprocess.post(issuer.authorization_server["token_endpoint"], data={
        "grant_type": PRE_AUTHORIZED_GRANT, "tx_code": "123456",
        "pre-authorized_code": offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]})
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"

    credential = wallet.receive(made["offerUri"])
    assert isinstance(credential, str) and credential.count(".") == 2
    assert subject_id(credential) == wallet.did
    verified(credential)


def test_jwk_header_proof_binds_a_did_jwk(issuer_server: IssuerService, api: httpx.Client,
                                          achievement_id: str) -> None:
    holder = TestWallet(generate_key("p256"), use_jwk=True,  # ES256, key sent as jwk
                        client=NETWORK.client())
    try:
        made = make_offer(api, achievement_id)
        credential = holder.receive(made["offerUri"], made["txCode"])
    finally:
        holder.close()
    assert isinstance(credential, dict)
    assert credential["credentialSubject"]["id"].startswith("did:jwk:")
    assert credential["credentialSubject"]["id"] == holder.did
    verified(credential)


# --- the token endpoint ---------------------------------------------------------------------
def test_wrong_tx_codes_lock_the_offer_after_five(issuer_server: IssuerService,
                                                  api: httpx.Client, achievement_id: str,
                                                  wallet: TestWallet) -> None:
    made = make_offer(api, achievement_id)
    offer = wallet.fetch_offer(made["offerUri"])
    issuer = wallet.discover(offer["credential_issuer"])
    wrong = f"{(int(made['txCode']) + 1) % 1_000_000:06d}"

    response = inprocess.post(issuer.authorization_server["token_endpoint"], data={
        "grant_type": PRE_AUTHORIZED_GRANT,
        "pre-authorized_code": offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]})
    assert response.json()["error"] == "invalid_request"  # missing: not counted as a guess

    for attempt in range(1, 6):
        with pytest.raises(WalletError) as failure:
            wallet.redeem(issuer, offer, wrong)
        assert failure.value.status == 400 and failure.value.error == "invalid_grant"
        if attempt < 5:
            assert f"{5 - attempt} attempt(s) left" in str(failure.value)
    with pytest.raises(WalletError) as locked:
        wallet.redeem(issuer, offer, made["txCode"])  # the right code, too late
    assert locked.value.error == "invalid_grant" and "locked" in str(locked.value)
    assert offer_row(api, made["offerId"])["state"] == "locked"
    assert api.get(f"/oid4vci/offers/{made['offerId']}").status_code == 410


def test_pre_authorized_code_is_single_use(issuer_server: IssuerService, api: httpx.Client,
                                           achievement_id: str, wallet: TestWallet) -> None:
    made = make_offer(api, achievement_id)
    offer = wallet.fetch_offer(made["offerUri"])
    issuer = wallet.discover(offer["credential_issuer"])
    token_endpoint = issuer.authorization_server["token_endpoint"]

    response = inprocess.post(token_endpoint, data={"grant_type": PRE_AUTHORIZED_GRANT,
                                                "pre-authorized_code": "made-up",
                                                "tx_code": made["txCode"]})
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"
    response = inprocess.post(token_endpoint, data={"grant_type": "authorization_code",
                                                "code": "x"})
    assert response.json()["error"] == "unsupported_grant_type"
    response = inprocess.post(token_endpoint, json={"grant_type": PRE_AUTHORIZED_GRANT})
    assert response.json()["error"] == "invalid_request"

    first = inprocess.post(token_endpoint, data={
        "grant_type": PRE_AUTHORIZED_GRANT, "tx_code": made["txCode"],
        "pre-authorized_code": offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]})
    assert first.status_code == 200, first.text
    assert first.headers["cache-control"] == "no-store"
    assert first.json()["token_type"] == "Bearer" and first.json()["expires_in"] > 0
    with pytest.raises(WalletError) as again:
        wallet.redeem(issuer, offer, made["txCode"])
    assert again.value.error == "invalid_grant" and "already used" in str(again.value)


def test_expired_offer_is_gone(issuer_server: IssuerService, api: httpx.Client,
                               achievement_id: str, issuer_ctx: IssuerContext,
                               wallet: TestWallet) -> None:
    made = make_offer(api, achievement_id)
    offer = wallet.fetch_offer(made["offerUri"])  # still fine
    with issuer_ctx.engine.begin() as connection:
        connection.execute(update(CredentialOffer).where(
            CredentialOffer.id == made["offerId"],
        ).values(expires_at=utc_now() - timedelta(minutes=1)))
    assert api.get(f"/oid4vci/offers/{made['offerId']}").status_code == 410
    issuer = wallet.discover(offer["credential_issuer"])
    with pytest.raises(WalletError) as expired:
        wallet.redeem(issuer, offer, made["txCode"])
    assert expired.value.error == "invalid_grant" and "expired" in str(expired.value)
    assert offer_row(api, made["offerId"])["state"] == "expired"


def test_parallel_requests_cannot_beat_the_limits(issuer_server: IssuerService,
                                                  api: httpx.Client, achievement_id: str,
                                                  issuer_ctx: IssuerContext,
                                                  wallet: TestWallet) -> None:
    made = make_offer(api, achievement_id)
    offer = wallet.fetch_offer(made["offerUri"])
    token_endpoint = wallet.discover(offer["credential_issuer"]) \
        .authorization_server["token_endpoint"]
    code = offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]

    def redeem(tx_code: str) -> httpx.Response:
        return inprocess.post(token_endpoint, timeout=60, data={
            "grant_type": PRE_AUTHORIZED_GRANT, "pre-authorized_code": code, "tx_code": tx_code})

    # ten wrong guesses at once: still only five are ever compared, then the offer locks
    wrong = [f"{(int(made['txCode']) + step) % 1_000_000:06d}" for step in range(1, 11)]
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(redeem, wrong))
    assert all(answer.json()["error"] == "invalid_grant" for answer in answers)
    with Session(issuer_ctx.engine) as session:
        stored = session.get(CredentialOffer, made["offerId"])
    assert stored is not None
    assert stored.tx_code_attempts == 5 and stored.state == "locked"

    # the right code sent eight times at once: exactly one access token
    fresh = make_offer(api, achievement_id)
    offer = wallet.fetch_offer(fresh["offerUri"])
    code = offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"]
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(redeem, [fresh["txCode"]] * 8))
    assert sorted(answer.status_code for answer in answers) == [200] + [400] * 7


# --- the credential endpoint ----------------------------------------------------------------
def test_bad_key_proofs_issue_nothing(issuer_server: IssuerService, api: httpx.Client,
                                      achievement_id: str, wallet: TestWallet) -> None:
    made = make_offer(api, achievement_id)
    offer = wallet.fetch_offer(made["offerUri"])
    issuer = wallet.discover(offer["credential_issuer"])
    token = wallet.redeem(issuer, offer, made["txCode"])
    audience = issuer.identifier

    def attempt(body: dict[str, Any], error: str, bearer: str = token) -> None:
        response = wallet.post_credential(issuer, bearer, body)
        assert response.status_code == (401 if error == "invalid_token" else 400), response.text
        assert response.json()["error"] == error, response.text
        assert response.headers["cache-control"] == "no-store"

    def with_proof(proof: str) -> dict[str, Any]:
        return {"credential_configuration_id": LDP, "proofs": {"jwt": [proof]}}

    attempt(with_proof(wallet.key_proof("https://elsewhere.example", wallet.nonce(issuer))),
            "invalid_proof")
    attempt(with_proof(wallet.key_proof(audience, "never-issued-nonce")), "invalid_nonce")
    attempt(with_proof(wallet.key_proof(audience, None)), "invalid_proof")
    attempt(with_proof(wallet.key_proof(audience, wallet.nonce(issuer),
                                        signer=generate_key("ed25519"))), "invalid_proof")
    attempt(with_proof(wallet.key_proof(audience, wallet.nonce(issuer), typ="JWT")),
            "invalid_proof")
    attempt(with_proof(wallet.key_proof(audience, wallet.nonce(issuer), iat=0)),
            "invalid_proof")
    attempt({"credential_configuration_id": LDP}, "invalid_proof")
    attempt({"credential_configuration_id": "Diploma", "proofs": {"jwt": ["x"]}},
            "unknown_credential_configuration")
    attempt({"credential_configuration_id": JWT,
             "proofs": {"jwt": [wallet.key_proof(audience, wallet.nonce(issuer))]}},
            "invalid_credential_request")  # the offer was for ldp_vc
    attempt(with_proof(wallet.key_proof(audience, wallet.nonce(issuer))), "invalid_token",
            bearer="not-a-token")
    row = offer_row(api, made["offerId"])
    assert row["state"] == "token_issued" and row["recordId"] is None

    # a nonce is single use: one spent on a good proof for another offer is refused here
    other = make_offer(api, achievement_id, txCode=False)
    other_offer = wallet.fetch_offer(other["offerUri"])
    other_token = wallet.redeem(issuer, other_offer, None)
    spent = wallet.nonce(issuer)
    wallet.request_credential(issuer, other_token, LDP, wallet.key_proof(audience, spent))
    attempt(with_proof(wallet.key_proof(audience, spent)), "invalid_nonce")

    # none of this used up the offer: a good proof (older single `proof` form) still works
    good = {"credential_configuration_id": LDP,
            "proof": {"proof_type": "jwt", "jwt": wallet.key_proof(audience,
                                                                    wallet.nonce(issuer))}}
    response = wallet.post_credential(issuer, token, good)
    assert response.status_code == 200, response.text
    credential = response.json()["credentials"][0]["credential"]
    assert credential["credentialSubject"]["id"] == wallet.did

    # single issuance: a second request with the same access token is refused
    attempt(with_proof(wallet.key_proof(audience, wallet.nonce(issuer))),
            "credential_request_denied")
    assert offer_row(api, made["offerId"])["state"] == "issued"


def test_nonces_are_fresh_and_not_cached(issuer_server: IssuerService) -> None:
    with issuer_server.client() as client:
        first, second = client.post("/oid4vci/nonce"), client.post("/oid4vci/nonce")
    assert first.status_code == 200
    assert "no-store" in first.headers["cache-control"]
    assert first.json()["c_nonce"] != second.json()["c_nonce"]
    assert len(first.json()["c_nonce"]) >= 32


# --- QR codes -------------------------------------------------------------------------------
def test_qr_codes_encode_the_offer_uri(issuer_server: IssuerService, api: httpx.Client,
                                       achievement_id: str) -> None:
    made = make_offer(api, achievement_id)
    png = inprocess.get(made["qrPng"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert png.content.startswith(PNG_SIGNATURE)

    # The expected module matrix for the offer URI; each module of the PNG must match it.
    code = qrcode.QRCode(error_correction=qr.ERROR_CORRECTION, box_size=qr.BOX_SIZE,
                         border=qr.BORDER)
    code.add_data(made["offerUri"])
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.open(io.BytesIO(png.content)).convert("L")
    assert image.size == (len(matrix) * qr.BOX_SIZE,) * 2
    half = qr.BOX_SIZE // 2
    seen = [[cast(int, image.getpixel((x * qr.BOX_SIZE + half, y * qr.BOX_SIZE + half))) < 128
             for x in range(len(matrix))] for y in range(len(matrix))]
    assert seen == matrix

    svg = inprocess.get(made["qrSvg"])
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    root = ET.fromstring(svg.content)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}path") is not None

    with issuer_server.client() as client:
        assert client.get("/oid4vci/offers/0000/qr.png").status_code == 404
        assert client.get("/oid4vci/offers/0000").status_code == 404


# --- the staff API --------------------------------------------------------------------------
def test_offer_api_needs_a_token_and_sees_only_its_own(issuer_server: IssuerService,
                                                       api: httpx.Client, achievement_id: str,
                                                       issuer_ctx: IssuerContext) -> None:
    body = {"achievementId": achievement_id}
    with issuer_server.client() as anonymous:
        assert anonymous.post("/api/offers", json=body).status_code == 401
        assert anonymous.get("/api/offers").status_code == 401
    other = issuer_server.create_org("Another school")
    with issuer_server.client(other["api_token"]) as stranger:
        assert stranger.post("/api/offers", json=body).status_code == 404
        assert stranger.get("/api/offers").json() == {"offers": []}

    assert api.post("/api/offers", json={**body, "format": "mso_mdoc"}).status_code == 422
    assert api.post("/api/offers", json={**body, "recipientEmail": "no"}).status_code == 422
    assert api.post("/api/offers", json={**body, "txCode": "yes"}).status_code == 400
    assert api.post("/api/offers", json={}).status_code == 400
    for evidence in ({"favouriteColour": "blue"}, {"name": "neither a URL nor a narrative"}):
        refused = api.post("/api/offers", json={**body, "evidence": [evidence]})
        assert refused.status_code == 422, refused.text
    made = make_offer(api, achievement_id)
    assert [row["offerId"] for row in api.get("/api/offers").json()["offers"]] == \
        [made["offerId"]]
    with Session(issuer_ctx.engine) as session:
        stored = session.get(CredentialOffer, made["offerId"])
    assert stored is not None
    # only hashes are stored: neither the pre-authorized code nor the transaction code
    reference = parse_qs(urlsplit(made["offerUri"]).query)["credential_offer_uri"][0]
    grant = inprocess.get(reference).json()["grants"][PRE_AUTHORIZED_GRANT]
    texts = [value for value in stored.model_dump().values() if isinstance(value, str)]
    assert not any(grant["pre-authorized_code"] in text for text in texts)
    assert re.fullmatch(r"[0-9a-f]{64}", stored.tx_code_hash or "")
    assert re.fullmatch(r"[0-9a-f]{64}", stored.pre_authorized_code_hash)
    assert made["txCode"] not in json.dumps(stored.issue_options)

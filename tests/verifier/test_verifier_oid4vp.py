"""OpenID4VP on the real verifier: a request (DCQL or Presentation Exchange) answered by the
test wallet with a credential the real issuer signed to the wallet's did:key, over HTTP.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import zxingcpp
from PIL import Image

from standards.dids import DidResolver
from standards.jose import decode_compact_jws
from standards.keys import generate_key
from standards.request_objects import RequestObjectError, read_request_object
from tests import inprocess
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import unsigned_credential_of
from tests.js_harness import require_harness, run_node
from tests.oid4vci_wallet import WalletError
from tests.oid4vp_wallet import PresentingWallet
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import achievement_credential, new_signer
from verifier.config import VerifierSettings
from verifier.signing_key import verifier_key

OB_TYPE_IRI = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#OpenBadgeCredential"
VC_TYPE_IRI = "https://www.w3.org/2018/credentials#VerifiableCredential"


def issue_to(issuer_api: httpx.Client, did: str) -> dict[str, Any]:
    """An OB 3.0 credential the real issuer signs (did:web, with status) about `did`."""
    credential = unsigned_credential_of(issuer_api)
    credential["credentialSubject"] = {**credential["credentialSubject"], "id": did}
    response = issuer_api.post("/credentials/issue", json={"credential": credential})
    assert response.status_code == 201, response.text
    return response.json()["verifiableCredential"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def issuer_api_module(issuer: IssuerService, issuer_org: dict[str, Any]) -> Iterator[httpx.Client]:
    """Like conftest's issuer_api, once per module: the holder's credential is issued once."""
    with issuer.client(issuer_org["api_token"]) as client:
        yield client


@pytest.fixture(scope="module")
def holder(issuer_api_module: httpx.Client) -> Iterator[PresentingWallet]:
    """A wallet holding an Open Badge the real issuer signed to its did:key."""
    wallet = PresentingWallet(client=inprocess.NETWORK.client())
    wallet.credentials.append(issue_to(issuer_api_module, wallet.did))
    yield wallet
    wallet.close()


def new_request(verifier: VerifierService, **body: Any) -> dict[str, Any]:
    response = inprocess.post(f"{verifier.base_url}/oid4vp/requests", json=body or None,
                          timeout=30)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()  # type: ignore[no-any-return]


def status_of(verifier: VerifierService, request_id: str) -> dict[str, Any]:
    response = inprocess.get(f"{verifier.base_url}/oid4vp/requests/{request_id}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def post_answer(verifier: VerifierService, form: dict[str, str] | str,
                content_type: str = "application/x-www-form-urlencoded") -> httpx.Response:
    content = form if isinstance(form, str) else urlencode(form)
    return inprocess.post(f"{verifier.base_url}/oid4vp/response", content=content.encode(),
                      headers={"content-type": content_type}, timeout=60)


def oauth_error(response: httpx.Response, status: int = 400) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == "invalid_request"
    return str(body["error_description"])


def checks_of(report: dict[str, Any]) -> dict[str, bool]:
    return {c["check"]: c["ok"] for c in report["checks"]}


# --- requests -------------------------------------------------------------------------
def test_dcql_request_follows_openid4vp(verifier: VerifierService,
                                        holder: PresentingWallet) -> None:
    created = new_request(verifier)
    assert created["query_language"] == "dcql"
    assert created["status_url"] == f"{verifier.base_url}/oid4vp/requests/{created['id']}"
    assert created["expires_in"] == 300
    uri = created["authorization_request"]
    params = {k: v[0] for k, v in parse_qs(urlsplit(uri).query).items()}
    assert uri.startswith("openid4vp://?")
    assert params["response_type"] == "vp_token"
    assert params["response_mode"] == "direct_post"
    assert params["response_uri"] == f"{verifier.base_url}/oid4vp/response"
    assert params["client_id"] == "redirect_uri:" + params["response_uri"]
    assert params["state"] != created["id"]  # the QR code does not read the result
    assert "presentation_definition" not in params
    (query,) = json.loads(params["dcql_query"])["credentials"]
    assert query["format"] == "ldp_vc"
    assert [VC_TYPE_IRI, OB_TYPE_IRI] in query["meta"]["type_values"]
    request = holder.parse_request(uri)  # the wallet accepts it as a redirect_uri: request
    formats = request.client_metadata["vp_formats_supported"]["ldp_vc"]
    assert "eddsa-rdfc-2022" in formats["cryptosuite_values"]
    assert status_of(verifier, created["id"]) == {"id": created["id"], "state": "pending",
                                                 "report": None, "error": None}


def test_request_options_are_checked(verifier: VerifierService) -> None:
    url = f"{verifier.base_url}/oid4vp/requests"
    for body, words in (({"query": "sql"}, "body.query: Input should be 'dcql' or 'pe'"),
                        ({"types": "OpenBadgeCredential"}, "body.types: Input should be a "
                                                           "valid list"),
                        ({"types": []}, "body.types: List should have at least 1 item"),
                        ({"types": [" "]}, "list of 1 to"),
                        ({"types": ["NoSuchCredential"]}, "unknown credential type")):
        response = inprocess.post(url, json=body, timeout=30)
        assert response.status_code == 400, body
        assert words in response.json()["message"]
    response = inprocess.post(url, content=b"{not json", timeout=30)
    assert response.status_code == 400
    assert "malformed JSON" in response.json()["message"]
    unknown = inprocess.get(f"{url}/no-such-request", timeout=30)
    assert unknown.status_code == 404
    assert "no OpenID4VP request" in unknown.json()["message"]


def test_qr_codes_hold_the_request_uri(verifier: VerifierService) -> None:
    created = new_request(verifier, query="pe")
    base = f"{verifier.base_url}/oid4vp/requests/{created['id']}"
    png = inprocess.get(f"{base}/qr.png", timeout=30)
    assert png.status_code == 200
    assert png.headers["content-type"] == "image/png"
    (code,) = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.content)))
    assert code.text == created["authorization_request"]
    svg = inprocess.get(f"{base}/qr.svg", timeout=30)
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    assert svg.text.lstrip().startswith("<")
    assert inprocess.get(f"{verifier.base_url}/oid4vp/requests/nope/qr.png").status_code == 404


# --- answered and verified ------------------------------------------------------------
def test_dcql_answer_is_verified(verifier: VerifierService, holder: PresentingWallet) -> None:
    # Asked for by its OB 3.0 alias: DCQL compares expanded types, and both expand alike.
    created = new_request(verifier, types=["AchievementCredential"])
    assert holder.answer(created["authorization_request"]) == {}
    status = status_of(verifier, created["id"])
    assert status["state"] == "answered"
    assert status["error"] is None
    report = status["report"]
    assert report["verified"], report["errors"]
    checks = checks_of(report)
    assert checks["challenge"] and checks["holder"] and checks["query"]
    assert checks["credential[0].holder-binding"]
    assert report["summary"]["holder"] == holder.did
    (credential,) = report["credentials"]
    assert credential["trust"]["status"] == "trusted"
    assert credential["summary"]["subject"]["id"] == holder.did


def test_p256_holder_answers_with_an_ecdsa_presentation(verifier: VerifierService,
                                                       issuer_api_module: httpx.Client) -> None:
    """A wallet with a P-256 key (the EU wallets' default) presents with ecdsa-rdfc-2019."""
    wallet = PresentingWallet(key=generate_key("p256"), client=inprocess.NETWORK.client())
    try:
        assert wallet.did.startswith("did:key:zDna")
        wallet.credentials.append(issue_to(issuer_api_module, wallet.did))
        created = new_request(verifier, types=["OpenBadgeCredential"])
        request = wallet.parse_request(created["authorization_request"])
        selection = wallet.select(request)
        assert selection is not None
        [[presentation]] = json.loads(wallet.response_form(request, selection)["vp_token"]).values()
        assert presentation["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
        assert wallet.answer(created["authorization_request"]) == {}
        report = status_of(verifier, created["id"])["report"]
        assert report["verified"], report["errors"]
        assert checks_of(report)["challenge"] and checks_of(report)["holder"]
        assert report["summary"]["holder"] == wallet.did
    finally:
        wallet.close()


def test_presentation_exchange_answer_is_verified(verifier: VerifierService,
                                                  holder: PresentingWallet) -> None:
    created = new_request(verifier, query="pe", types=["AchievementCredential",
                                                       "OpenBadgeCredential"])
    assert created["query_language"] == "pe"
    request = holder.parse_request(created["authorization_request"])
    assert request.dcql_query is None and request.presentation_definition is not None
    (descriptor,) = request.presentation_definition["input_descriptors"]
    assert descriptor["constraints"]["fields"][0]["path"] == ["$.type"]
    assert holder.answer(created["authorization_request"]) == {}
    report = status_of(verifier, created["id"])["report"]
    assert report["verified"], report["errors"]
    assert checks_of(report)["query"]


# --- refused ----------------------------------------------------------------------------
def test_replayed_answer_is_refused(verifier: VerifierService,
                                    holder: PresentingWallet) -> None:
    created = new_request(verifier)
    request = holder.parse_request(created["authorization_request"])
    form = holder.response_form(request, holder.select(request) or {})
    assert holder.send(request, form) == {}
    # The same answer again: the request takes one answer.
    assert "already answered" in oauth_error(post_answer(verifier, form))
    # The same presentation on the VC-API: its nonce is used up.
    presentation = json.loads(form["vp_token"])["credential"][0]
    report = verifier.verify_presentation(presentation, challenge=request.nonce,
                                          domain=request.client_id)
    assert not report["verified"]
    assert "replay" in failed(report)["challenge"]
    # The same presentation as the answer to a new request: made for another nonce.
    second = new_request(verifier)
    next_request = holder.parse_request(second["authorization_request"])
    holder.send(next_request, {**form, "state": next_request.state or ""})
    report = status_of(verifier, second["id"])["report"]
    assert not report["verified"]
    assert "challenge does not match" in failed(report)["proof"]


def test_racing_answers_only_one_is_taken(verifier: VerifierService,
                                          holder: PresentingWallet) -> None:
    created = new_request(verifier)
    request = holder.parse_request(created["authorization_request"])
    form = holder.response_form(request, holder.select(request) or {})
    with ThreadPoolExecutor(max_workers=4) as pool:
        responses = list(pool.map(lambda _: post_answer(verifier, form), range(4)))
    assert sorted(r.status_code for r in responses) == [200, 400, 400, 400]
    assert all("already answered" in oauth_error(r) for r in responses if r.status_code != 200)
    assert status_of(verifier, created["id"])["report"]["verified"]


def test_wrong_nonce_is_refused(verifier: VerifierService, holder: PresentingWallet) -> None:
    created = new_request(verifier)
    request = holder.parse_request(created["authorization_request"])
    form = holder.response_form(request, holder.select(request) or {},
                                challenge=verifier.challenge())
    assert holder.send(request, form) == {}
    report = status_of(verifier, created["id"])["report"]
    assert not report["verified"]
    assert "challenge does not match" in failed(report)["proof"]


def test_wrong_domain_is_refused(verifier: VerifierService, holder: PresentingWallet) -> None:
    created = new_request(verifier)
    request = holder.parse_request(created["authorization_request"])
    form = holder.response_form(request, holder.select(request) or {},
                                domain="redirect_uri:https://other-verifier.example/response")
    holder.send(request, form)
    report = status_of(verifier, created["id"])["report"]
    assert not report["verified"]
    assert "domain does not match" in failed(report)["proof"]


def test_holder_who_is_not_the_subject_is_refused(verifier: VerifierService,
                                                  holder: PresentingWallet) -> None:
    # The holder's credential in another wallet: another key, so another DID.
    stranger = PresentingWallet(credentials=holder.credentials, client=holder.http)
    created = new_request(verifier)
    assert stranger.answer(created["authorization_request"]) == {}
    report = status_of(verifier, created["id"])["report"]
    assert not report["verified"]
    assert "is not the subject" in failed(report)["credential[0].holder-binding"]


def test_credential_of_another_type_fails_the_query(verifier: VerifierService,
                                                    holder: PresentingWallet) -> None:
    for query in ("dcql", "pe"):
        created = new_request(verifier, query=query, types=["ClrCredential"])
        request = holder.parse_request(created["authorization_request"])
        assert holder.select(request) is None  # the wallet has no CLR
        # A careless wallet sends its Open Badge anyway: verified, but not what was asked.
        holder.send(request, holder.response_form(request, {"credential": holder.credentials}))
        report = status_of(verifier, created["id"])["report"]
        assert not report["verified"], query
        message = failed(report)["query"]
        assert "not of a type the request asks for (ClrCredential)" in message, query
        assert checks_of(report)["proof"], query  # only the query check fails


def test_wallet_that_declines_closes_the_request(verifier: VerifierService,
                                                 holder: PresentingWallet) -> None:
    created = new_request(verifier, types=["ClrCredential"])
    with pytest.raises(WalletError, match="declined"):
        holder.answer(created["authorization_request"])
    status = status_of(verifier, created["id"])
    assert status["state"] == "answered"
    assert status["report"] is None
    assert "access_denied" in status["error"]


def test_unknown_state_is_refused(verifier: VerifierService) -> None:
    description = oauth_error(post_answer(verifier, {"state": "no-such-state",
                                                     "vp_token": "{}"}))
    assert "unknown state" in description


def test_expired_request_is_refused(tmp_path: Path, holder: PresentingWallet) -> None:
    short_lived = VerifierService(tmp_path / "short", ["127.0.0.1"],
                                  challenge_lifetime_seconds=1)
    short_lived.start()
    try:
        created = new_request(short_lived)
        short_lived.clock.advance(1.5)  # let the one-second lifetime pass
        assert status_of(short_lived, created["id"])["state"] == "expired"
        with pytest.raises(WalletError, match="expired") as refused:
            holder.answer(created["authorization_request"])
        assert refused.value.status == 400
        assert refused.value.error == "invalid_request"
    finally:
        short_lived.stop()


def test_unreadable_answers_are_refused_and_lose_nothing(verifier: VerifierService,
                                                         holder: PresentingWallet) -> None:
    created = new_request(verifier)
    state = holder.parse_request(created["authorization_request"]).state or ""
    cases = [
        (post_answer(verifier, json.dumps({"state": state}), "application/json"),
         "application/x-www-form-urlencoded"),
        (post_answer(verifier, {"vp_token": "{}"}), "needs the state"),
        (post_answer(verifier, {"state": state}), "needs vp_token"),
        (post_answer(verifier, {"state": state, "vp_token": "{not json"}), "not valid JSON"),
        (post_answer(verifier, {"state": state, "vp_token": "[]"}), "must be a JSON object"),
        (post_answer(verifier, {"state": state, "vp_token": '{"other": []}'}),
         "did not ask: other"),
        (post_answer(verifier, {"state": state, "vp_token": '{"credential": [1]}'}),
         "must be a JSON object (ldp_vp) or a string"),
        (post_answer(verifier, {"state": state, "vp_token": '{"credential": [{}, {}]}'}),
         "exactly one presentation"),
        (post_answer(verifier, f"state={state}&state={state}&vp_token=%7B%7D"),
         "more than once"),
        (post_answer(verifier, "state=%ff&vp_token=x"), "not UTF-8"),
    ]
    for response, words in cases:
        assert words in oauth_error(response)
    too_large = post_answer(verifier, {"state": state, "vp_token": "x" * (1024 * 1024 + 1)})
    assert "larger than" in oauth_error(too_large, 413)
    assert status_of(verifier, created["id"])["state"] == "pending"
    assert holder.answer(created["authorization_request"]) == {}  # the real answer still fits
    assert status_of(verifier, created["id"])["report"]["verified"]


def test_unreadable_presentation_submission_is_refused(verifier: VerifierService,
                                                       holder: PresentingWallet) -> None:
    created = new_request(verifier, query="pe")
    request = holder.parse_request(created["authorization_request"])
    form = holder.response_form(request, holder.select(request) or {})
    submission = json.loads(form["presentation_submission"])
    for changed, words in (
            ({"presentation_submission": None}, "needs presentation_submission"),
            ({"presentation_submission": "[]"}, "must be a JSON object"),
            ({"presentation_submission": json.dumps({**submission, "definition_id": "x"})},
             "answers definition 'x'"),
            ({"presentation_submission": json.dumps({**submission, "descriptor_map": [
                {**submission["descriptor_map"][0], "path": "$.nowhere"}]})},
             "leads to no presentation"),
            ({"presentation_submission": json.dumps({**submission, "descriptor_map": [
                {**submission["descriptor_map"][0], "path": "$..proof"}]})},
             "is not supported")):
        answer = {k: v for k, v in {**form, **changed}.items() if v is not None}
        assert words in oauth_error(post_answer(verifier, answer))
    assert holder.send(request, form) == {}
    assert status_of(verifier, created["id"])["report"]["verified"]


@pytest.mark.parametrize("query", ["dcql", "pe"])
def test_request_by_reference_is_signed_and_answered(verifier: VerifierService,
                                                     holder: PresentingWallet,
                                                     query: str) -> None:
    created = new_request(verifier, query=query, by_reference=True)
    uri = created["authorization_request"]
    by_value = new_request(verifier, query=query)["authorization_request"]
    assert len(uri) < len(by_value) / 2  # a smaller QR code
    params = {name: values[0] for name, values in parse_qs(urlsplit(uri).query).items()}
    assert set(params) == {"client_id", "request_uri"}
    # The verifier is its own P-256 did:key, which a wallet checks without the web PKI.
    assert params["client_id"].startswith("decentralized_identifier:did:key:zDna")
    served = inprocess.get(params["request_uri"], timeout=30)
    assert served.status_code == 200
    assert served.headers["content-type"] == "application/oauth-authz-req+jwt"
    assert served.headers["cache-control"] == "no-store"
    header, _claims = decode_compact_jws(served.text)
    did = params["client_id"].removeprefix("decentralized_identifier:")
    assert header == {"alg": "ES256", "typ": "oauth-authz-req+jwt",
                      "kid": f"{did}#{did.removeprefix('did:key:')}"}
    read = read_request_object(served.text, params["client_id"], DidResolver(),
                               verifier.clock())
    assert read["iss"] == read["client_id"] == params["client_id"]
    assert read["aud"] == "https://self-issued.me/v2"
    assert 0 < read["exp"] - read["iat"] <= 300  # the request's own lifetime
    assert read["response_uri"] == f"{verifier.base_url}/oid4vp/response"
    assert read["response_mode"] == "direct_post" and read["response_type"] == "vp_token"
    assert read["nonce"] and read["state"]
    assert ("dcql_query" if query == "dcql" else "presentation_definition") in read
    # The presentation is made for the DID client_id (the proof's domain).
    request = holder.parse_request(uri)
    assert request.client_id == params["client_id"]
    assert holder.send(request, holder.response_form(request, holder.select(request) or {})
                       ) == {}
    report = status_of(verifier, created["id"])["report"]
    assert report["verified"], report["errors"]
    # an answered request no longer gives out its request object
    assert inprocess.get(params["request_uri"], timeout=30).status_code == 409
    unknown = params["request_uri"].rsplit("/", 1)[0] + "/onbekend"
    assert inprocess.get(unknown, timeout=30).status_code == 404


def test_digitalbazaar_checks_the_request_object_signature(verifier: VerifierService) -> None:
    """An independent check of the JAR signature: Digital Bazaar's ecdsa-multikey, with the
    key taken from the client_id's did:key alone, accepts it; a changed payload it refuses."""
    require_harness()
    params = {k: v[0] for k, v in parse_qs(urlsplit(
        new_request(verifier, by_reference=True)["authorization_request"]).query).items()}
    did = params["client_id"].removeprefix("decentralized_identifier:")
    token = inprocess.get(params["request_uri"], timeout=30).text
    checked = run_node("verify-jws.mjs", {"jws": token, "did": did})
    assert checked["verified"] is True
    assert checked["header"]["alg"] == "ES256"
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps(
        {**claims, "response_uri": "https://attacker.example/response"}).encode()
        ).decode().rstrip("=")
    refused = run_node("verify-jws.mjs", {"jws": f"{header}.{forged}.{signature}", "did": did})
    assert refused["verified"] is False


def test_request_object_signature_is_checked(verifier: VerifierService) -> None:
    """What a wallet checks: the key is the DID's, the object is what was signed."""
    params = {k: v[0] for k, v in parse_qs(urlsplit(
        new_request(verifier, by_reference=True)["authorization_request"]).query).items()}
    token = inprocess.get(params["request_uri"], timeout=30).text
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = base64.urlsafe_b64encode(json.dumps(
        {**claims, "response_uri": "https://attacker.example/response"}).encode()
        ).decode().rstrip("=")
    with pytest.raises(RequestObjectError, match="signature is not the verifier's"):
        read_request_object(f"{header}.{forged}.{signature}", params["client_id"],
                            DidResolver(), verifier.clock())
    with pytest.raises(RequestObjectError, match="another client_id"):
        read_request_object(token, "decentralized_identifier:did:key:z6Mkother",
                            DidResolver(), verifier.clock())
    verifier.clock.advance(400)  # past exp and the allowed clock skew
    try:
        with pytest.raises(RequestObjectError, match="expired"):
            read_request_object(token, params["client_id"], DidResolver(), verifier.clock())
    finally:
        verifier.clock.advance(-400)


def test_verifier_key_comes_from_its_secret(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Derived, not stored: the same secret is the same DID, in any process; the secret file
    is created once, private to the service's user."""
    monkeypatch.delenv("OPENDOSSIER_VERIFIER_SECRET_KEY", raising=False)
    first = verifier_key(VerifierSettings(data_dir=tmp_path / "a"))
    assert first.key.key_type == "p256" and first.key.jws_algorithm == "ES256"
    assert first.did.startswith("did:key:zDna") and first.kid.startswith(first.did + "#")
    assert (tmp_path / "a" / "verifier-secret.key").stat().st_mode & 0o777 == 0o600
    assert verifier_key(VerifierSettings(data_dir=tmp_path / "a")).did == first.did
    assert verifier_key(VerifierSettings(data_dir=tmp_path / "b")).did != first.did
    secret = base64.urlsafe_b64encode(bytes(range(32))).decode()
    monkeypatch.setenv("OPENDOSSIER_VERIFIER_SECRET_KEY", secret)
    from_env = verifier_key(VerifierSettings(data_dir=tmp_path / "a"))
    assert from_env.did != first.did
    assert verifier_key(VerifierSettings(data_dir=tmp_path / "c")).did == from_env.did
    assert not (tmp_path / "c" / "verifier-secret.key").exists()


# --- jwt_vc_json ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def jwt_holder(holder: PresentingWallet) -> PresentingWallet:
    """The holder's key, with a VC-JWT Open Badge about it (OB 3.0 VC-JWT, kid header)."""
    school = new_signer()
    token = school.sign_jwt(achievement_credential(school.did, holder.did))
    return PresentingWallet(key=holder.key, credentials=[token], client=holder.http)


@pytest.mark.parametrize("by_reference", [False, True])
def test_jwt_vc_json_request_is_answered_with_a_vc_jwt_presentation(
        verifier: VerifierService, jwt_holder: PresentingWallet, by_reference: bool) -> None:
    created = new_request(verifier, format="jwt_vc_json", by_reference=by_reference)
    request = jwt_holder.parse_request(created["authorization_request"])
    assert request.dcql_query is not None
    (query,) = request.dcql_query["credentials"]
    assert query["format"] == "jwt_vc_json"
    assert "EdDSA" in request.client_metadata["vp_formats_supported"]["jwt_vc_json"][
        "alg_values"]
    form = jwt_holder.response_form(request, jwt_holder.select(request) or {})
    [[token]] = json.loads(form["vp_token"]).values()
    _header, claims = decode_compact_jws(token)
    assert claims["nonce"] == request.nonce and claims["aud"] == request.client_id
    assert jwt_holder.send(request, form) == {}
    report = status_of(verifier, created["id"])["report"]
    assert report["verified"], report["errors"]
    checks = {c["check"]: c["message"] for c in report["checks"]}
    assert checks["format"] == "VerifiablePresentation (vp-jwt)"
    assert "now used up" in checks["challenge"]
    assert checks["query"].startswith("the presentation holds a credential of a type")
    assert checks_of(report)["credential[0].holder-binding"]
    assert report["summary"]["holder"] == jwt_holder.did
    assert report["credentials"][0]["format"] == "vc-jwt"


def test_jwt_vc_json_answers_are_held_to_the_request(verifier: VerifierService,
                                                     holder: PresentingWallet,
                                                     jwt_holder: PresentingWallet) -> None:
    # A Data Integrity presentation for a jwt_vc_json query: verified, but not what was asked.
    created = new_request(verifier, format="jwt_vc_json")
    request = holder.parse_request(created["authorization_request"])
    presentation = holder.present(holder.credentials, challenge=request.nonce,
                                  domain=request.client_id)
    holder.send(request, {"vp_token": json.dumps({"credential": [presentation]}),
                          "state": request.state or ""})
    report = status_of(verifier, created["id"])["report"]
    assert not report["verified"]
    assert "is not a VC-JWT presentation" in failed(report)["query"]
    assert checks_of(report)["proof"]
    # A VC-JWT presentation of a Data Integrity credential.
    created = new_request(verifier, format="jwt_vc_json")
    request = holder.parse_request(created["authorization_request"])
    holder.send(request, holder.response_form(request, {"credential": holder.credentials}))
    report = status_of(verifier, created["id"])["report"]
    assert not report["verified"]
    assert "credential[0] is not a JWT (jwt_vc_json) credential" in failed(report)["query"]
    # A VC-JWT presentation for an ldp_vc query.
    created = new_request(verifier)
    request = jwt_holder.parse_request(created["authorization_request"])
    token = jwt_holder.present_jwt(jwt_holder.credentials, nonce=request.nonce,
                                   audience=request.client_id)
    jwt_holder.send(request, {"vp_token": json.dumps({"credential": [token]}),
                              "state": request.state or ""})
    report = status_of(verifier, created["id"])["report"]
    assert not report["verified"]
    assert "not a Data Integrity (ldp_vp) presentation" in failed(report)["query"]
    # Made for another verifier (aud), or another request (nonce).
    for nonce, audience, words in ((None, "redirect_uri:https://other.example/response",
                                    "audience"),
                                   (verifier.challenge(), None, "nonce")):
        created = new_request(verifier, format="jwt_vc_json")
        request = jwt_holder.parse_request(created["authorization_request"])
        token = jwt_holder.present_jwt(jwt_holder.credentials, nonce=nonce or request.nonce,
                                       audience=audience or request.client_id)
        jwt_holder.send(request, {"vp_token": json.dumps({"credential": [token]}),
                                  "state": request.state or ""})
        report = status_of(verifier, created["id"])["report"]
        assert not report["verified"]
        assert words in failed(report)["proof"], report["checks"]
    refused = inprocess.post(f"{verifier.base_url}/oid4vp/requests",
                             json={"query": "pe", "format": "jwt_vc_json"}, timeout=30)
    assert refused.status_code == 400 and "with DCQL" in refused.json()["message"]

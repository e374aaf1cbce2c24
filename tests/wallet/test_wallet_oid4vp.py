"""OpenID4VP through the real wallet service (SQLite and PostgreSQL): a request made by the
real verifier service (DCQL and Presentation Exchange) is previewed, answered with a
credential the real issuer signed to the owner, and the verifier's status says verified.
Nothing matching → the owner declines; refusals say why.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from standards.dids import did_key_from_key_pair
from standards.jose import sign_jwt_claims
from standards.keys import KeyPair, generate_key
from standards.request_objects import unsigned_request_object
from tests import inprocess
from tests.local_server import LocalServer
from tests.verifier.conftest import (  # noqa: F401 (fixtures)
    VerifierService,
    issuer,
    issuer_org,
    trust_registry_file,
    verifier,
)
from tests.verifier.signing import achievement_credential, new_signer
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.test_wallet_shares import import_credential, issue_to, school  # noqa: F401


def new_request(verifier: VerifierService, **body: Any) -> dict[str, Any]:  # noqa: F811
    response = inprocess.post(f"{verifier.base_url}/oid4vp/requests", json=body or None,
                          timeout=30)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def status_of(verifier: VerifierService, request_id: str) -> dict[str, Any]:  # noqa: F811
    response = inprocess.get(f"{verifier.base_url}/oid4vp/requests/{request_id}", timeout=30)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def owner_with_badge(wallet_server: WalletService, school: httpx.Client  # noqa: F811
                     ) -> tuple[Owner, str]:
    owner = wallet_server.create_owner(name="Daan Bakker")
    return owner, import_credential(owner, issue_to(school, owner.did))


def post(owner: Owner, step: str, body: dict[str, Any],
         on: Owner | None = None) -> httpx.Response:
    return owner.client.post((on or owner).url(f"/oid4vp/{step}"), json=body)


def test_dcql_request_is_answered_and_verifies(wallet_server: WalletService,
                                               verifier: VerifierService,  # noqa: F811
                                               school: httpx.Client) -> None:  # noqa: F811
    owner, credential_id = owner_with_badge(wallet_server, school)
    created = new_request(verifier)
    uri = created["authorization_request"]
    seen = post(owner, "preview", {"request": uri})
    assert seen.status_code == 200, seen.text
    preview = seen.json()
    assert preview["verifier"]["clientId"] == f"redirect_uri:{verifier.base_url}/oid4vp/response"
    assert preview["verifier"]["host"] == verifier.base_url.split("//")[1]
    assert preview["queryLanguage"] == "dcql" and preview["canAnswer"] is True
    assert [m["id"] for m in preview["matches"]["credential"]] == [credential_id]
    assert status_of(verifier, created["id"])["state"] == "pending"  # preview sends nothing

    sent = post(owner, "answer", {"request": uri})
    assert sent.status_code == 200, sent.text
    assert sent.json()["sent"] == [credential_id]
    status = status_of(verifier, created["id"])
    assert status["state"] == "answered" and status["error"] is None
    assert status["report"]["verified"], status["report"]["errors"]
    assert status["report"]["summary"]["holder"] == owner.did

    # the same request again: the verifier refuses, the wallet says so
    again = post(owner, "answer", {"request": uri})
    assert again.status_code == 502
    assert "the verifier refused the answer" in again.json()["message"]


def test_presentation_exchange_request_is_answered(wallet_server: WalletService,
                                                   verifier: VerifierService,  # noqa: F811
                                                   school: httpx.Client) -> None:  # noqa: F811
    owner, credential_id = owner_with_badge(wallet_server, school)
    import_credential(owner, issue_to(school, owner.did, "Didactiek"))
    created = new_request(verifier, query="pe")
    uri = created["authorization_request"]
    preview = post(owner, "preview", {"request": uri}).json()
    assert preview["queryLanguage"] == "pe" and len(preview["matches"]["credential"]) == 2
    sent = post(owner, "answer", {"request": uri, "credentials": [credential_id]})
    assert sent.status_code == 200, sent.text
    assert sent.json()["sent"] == [credential_id]  # only the one the owner chose
    report = status_of(verifier, created["id"])["report"]
    assert report["verified"], report["errors"]
    (shown,) = report["credentials"]
    assert shown["summary"]["name"] == "Klassenmanagement"


def test_request_by_reference(wallet_server: WalletService,
                              verifier: VerifierService,  # noqa: F811
                              school: httpx.Client) -> None:  # noqa: F811
    """`request_uri`: the parameters come as an unsigned request object from another URL."""
    owner, _ = owner_with_badge(wallet_server, school)
    created = new_request(verifier)
    params = {k: v[0] for k, v in
              parse_qs(urlsplit(created["authorization_request"]).query).items()}
    claims = {k: json.loads(v) if k in ("dcql_query", "client_metadata") else v
              for k, v in params.items()}

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")

    request_object = f"{part({'alg': 'none', 'typ': 'oauth-authz-req+jwt'})}.{part(claims)}."

    def route(handler: BaseHTTPRequestHandler) -> None:
        payload = request_object.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/oauth-authz-req+jwt")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)

    with LocalServer() as server:
        server.routes["/request.jwt"] = route
        uri = (f"openid4vp://?client_id={params['client_id']}"
               f"&request_uri={server.base}/request.jwt")
        sent = post(owner, "answer", {"request": uri})
        assert sent.status_code == 200, sent.text
    assert status_of(verifier, created["id"])["report"]["verified"]


def test_request_by_reference_from_the_verifier(wallet_server: WalletService,
                                                verifier: VerifierService,  # noqa: F811
                                                school: httpx.Client) -> None:  # noqa: F811
    """The verifier's own short request (byReference): the wallet fetches its request
    object from the verifier."""
    owner, _ = owner_with_badge(wallet_server, school)
    created = new_request(verifier, by_reference=True)
    assert "request_uri=" in created["authorization_request"]
    preview = post(owner, "preview", {"request": created["authorization_request"]}).json()
    assert preview["verifier"]["clientId"].startswith("decentralized_identifier:did:key:zDna")
    assert preview["verifier"]["responseUri"] == f"{verifier.base_url}/oid4vp/response"
    sent = post(owner, "answer", {"request": created["authorization_request"]})
    assert sent.status_code == 200, sent.text
    assert status_of(verifier, created["id"])["report"]["verified"]


def test_jwt_vc_json_request_is_answered_with_a_vc_jwt_presentation(
        wallet_server: WalletService, verifier: VerifierService,  # noqa: F811
        school: httpx.Client) -> None:  # noqa: F811
    """A DCQL jwt_vc_json query matches the dossier's VC-JWT credentials only, and is
    answered with a VC-JWT presentation (nonce and aud) that the real verifier accepts."""
    owner, ldp_id = owner_with_badge(wallet_server, school)
    signer = new_signer()
    token = signer.sign_jwt(achievement_credential(signer.did, owner.did, name="Didactiek"))
    imported = owner.client.post(owner.url("/credentials"), content=token.encode(),
                                 headers={"content-type": "application/jwt"})
    assert imported.status_code == 201, imported.text
    jwt_id = imported.json()["id"]
    asked_ldp = post(owner, "preview", {"request": new_request(verifier)[
        "authorization_request"]}).json()
    assert [m["id"] for m in asked_ldp["matches"]["credential"]] == [ldp_id]
    for by_reference in (False, True):
        created = new_request(verifier, format="jwt_vc_json", by_reference=by_reference)
        uri = created["authorization_request"]
        preview = post(owner, "preview", {"request": uri}).json()
        assert preview["asks"][0]["format"] == "jwt_vc_json"
        assert [m["id"] for m in preview["matches"]["credential"]] == [jwt_id]
        sent = post(owner, "answer", {"request": uri})
        assert sent.status_code == 200, sent.text
        assert sent.json()["sent"] == [jwt_id]
        report = status_of(verifier, created["id"])["report"]
        assert report["verified"], report["errors"]
        checks = {c["check"]: c for c in report["checks"]}
        assert checks["format"]["message"] == "VerifiablePresentation (vp-jwt)"
        assert checks["challenge"]["ok"] and checks["query"]["ok"]
        assert checks["credential[0].holder-binding"]["ok"]
        assert report["summary"]["holder"] == owner.did


def signed_object(key: KeyPair, claims: dict[str, Any], *, kid: str | None = None,
                  typ: str = "oauth-authz-req+jwt", expires_in: int = 300) -> str:
    moment = int(datetime.now(UTC).timestamp())
    return sign_jwt_claims({**claims, "iss": claims["client_id"], "iat": moment,
                            "exp": moment + expires_in}, key, typ=typ, kid=kid or key.id)


def test_signed_request_objects_are_checked(wallet_server: WalletService,
                                            verifier: VerifierService,  # noqa: F811
                                            school: httpx.Client) -> None:  # noqa: F811
    """JAR: a request object of a DID-identified verifier must be signed by a key of that
    DID, with typ oauth-authz-req+jwt, not expired; the refusals say which rule failed."""
    owner, _ = owner_with_badge(wallet_server, school)
    key, stranger = generate_key("p256"), generate_key("p256")
    did = did_key_from_key_pair(key)
    key.id = f"{did}#{key.public_key_multibase()}"
    stranger.id = f"{did_key_from_key_pair(stranger)}#{stranger.public_key_multibase()}"
    client_id = f"decentralized_identifier:{did}"
    by_value = {k: v[0] for k, v in parse_qs(urlsplit(
        new_request(verifier)["authorization_request"]).query).items()}
    claims: dict[str, Any] = {**by_value, "client_id": client_id,
                              "dcql_query": json.loads(by_value["dcql_query"]),
                              "client_metadata": json.loads(by_value["client_metadata"])}
    redirect_claims = {**claims, "client_id": by_value["client_id"]}
    cases = [
        (signed_object(key, claims), client_id, None),
        (unsigned_request_object(claims), client_id, "must sign its requests"),
        (signed_object(stranger, claims, kid=key.id), client_id,
         "signature is not the verifier's"),
        (signed_object(stranger, claims), client_id, "is not a key of the verifier's DID"),
        (signed_object(key, claims, typ="JWT"), client_id, "not 'oauth-authz-req+jwt'"),
        (signed_object(key, claims, expires_in=-3600), client_id, "has expired"),
        (signed_object(key, claims), "decentralized_identifier:did:key:zDnaOther",
         "another client_id"),
        (signed_object(key, redirect_claims), by_value["client_id"], "cannot sign"),
        (signed_object(key, {**claims, "client_id": "x509_san_dns:example.org"}),
         "x509_san_dns:example.org", "'x509_san_dns' are not supported"),
    ]
    with LocalServer() as server:
        for index, (token, named, words) in enumerate(cases):
            server.routes[f"/request-{index}.jwt"] = jwt_route(token)
            uri = "openid4vp://?" + urlencode(
                {"client_id": named, "request_uri": f"{server.base}/request-{index}.jwt"})
            seen = post(owner, "preview", {"request": uri})
            if words is None:
                assert seen.status_code == 200, seen.text
                assert seen.json()["verifier"]["clientId"] == client_id
            else:
                assert seen.status_code == 422, (words, seen.text)
                assert words in seen.json()["message"], (words, seen.text)
    # Parameters in the URI cannot stand in for a signed request object.
    unsigned = "openid4vp://?" + urlencode({**by_value, "client_id": client_id})
    refused = post(owner, "preview", {"request": unsigned})
    assert refused.status_code == 422
    assert "must send a signed request object" in refused.json()["message"]


def jwt_route(token: str) -> Callable[[BaseHTTPRequestHandler], None]:
    def route(handler: BaseHTTPRequestHandler) -> None:
        payload = token.encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "application/oauth-authz-req+jwt")
        handler.send_header("Content-Length", str(len(payload)))
        handler.end_headers()
        handler.wfile.write(payload)
    return route


def test_nothing_matching_is_declined(wallet_server: WalletService,
                                      verifier: VerifierService,  # noqa: F811
                                      school: httpx.Client) -> None:  # noqa: F811
    owner, _ = owner_with_badge(wallet_server, school)
    created = new_request(verifier, types=["ClrCredential"])
    uri = created["authorization_request"]
    preview = post(owner, "preview", {"request": uri}).json()
    assert preview["canAnswer"] is False and preview["matches"] == {"credential": []}
    refused = post(owner, "answer", {"request": uri})
    assert refused.status_code == 422 and "choose a credential or decline" in \
        refused.json()["message"]
    assert status_of(verifier, created["id"])["state"] == "pending"
    declined = post(owner, "decline", {"request": uri})
    assert declined.status_code == 200 and declined.json()["declined"] is True
    status = status_of(verifier, created["id"])
    assert status["report"] is None and "access_denied" in status["error"]


def test_refusals(wallet_server: WalletService, verifier: VerifierService,  # noqa: F811
                  school: httpx.Client) -> None:  # noqa: F811
    owner, credential_id = owner_with_badge(wallet_server, school)
    uri = new_request(verifier)["authorization_request"]
    params = parse_qs(urlsplit(uri).query)
    tampered = uri.replace("client_id=redirect_uri", "client_id=x509_san_dns")
    for body, status, words in (
            ({"request": "https://example.org/?x=1"}, 422, "not an OpenID4VP request"),
            ({"request": ""}, 422, '"request" must be'),
            ({"request": tampered}, 422, "only verifiers identified as redirect_uri"),
            ({"request": uri.replace("&nonce=", "&x=")}, 422, "no nonce"),
            ({"request": uri + "&state=again"}, 422, "more than once"),
            ({"request": uri, "credentials": ["0" * 32]}, 422, "does not answer"),
            ({"request": uri, "credentials": "all"}, 422, "list of ids")):
        answer = post(owner, "answer", body)
        assert answer.status_code == status, (body, answer.text)
        assert words in answer.json()["message"], (body, answer.text)
    assert params["response_mode"] == ["direct_post"]
    other = wallet_server.create_owner()
    assert post(other, "preview", {"request": uri}, on=owner).status_code == 404
    coordinator = wallet_server.delegate(owner, "coordinator")
    refused = post(coordinator, "answer", {"request": uri}, on=owner)
    assert refused.status_code == 403 and "only the owner" in refused.json()["message"]
    # nothing was sent by any of these: the real answer still goes through
    assert post(owner, "answer", {"request": uri, "credentials": [credential_id]}
                ).status_code == 200

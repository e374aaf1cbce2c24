"""Issuer profiles with P-256 or P-384 keys sign with the ecdsa cryptosuites (W3C vc-di-ecdsa);
a profile keeps its key type when its key rotates. Over real HTTP, SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx

from standards.verification import verify_credential
from tests.inprocess import local_fetcher
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import unsigned_credential, unsigned_credential_of


def _issue(client: httpx.Client, issuer: str | None = None, **options: Any) -> httpx.Response:
    """Issue through the VC-API, naming `issuer` (the organisation's default profile when
    None), as a VC-API client must."""
    credential = unsigned_credential(issuer) if issuer else unsigned_credential_of(client)
    return client.post("/credentials/issue", json={"credential": credential,
                                                   "options": options})


def _verified(vc: dict[str, Any]) -> None:
    result = verify_credential(vc, fetcher=local_fetcher(), check_status=True)
    assert result.verified, result.to_json()


def test_p256_profile_signs_with_ecdsa_and_its_status_list_verifies(
        issuer_server: IssuerService) -> None:
    org = issuer_server.create_org("P-256 school", key_type="p256")
    assert org["did"].startswith("did:key:zDna")  # p256-pub multicodec
    with issuer_server.client(org["api_token"]) as api:
        default = _issue(api)
        assert default.status_code == 201, default.text
        vc = default.json()["verifiableCredential"]
        assert vc["proof"][0]["cryptosuite"] == "ecdsa-rdfc-2019"
        assert vc["proof"][0]["verificationMethod"].startswith(org["did"] + "#")
        _verified(vc)  # the status list is signed with the P-256 key too

        jcs = _issue(api, cryptosuite="ecdsa-jcs-2019")
        assert jcs.status_code == 201, jcs.text
        vc = jcs.json()["verifiableCredential"]
        assert vc["proof"][0]["cryptosuite"] == "ecdsa-jcs-2019"
        _verified(vc)

        refused = _issue(api, cryptosuite="eddsa-rdfc-2022")
        assert refused.status_code == 422
        assert "p256 key, which cannot sign 'eddsa-rdfc-2022'" in refused.text


def test_ed25519_profile_refuses_ecdsa(api: httpx.Client) -> None:
    refused = _issue(api, cryptosuite="ecdsa-rdfc-2019")
    assert refused.status_code == 422
    assert "ed25519 key, which cannot sign 'ecdsa-rdfc-2019'" in refused.text
    assert _issue(api, cryptosuite="ecdsa-sd-2023").status_code == 422


def test_p384_profile_keeps_its_key_type_when_rotated(api: httpx.Client) -> None:
    made = api.post("/api/profiles", json={"name": "P-384 afdeling", "didMethod": "web",
                                           "keyType": "p384"})
    assert made.status_code == 201, made.text
    profile = made.json()
    [first_vm] = profile["verificationMethods"]
    for _ in range(2):  # before and after rotation
        response = _issue(api, profile["did"], cryptosuite="ecdsa-jcs-2019")
        assert response.status_code == 201, response.text
        vc = response.json()["verifiableCredential"]
        assert vc["issuer"]["id"] == profile["did"]
        _verified(vc)
        rotated = api.post(f"/api/profiles/{profile['id']}/rotate-key")
        assert rotated.status_code == 200, rotated.text
    new_vm = rotated.json()["verificationMethod"]
    assert new_vm != first_vm
    did_path = profile["did"].split(":", 3)[3].replace(":", "/")
    document = api.get(f"/{did_path}/did.json").json()
    keys = {m["id"]: m["publicKeyMultibase"] for m in document["verificationMethod"]}
    assert keys[new_vm].startswith("z82L")  # still a P-384 Multikey (p384-pub 0x1201)

    refused = api.post("/api/profiles", json={"name": "X", "keyType": "rsa"})
    assert refused.status_code == 400 and "unsupported key type" in refused.text

"""Issue 17 item 2: every selection can be shared. Credentials of the same achievement
(received twice, or re-issued after a revoke), made by the real issuer from its own
achievement with an embedded endorsement, go into one share link and one VP download through
the real wallet (SQLite and PostgreSQL); the presentation verifies on the real verifier, and
no credential is in it twice, whatever the selection says."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.issuer.conftest import IssuerService
from tests.verifier.conftest import (  # noqa: F401 (fixtures)
    VerifierService,
    issuer,
    issuer_org,
    trust_registry_file,
    verifier,
)
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.test_wallet_shares import get_json, import_credential, new_share
from wallet.services.presentations import distinct_credentials


@pytest.fixture(scope="module")
def endorsed_achievement(issuer: IssuerService) -> Iterator[tuple[httpx.Client, str]]:  # noqa: F811
    """A school on the real issuer (as an API client) and the id of one of its achievements
    that a partner organisation has endorsed (the endorsement is embedded in every
    credential of it, with its own proof)."""
    school = issuer.create_org(f"School {os.urandom(3).hex()}")
    partner = issuer.create_org(f"Partner {os.urandom(3).hex()}")
    with issuer.client(school["api_token"]) as client:
        made = client.post("/api/achievements", json={
            "name": "Klassenmanagement", "description": "Leidt een klas.",
            "criteriaNarrative": "Drie lesobservaties."})
        assert made.status_code == 201, made.text
        achievement = made.json()["achievement"]["id"]
        with issuer.client(partner["api_token"]) as partner_client:
            endorsed = partner_client.post("/api/endorsements", json={
                "targetKind": "achievement", "targetId": achievement,
                "comment": "Sluit aan op de praktijk"})
            assert endorsed.status_code == 201, endorsed.text
        yield client, achievement


def receive(owner: Owner, school: httpx.Client, achievement: str) -> str:
    """The achievement issued by the real issuer to `owner` and imported in the wallet."""
    issued = school.post(f"/api/achievements/{achievement.rsplit('/', 1)[1]}/issue",
                         json={"recipient": owner.did})
    assert issued.status_code == 201, issued.text
    credential: dict[str, Any] = issued.json()["verifiableCredential"]
    assert credential["credentialSubject"]["achievement"]["endorsement"]
    return import_credential(owner, credential)


def test_share_of_credentials_of_one_achievement_verifies(
        wallet_server: WalletService, verifier: VerifierService,  # noqa: F811
        endorsed_achievement: tuple[httpx.Client, str]) -> None:
    school, achievement = endorsed_achievement
    owner = wallet_server.create_owner()
    received = [receive(owner, school, achievement) for _ in range(16)]
    share = new_share(owner, credentials=[received[0], received[1], received[0], *received])
    vp = get_json(share["url"]).json()
    ids = [credential["id"] for credential in vp["verifiableCredential"]]
    assert len(ids) == len(set(ids)) == 16  # each once, in the order chosen
    report = verifier.verify_presentation(vp)
    assert report["verified"], report["errors"]


def test_vp_download_of_credentials_of_one_achievement_verifies(
        wallet_server: WalletService, verifier: VerifierService,  # noqa: F811
        endorsed_achievement: tuple[httpx.Client, str]) -> None:
    school, achievement = endorsed_achievement
    owner = wallet_server.create_owner()
    received = [receive(owner, school, achievement) for _ in range(16)]
    answer = owner.client.get(owner.url("/export/vp"),
                              params={"credential": [received[0], *received, received[1]]})
    assert answer.status_code == 200, answer.text[:500]
    vp = answer.json()
    included = answer.headers["x-included-credentials"].split(",")
    assert len(included) == 16 and set(included) == set(received)  # each once
    assert len(vp["verifiableCredential"]) == 16
    report = verifier.verify_presentation(vp)
    assert report["verified"], report["errors"]


def test_one_credential_goes_into_a_presentation_once() -> None:
    """The rule every presentation the wallet signs goes through (shares, VP downloads,
    OpenID4VP answers): one credential (one `id`, or one content without an id, or one JWT)
    once, at its first place, whether it comes as an object or as JSON text."""
    first = {"id": "urn:uuid:1", "type": ["VerifiableCredential"], "name": "Eerste"}
    second = {"id": "urn:uuid:2", "type": ["VerifiableCredential"], "name": "Tweede"}
    no_id = {"type": ["VerifiableCredential"], "name": "Zonder id"}
    jwt = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln"
    chosen: list[dict[str, Any] | str] = [
        first, second, json.dumps(first), jwt, dict(no_id), f" {jwt} ", no_id, second]
    assert distinct_credentials(chosen) == [first, second, jwt, no_id]

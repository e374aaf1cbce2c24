"""The wallet shows an endorsement only where it vouches (issue 17, item 4), on SQLite and
PostgreSQL: the real issuer makes an endorsed credential; a copy of its achievement,
endorsement and all, signed by someone else's did:key, is a genuine credential of theirs, and
the wallet stores it, but marks the copied endorsement "does not count" with the reason."""

from __future__ import annotations

import json
import os
from typing import Any

from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_endorsements import endorse, new_achievement
from tests.verifier.conftest import issuer  # noqa: F401
from tests.verifier.signing import new_signer
from tests.verifier.test_verifier_endorsement_scope import copied_by
from tests.wallet.conftest import Owner


def endorsed_credential(server: IssuerService, holder: str) -> dict[str, Any]:
    suffix = os.urandom(2).hex()
    school = server.create_org(f"OBS De Linde {suffix}", did="web")
    pabo = server.create_org(f"Pabo Midden {suffix}", did="web")
    achievement = new_achievement(server, school)
    with server.client(pabo["api_token"]) as client:
        assert endorse(client, "achievement", achievement).status_code == 201
    with server.client(school["api_token"]) as client:
        issued = client.post(f"/api/achievements/{achievement.rsplit('/', 1)[1]}/issue",
                             json={"recipient": holder})
    assert issued.status_code == 201, issued.text
    credential: dict[str, Any] = issued.json()["verifiableCredential"]
    return credential


def endorsements_on_view(owner: Owner, credential: dict[str, Any]) -> list[dict[str, Any]]:
    added = owner.client.post(owner.url("/credentials"), content=json.dumps(credential),
                              headers={"Content-Type": "application/json"})
    assert added.status_code == 201, added.text
    view = owner.client.get(owner.url(f"/credentials/{added.json()['id']}")).json()
    endorsements: list[dict[str, Any]] = view["readable"]["endorsements"]
    return endorsements


def test_a_copied_endorsement_does_not_count_in_the_wallet(
        owner: Owner, issuer: IssuerService) -> None:  # noqa: F811
    genuine = endorsed_credential(issuer, owner.did)
    [counted] = endorsements_on_view(owner, genuine)
    assert counted["verified"] is True and counted["state"] == "valid"

    copy = copied_by(new_signer(), genuine)
    [copied] = endorsements_on_view(owner, copy)
    assert copied["verified"] is False and copied["state"] == "not_counted"
    assert "does not vouch for this issuer" in copied["errors"][0], copied

"""A share link's presentation checked by an independent verifier: Digital Bazaar's
`vc.verify` (interop/js/verify.mjs), given the challenge and domain the share publishes in
its proof (the share id and the wallet's address), through the real wallet (SQLite and
PostgreSQL) with a credential the real issuer signed with a did:key.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.js_harness import require_harness, run_node
from tests.verifier.conftest import issuer, issuer_org, trust_registry_file  # noqa: F401
from tests.wallet.conftest import WalletService
from tests.wallet.test_wallet_shares import (  # noqa: F401 (fixture)
    get_json,
    import_credential,
    issue_to,
    new_share,
    school,
)

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module", autouse=True)
def js_harness() -> None:
    require_harness()


def test_share_presentation_verifies_with_digitalbazaar(wallet_server: WalletService,
                                                        school: httpx.Client) -> None:  # noqa: F811
    owner = wallet_server.create_owner(name="Sanne de Vries")
    credential_id = import_credential(owner, issue_to(school, owner.did))
    share = new_share(owner, credentials=[credential_id], expiresIn="2d")
    vp: dict[str, Any] = get_json(share["url"]).json()
    proof = vp["proof"]
    assert (proof["challenge"], proof["domain"]) == (share["id"], wallet_server.base_url)

    result = run_node("verify.mjs", {"presentation": vp, "challenge": proof["challenge"],
                                     "domain": proof["domain"]})
    assert result == {"verified": True}, result
    # another challenge, or another domain, and Digital Bazaar refuses it
    for challenge, domain in (("een-andere-vraag", proof["domain"]),
                              (proof["challenge"], "https://elders.example")):
        refused = run_node("verify.mjs", {"presentation": vp, "challenge": challenge,
                                          "domain": domain})
        assert refused["verified"] is False, (challenge, domain)

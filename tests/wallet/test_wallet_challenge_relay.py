"""A relying party that relays the verifier's challenge gets nothing it can use (issue 17,
item 7), through the real wallet service (SQLite and PostgreSQL) and the real verifier.

Another party takes a challenge from the verifier (POST /challenges) and puts it, as the
nonce, in an OpenID4VP request of its own: the owner's wallet signs the presentation for that
party's client_id. Handed to the verifier, the presentation is refused, because the challenge
was issued for the verifier's own domain; the owner's real answer to the verifier still works,
once.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests import inprocess
from tests.inprocess import NETWORK
from tests.verifier.conftest import (  # noqa: F401 (fixtures)
    VerifierService,
    failed,
    issuer,
    issuer_org,
    trust_registry_file,
    verifier,
)
from tests.wallet.conftest import WalletService
from tests.wallet.test_wallet_oid4vp import new_request, owner_with_badge, post
from tests.wallet.test_wallet_shares import school  # noqa: F401 (fixture)


class RelyingParty:
    """Another party's OpenID4VP response endpoint, in-process: it keeps what wallets send."""

    def __init__(self) -> None:
        self.base_url = NETWORK.reserve()
        self.received: list[dict[str, str]] = []

        async def response(request: Request) -> JSONResponse:
            form = await request.form()
            self.received.append({k: str(v) for k, v in form.items()})
            return JSONResponse({})

        NETWORK.add(self.base_url, Starlette(routes=[Route("/response", response,
                                                           methods=["POST"])]))

    def request_with_nonce(self, template: str, nonce: str) -> str:
        """An OpenID4VP request like `template` (the verifier's), but from this party, with
        `nonce`."""
        params = {k: v[0] for k, v in parse_qs(urlsplit(template).query).items()}
        params.update(client_id=f"redirect_uri:{self.base_url}/response",
                      response_uri=f"{self.base_url}/response", nonce=nonce,
                      state="relayed-state-0123456789")
        return "openid4vp://?" + urlencode(params)

    def close(self) -> None:
        NETWORK.remove(self.base_url)


def test_relayed_challenge_is_refused_and_the_real_answer_verifies_once(
        wallet_server: WalletService, verifier: VerifierService,  # noqa: F811
        school: httpx.Client) -> None:  # noqa: F811
    owner, _ = owner_with_badge(wallet_server, school)
    issued = inprocess.post(f"{verifier.base_url}/challenges", timeout=30).json()
    relaying = RelyingParty()
    try:
        uri = relaying.request_with_nonce(new_request(verifier)["authorization_request"],
                                          issued["challenge"])
        sent = post(owner, "answer", {"request": uri})
        assert sent.status_code == 200, sent.text
        (form,) = relaying.received
    finally:
        relaying.close()
    vp: dict[str, Any] = json.loads(form["vp_token"])["credential"][0]
    assert vp["proof"]["challenge"] == issued["challenge"]
    assert vp["proof"]["domain"] == f"redirect_uri:{relaying.base_url}/response"

    for options in ({}, {"challenge": issued["challenge"], "domain": vp["proof"]["domain"]}):
        report = verifier.verify_presentation(vp, **options)
        assert report["verified"] is False, options
        assert failed(report) == {"challenge": (
            f"the challenge {issued['challenge']!r} was issued for the domain "
            f"{verifier.base_url!r}, but the presentation is made for "
            f"{vp['proof']['domain']!r}: it was not made for this verifier")}, options

    # the owner's own answer to the verifier's request: verified once, then a replay
    created = new_request(verifier)
    assert post(owner, "answer", {"request": created["authorization_request"]}
                ).status_code == 200
    status = inprocess.get(f"{verifier.base_url}/oid4vp/requests/{created['id']}",
                           timeout=30).json()
    assert status["report"]["verified"] is True, status["report"]["errors"]
    again = post(owner, "answer", {"request": created["authorization_request"]})
    assert again.status_code == 502 and "refused the answer" in again.json()["message"]

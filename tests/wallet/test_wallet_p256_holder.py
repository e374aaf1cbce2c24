"""A holder with a P-256 key (the EU wallets' default, e.g. one an archive brought) presents
with ecdsa-rdfc-2019, the suite of that key; the real verifier accepts the presentation
(SQLite and PostgreSQL). The OpenID4VP side is in tests/verifier/test_verifier_oid4vp.py."""

from __future__ import annotations

from typing import Any

from standards.keys import generate_key
from tests.issuer.conftest import IssuerService
from tests.issuer.test_issuer_vc_api import unsigned_credential
from tests.verifier.conftest import (  # noqa: F401 (fixtures)
    VerifierService,
    issuer,
    issuer_org,
    trust_registry_file,
    verifier,
)
from tests.wallet.conftest import Owner, WalletService
from tests.wallet.test_wallet_shares import import_credential
from wallet.db import session_scope
from wallet.models import Account
from wallet.services.accounts import replace_holder_key


def p256_holder(wallet: WalletService, owner: Owner) -> Owner:
    """`owner` with a P-256 holder key instead of the Ed25519 one made at sign-up."""
    key = generate_key("p256")
    assert wallet.context is not None
    with session_scope(wallet.context.engine) as session:
        account = session.get(Account, owner.id)
        assert account is not None
        replace_holder_key(wallet.context, session, account, key)
        did = account.did
    assert did.startswith("did:key:zDna")
    return Owner(owner.email, owner.id, did, owner.client)


def test_p256_holder_presents_with_ecdsa(wallet_server: WalletService,
                                         verifier: VerifierService,  # noqa: F811
                                         issuer: IssuerService,  # noqa: F811
                                         issuer_org: dict[str, Any]) -> None:  # noqa: F811
    owner = p256_holder(wallet_server, wallet_server.create_owner())
    assert_presents_with_ecdsa(owner, verifier, issuer, issuer_org)


def test_a_wallet_set_to_p256_gives_new_accounts_p256_keys(
        wallet_server: WalletService, verifier: VerifierService,  # noqa: F811
        issuer: IssuerService, issuer_org: dict[str, Any]) -> None:  # noqa: F811
    """OPENDOSSIER_WALLET_HOLDER_KEY_TYPE=p256: sign-up makes a P-256 holder did:key."""
    assert wallet_server.context is not None
    settings = wallet_server.context.settings
    settings.holder_key_type = "p256"
    try:
        owner = wallet_server.create_owner()
    finally:
        settings.holder_key_type = "ed25519"
    assert owner.did.startswith("did:key:zDna")
    assert owner.client.get("/api/me").json()["did"] == owner.did
    assert wallet_server.create_owner().did.startswith("did:key:z6Mk")  # the default again
    assert_presents_with_ecdsa(owner, verifier, issuer, issuer_org)


def assert_presents_with_ecdsa(owner: Owner, verifier: VerifierService,  # noqa: F811
                               issuer: IssuerService,  # noqa: F811
                               issuer_org: dict[str, Any]) -> None:  # noqa: F811
    credential = unsigned_credential(issuer_org["did"])
    credential["credentialSubject"] = {**credential["credentialSubject"], "id": owner.did}
    with issuer.client(issuer_org["api_token"]) as school:
        issued = school.post("/credentials/issue", json={"credential": credential})
    assert issued.status_code == 201, issued.text
    received = import_credential(owner, issued.json()["verifiableCredential"])

    answer = owner.client.get(owner.url("/export/vp"), params={"credential": [received]})
    assert answer.status_code == 200, answer.text[:500]
    vp = answer.json()
    assert vp["holder"] == owner.did
    assert vp["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert vp["proof"]["verificationMethod"].startswith(owner.did + "#")
    report = verifier.verify_presentation(vp)
    assert report["verified"], report["errors"]

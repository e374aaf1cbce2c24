"""Accounts, sessions, isolation between owners, and delegation scopes, through the real
wallet service on SQLite and PostgreSQL."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from servicekit.secret_box import SecretBox
from tests.databases import sqlite_file_bytes
from tests.wallet.conftest import PASSWORD, Owner, WalletProcess, WalletService
from wallet.config import WalletSettings
from wallet.db import make_engine
from wallet.models import Account


def test_create_owner_prints_owner_and_did(wallet_server: WalletService) -> None:
    owner = wallet_server.create_owner_cli(name="Sanne")
    assert owner.did.startswith("did:key:z6Mk")
    me = owner.client.get("/api/me").json()
    assert me["owner"] == owner.id and me["did"] == owner.did
    assert me["dossiers"][0]["role"] == "owner"


def test_create_owner_twice_is_refused(wallet_server: WalletService, owner: Owner) -> None:
    password_file = wallet_server.data_dir / "pw-again"
    password_file.write_text(PASSWORD)
    again = wallet_server.cli("create-owner", owner.email, "--password-file",
                              str(password_file), check=False)
    assert again.returncode == 1 and "already" in again.stderr


def test_wrong_password_and_rate_limit(wallet_server: WalletService, owner: Owner) -> None:
    client = wallet_server.client()
    statuses = [client.post("/api/session", json={"email": owner.email,
                                                  "password": "wrong password!"}).status_code
                for _ in range(6)]
    assert statuses[:5] == [401] * 5 and statuses[5] == 429
    # even the right password waits out the lock-out
    right = client.post("/api/session", json={"email": owner.email, "password": PASSWORD})
    assert right.status_code == 429


def test_no_token_no_entry(wallet_server: WalletService, owner: Owner) -> None:
    anonymous = wallet_server.client()
    assert anonymous.get(owner.url("/credentials")).status_code == 401
    forged = wallet_server.client("not-a-token")
    assert forged.get(owner.url("/credentials")).status_code == 401


def test_one_owner_never_reaches_another(wallet_server: WalletService, owner: Owner) -> None:
    other = wallet_server.create_owner()
    for path in ("/credentials", "/delegations"):
        answer = other.client.get(owner.url(path))
        assert answer.status_code == 404, (path, answer.text)
    invited = other.client.post(owner.url("/delegations"),
                                json={"email": "x@example.org", "role": "mentor"})
    assert invited.status_code == 404
    assert owner.client.get(owner.url("/delegations")).json() == []


def test_delegate_scope_and_withdrawal(wallet_server: WalletService, owner: Owner) -> None:
    mentor = wallet_server.delegate(owner, "mentor", scopes=["reflections:write"])
    dossiers = mentor.client.get("/api/me").json()["dossiers"]
    assert [d["role"] for d in dossiers] == ["owner", "mentor"]
    assert dossiers[1]["owner"] == owner.id
    # outside the scope: credentials are not readable, delegations are owner-only
    assert mentor.client.get(mentor.url("/credentials", owner.id)).status_code == 403
    assert mentor.client.get(mentor.url("/delegations", owner.id)).status_code == 403
    delegation = owner.client.get(owner.url("/delegations")).json()[0]
    assert delegation["role"] == "mentor" and delegation["delegate"] == mentor.id
    withdrawn = owner.client.delete(owner.url(f"/delegations/{delegation['id']}"))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawnAt"]
    # at once: the same session no longer reaches the dossier
    assert mentor.client.get(mentor.url("/credentials", owner.id)).status_code == 404
    assert [d["role"] for d in mentor.client.get("/api/me").json()["dossiers"]] == ["owner"]


def test_invitation_refusals(wallet_server: WalletService, owner: Owner) -> None:
    bad_role = owner.client.post(owner.url("/delegations"),
                                 json={"email": "a@example.org", "role": "boss"})
    assert bad_role.status_code == 422 and "role" in bad_role.json()["message"]
    bad_scope = owner.client.post(owner.url("/delegations"), json={
        "email": "a@example.org", "role": "mentor", "scopes": ["credentials:delete"]})
    assert bad_scope.status_code == 422
    unknown = wallet_server.client().post("/api/invitations/nope/accept",
                                          json={"password": PASSWORD})
    assert unknown.status_code == 404


def test_holder_key_never_leaves(wallet_server: WalletService, wallet_process: WalletProcess,
                                 owner: Owner) -> None:
    """The holder key is stored encrypted: its secret is in no answer, no log, no row.
    A process test: the server's log is part of what is checked."""
    engine = make_engine(wallet_server.database_url)
    with Session(engine) as session:
        row = session.exec(select(Account).where(Account.id == owner.id)).one()
    engine.dispose()
    settings = WalletSettings(data_dir=wallet_server.data_dir,
                              database_url=wallet_server.database_url)
    secret = SecretBox(settings.key_encryption_key()).open(row.encrypted_secret,
                                                          bound_to=row.id).decode()
    assert secret.startswith("z") and secret.encode() not in row.encrypted_secret
    on_process = wallet_process.client(owner.client.headers["Authorization"].split()[1])
    seen = [on_process.get("/api/me").text, on_process.get("/openapi.json").text,
            wallet_process.log()]
    if wallet_server.database_url.startswith("sqlite"):
        seen.append(sqlite_file_bytes(wallet_server.database_url).decode("latin-1"))
    assert all(secret not in text for text in seen)
    assert json.dumps(secret)[1:-1] not in "".join(seen)


def test_each_route_keeps_its_own_body_limit(wallet_server: WalletService, owner: Owner) -> None:
    """Log-in takes 64 KiB, the app 1 MiB, a competence framework 2 MiB (servicekit.body_limit)."""
    padded_log_in = {"email": owner.email, "password": PASSWORD, "pad": "x" * 70_000}
    too_long = wallet_server.client().post("/api/session", json=padded_log_in)
    assert too_long.status_code == 413 and "65536 bytes" in too_long.json()["message"]
    framework = [{"name": f"Competentie {n}", "url": f"https://example.org/c/{n}",
                  "description": "d" * 1400} for n in range(1000)]  # ≈1.5 MB of JSON
    added = owner.client.post(owner.url("/competences"), json=framework)
    assert added.status_code == 201, added.text[:300]
    assert len(added.json()["added"]) == 1000
    padded_reflection = {"text": "x" * 1_100_000}
    refused = owner.client.post(owner.url("/reflections"), json=padded_reflection)
    assert refused.status_code == 413 and "262144 bytes" in refused.json()["message"]

"""`opendossier wallet create-owner` and `wallet add-credential` as operators run them:
real processes against the wallet's storage (SQLite and PostgreSQL), checked over the API."""

from __future__ import annotations

import json
from pathlib import Path

from tests.verifier.signing import achievement_credential, changed, new_signer
from tests.wallet.conftest import Owner, WalletService


def _write(directory: Path, name: str, content: str | bytes) -> Path:
    path = directory / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def test_add_credential_verifies_and_stores(wallet_server: WalletService, owner: Owner,
                                            tmp_path: Path) -> None:
    issuer = new_signer()
    signed = issuer.sign(achievement_credential(issuer.did, owner.did))
    path = _write(tmp_path, "badge.json", json.dumps(signed, indent=2))
    added = json.loads(wallet_server.cli("add-credential", owner.email, str(path)).stdout)
    assert added["verified"] is True and added["duplicate"] is False
    listed = owner.client.get(owner.url("/credentials")).json()
    assert [c["id"] for c in listed] == [added["credential"]]
    stored = owner.client.get(owner.url(f"/credentials/{added['credential']}")).json()
    assert stored["credential"] == signed
    again = json.loads(wallet_server.cli("add-credential", owner.email, str(path)).stdout)
    assert again["duplicate"] is True and again["credential"] == added["credential"]


def test_add_credential_as_jwt(wallet_server: WalletService, owner: Owner,
                               tmp_path: Path) -> None:
    issuer = new_signer()
    token = issuer.sign_jwt(achievement_credential(issuer.did, owner.did))
    path = _write(tmp_path, "badge.jwt", token + "\n")
    added = json.loads(wallet_server.cli("add-credential", owner.email, str(path)).stdout)
    stored = owner.client.get(owner.url(f"/credentials/{added['credential']}")).json()
    assert stored["format"] == "jwt_vc" and stored["credential"] == token


def test_refused_credential_exits_1_and_stores_nothing(wallet_server: WalletService,
                                                       owner: Owner, tmp_path: Path) -> None:
    issuer = new_signer()
    signed = issuer.sign(achievement_credential(issuer.did, owner.did))
    tampered = changed(signed, "credentialSubject", "achievement", "name", value="Forged")
    cases = {
        "tampered.json": (json.dumps(tampered), "does not verify"),
        "expired.json": (json.dumps(issuer.sign(achievement_credential(
            issuer.did, owner.did, valid_until="2020-01-01T00:00:00Z"))), "expired"),
        "garbage.json": ("{not json", "JSON"),
        "empty.json": ("", ""),
    }
    for name, (content, words) in cases.items():
        result = wallet_server.cli("add-credential", owner.email,
                                   str(_write(tmp_path, name, content)), check=False)
        assert result.returncode == 1, (name, result.stdout, result.stderr)
        assert result.stderr.startswith("error: ") and words in result.stderr, result.stderr
    assert owner.client.get(owner.url("/credentials")).json() == []


def test_add_credential_for_unknown_owner_or_missing_file(wallet_server: WalletService,
                                                          tmp_path: Path) -> None:
    missing = wallet_server.cli("add-credential", "nobody@example.org",
                                str(tmp_path / "nope.json"), check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
    path = _write(tmp_path, "x.json", "{}")
    unknown = wallet_server.cli("add-credential", "nobody@example.org", str(path), check=False)
    assert unknown.returncode == 1 and "no owner nobody@example.org" in unknown.stderr

"""`opendossier verify` and the verifier's API share one code path: the same report."""

from __future__ import annotations

import json
from pathlib import Path

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.keys import generate_key
from tests.issuer.conftest import opendossier
from tests.ob3_sample import realistic_ob3_credential
from tests.verifier.conftest import VerifierService


def _signed_credential() -> tuple[dict, str]:
    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    credential = realistic_ob3_credential("did:example:teacher", 7, issuer_id=did)
    return sign_document(credential, key,
                         verification_method=f"{did}#{did.removeprefix('did:key:')}"), did


def _without_time(report: dict) -> dict:
    return {k: v for k, v in report.items() if k != "verifiedAt"}


def test_cli_and_api_give_the_same_report(strict_verifier: VerifierService,
                                          tmp_path: Path) -> None:
    credential, _did = _signed_credential()
    path = tmp_path / "credential.json"
    for document in (credential, {**credential, "name": "Iets anders"}):
        path.write_text(json.dumps(document))
        cli = opendossier("verify", str(path), "--json", check=False)
        api = strict_verifier.verify_credential(document)
        assert cli.returncode == (0 if api["verified"] else 1)
        assert _without_time(json.loads(cli.stdout)) == _without_time(api)


def test_cli_names_a_known_issuer_from_a_registry(tmp_path: Path) -> None:
    credential, did = _signed_credential()
    (tmp_path / "c.json").write_text(json.dumps(credential))
    (tmp_path / "registry.json").write_text(json.dumps({"name": "Scholenregister", "issuers": [
        {"id": did, "name": "OBS De Linde", "country": "NL",
         "registryIdentifiers": [{"type": "BRIN", "value": "12AB"}]}]}))
    readable = opendossier("verify", str(tmp_path / "c.json"), "--trust-registry",
                           str(tmp_path / "registry.json"))
    assert "Trust:      trusted: OBS De Linde is a known issuer in Scholenregister" \
        in readable.stdout
    broken = opendossier("verify", str(tmp_path / "c.json"), "--trust-registry",
                         str(tmp_path / "c.json"), check=False)
    assert broken.returncode == 2
    assert "issuers" in broken.stderr

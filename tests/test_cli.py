"""The `opendossier` command as a real process: key new, sign, verify, demo, --help."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from standards import baking
from standards.data_integrity import sign_document
from standards.keys import load_key_file
from standards.status_list import StatusList
from standards.status_list_building import build_status_entry, build_status_list_credential
from tests.ob3_sample import realistic_ob3_credential


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "opendossier", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120, check=False)


@pytest.mark.parametrize("command", [[], ["key"], ["key", "new"], ["sign"], ["verify"],
                                     ["demo"]])
def test_every_command_has_help(command: list[str]) -> None:
    completed = run(*command, "--help")
    assert completed.returncode == 0, completed.stderr
    assert "usage: opendossier" in completed.stdout


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, str]]:
    folder = tmp_path_factory.mktemp("keys")
    made = {}
    for key_type in ("ed25519", "p256", "p384", "rsa"):
        path = folder / f"{key_type}.json"
        completed = run("key", "new", "--type", key_type, "--out", str(path))
        assert completed.returncode == 0, completed.stderr
        made[key_type] = (path, completed.stdout.strip())
    return made


def test_key_new_prints_the_did_and_writes_a_private_file(
        keys: dict[str, tuple[Path, str]]) -> None:
    assert keys["ed25519"][1].startswith("did:key:z6Mk")
    assert keys["p256"][1].startswith("did:key:zDna")
    assert keys["p384"][1].startswith("did:key:z82L")
    assert keys["rsa"][1].startswith("did:jwk:")
    for path, did in keys.values():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert load_key_file(path).controller == did


def _write(folder: Path, name: str, value: Any) -> Path:
    path = folder / name
    path.write_text(value if isinstance(value, str) else json.dumps(value), "utf-8")
    return path


def _credential_for(did: str) -> dict[str, Any]:
    credential = realistic_ob3_credential("did:example:learner-7", 7)
    credential["issuer"]["id"] = did
    return credential


@pytest.mark.parametrize(("key_type", "suite"), [
    ("ed25519", "eddsa-rdfc-2022"), ("ed25519", "eddsa-jcs-2022"),
    ("p256", "ecdsa-rdfc-2019"), ("p384", "ecdsa-jcs-2019"),
])
def test_sign_then_verify_data_integrity(keys: dict[str, tuple[Path, str]], tmp_path: Path,
                                         key_type: str, suite: str) -> None:
    key_path, did = keys[key_type]
    unsigned = _write(tmp_path, "in.json", _credential_for(did))
    signed = run("sign", str(unsigned), "--key", str(key_path), "--suite", suite)
    assert signed.returncode == 0, signed.stderr
    document = json.loads(signed.stdout)
    assert document["proof"]["cryptosuite"] == suite
    signed_path = _write(tmp_path, "signed.json", signed.stdout)

    verified = run("verify", str(signed_path), "--json")
    assert verified.returncode == 0, verified.stdout
    report = json.loads(verified.stdout)
    assert report["verified"] is True and report["errors"] == []
    assert {c["check"] for c in report["checks"]} >= {"proof", "issuer", "validity", "schema"}

    readable = run("verify", str(signed_path))
    assert readable.returncode == 0 and "Result:     VALID" in readable.stdout

    document["credentialSubject"]["achievement"]["name"] = "Something else"
    tampered = run("verify", str(_write(tmp_path, "tampered.json", document)), "--json")
    assert tampered.returncode == 1
    assert any("signature does not match" in e for e in json.loads(tampered.stdout)["errors"])


def test_sign_without_suite_uses_the_keys_own(keys: dict[str, tuple[Path, str]],
                                              tmp_path: Path) -> None:
    key_path, did = keys["p384"]
    unsigned = _write(tmp_path, "in.json", _credential_for(did))
    signed = run("sign", str(unsigned), "--key", str(key_path))
    assert signed.returncode == 0, signed.stderr
    assert json.loads(signed.stdout)["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    refused = run("sign", str(unsigned), "--key", str(key_path), "--suite", "eddsa-rdfc-2022")
    assert refused.returncode != 0 and "needs an Ed25519 key" in refused.stderr


@pytest.mark.parametrize("key_type", ["ed25519", "p256", "rsa"])
@pytest.mark.parametrize("suite", ["vc-jwt", "vc-jose"])
def test_sign_then_verify_jwt(keys: dict[str, tuple[Path, str]], tmp_path: Path,
                              key_type: str, suite: str) -> None:
    key_path, did = keys[key_type]
    unsigned = _write(tmp_path, "in.json", _credential_for(did))
    signed = run("sign", str(unsigned), "--key", str(key_path), "--suite", suite)
    assert signed.returncode == 0, signed.stderr
    token = signed.stdout.strip()
    assert token.count(".") == 2
    verified = run("verify", str(_write(tmp_path, "token.jwt", token)), "--json")
    assert verified.returncode == 0, verified.stdout
    header, payload, signature = token.split(".")
    forged = ".".join([header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"),
                       signature])
    refused = run("verify", str(_write(tmp_path, "forged.jwt", forged)), "--json")
    assert refused.returncode in (1, 2)


def test_sign_reproduces_the_w3c_vector_with_its_key_pair_file(standards_dir: Path) -> None:
    eddsa = standards_dir / "vectors" / "eddsa"
    expected = json.loads((eddsa / "eddsa-rdfc-2022" / "signedDataInt.json").read_text())
    completed = run("sign", str(eddsa / "unsigned.json"), "--key", str(eddsa / "keyPair.json"),
                    "--created", expected["proof"]["created"], "--test-vectors")
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == expected
    refused = run("sign", str(eddsa / "unsigned.json"), "--key", str(eddsa / "keyPair.json"))
    assert refused.returncode == 1 and "only for test vectors" in refused.stderr


def test_verify_with_the_wrong_issuer_key(keys: dict[str, tuple[Path, str]],
                                          tmp_path: Path) -> None:
    """Signed correctly, but by a key that is not the issuer's."""
    key_path, _ = keys["ed25519"]
    credential = _credential_for("did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2")
    signed = run("sign", str(_write(tmp_path, "in.json", credential)), "--key", str(key_path))
    completed = run("verify", str(_write(tmp_path, "s.json", signed.stdout)), "--json")
    assert completed.returncode == 1
    assert any(e.startswith("issuer:") for e in json.loads(completed.stdout)["errors"])


def test_verify_dates_with_now(keys: dict[str, tuple[Path, str]], tmp_path: Path) -> None:
    key_path, did = keys["ed25519"]
    credential = _credential_for(did)
    credential["validFrom"] = "2026-01-01T00:00:00Z"
    credential["validUntil"] = "2027-01-01T00:00:00Z"
    signed = run("sign", str(_write(tmp_path, "in.json", credential)), "--key", str(key_path))
    path = _write(tmp_path, "s.json", signed.stdout)
    assert run("verify", str(path), "--now", "2026-06-01T00:00:00Z").returncode == 0
    expired = run("verify", str(path), "--now", "2027-06-01T00:00:00Z", "--json")
    assert expired.returncode == 1 and "expired" in expired.stdout
    early = run("verify", str(path), "--now", "2025-06-01T00:00:00Z", "--json")
    assert early.returncode == 1 and "not valid before" in early.stdout


def test_verify_status_list_offline_with_document(keys: dict[str, tuple[Path, str]],
                                                  tmp_path: Path) -> None:
    key_path, did = keys["ed25519"]
    key = load_key_file(key_path)
    list_url = "https://issuer.example/status/revocation"
    credential = _credential_for(did)
    credential["credentialStatus"] = build_status_entry(list_credential_url=list_url,
                                                        index=42, purpose="revocation")
    signed = sign_document(credential, key)
    signed_path = _write(tmp_path, "s.json", signed)

    def list_file(revoked: bool) -> Path:
        bits = StatusList()
        bits.set(42, revoked)
        list_credential = build_status_list_credential(
            id=list_url, issuer=did, status_purpose="revocation", status_list=bits,
            valid_from="2026-01-01T00:00:00Z")
        return _write(tmp_path, f"list-{revoked}.json", sign_document(list_credential, key))

    unknown = run("verify", str(signed_path), "--json")
    assert unknown.returncode == 1 and "status unknown" in unknown.stdout
    active = run("verify", str(signed_path), "--json", "--document",
                 f"{list_url}={list_file(False)}")
    assert active.returncode == 0, active.stdout
    revoked = run("verify", str(signed_path), "--json", "--document",
                  f"{list_url}={list_file(True)}")
    assert revoked.returncode == 1 and "revoked" in revoked.stdout


def test_verify_baked_png_and_svg(keys: dict[str, tuple[Path, str]], tmp_path: Path) -> None:
    from io import BytesIO

    from PIL import Image

    key_path, did = keys["ed25519"]
    signed = sign_document(_credential_for(did), load_key_file(key_path))
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "teal").save(buffer, format="PNG")
    png = tmp_path / "badge.png"
    png.write_bytes(baking.bake(buffer.getvalue(), signed))
    assert run("verify", str(png)).returncode == 0
    svg = tmp_path / "badge.svg"
    svg.write_text(baking.bake_svg('<svg xmlns="http://www.w3.org/2000/svg"/>', signed))
    assert run("verify", str(svg)).returncode == 0


@pytest.mark.parametrize("content,words", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "JSON object"),
    ("[" * 100_000 + "]" * 100_000, "nested too deeply"),
])
def test_verify_unreadable_input_exits_2(tmp_path: Path, content: str, words: str) -> None:
    completed = run("verify", str(_write(tmp_path, "bad.json", content)))
    assert completed.returncode == 2 and words in completed.stderr


def test_verify_missing_file_and_bad_options_exit_2(tmp_path: Path) -> None:
    assert run("verify", str(tmp_path / "nope.json")).returncode == 2
    ok = _write(tmp_path, "x.json", {"a": 1})
    assert run("verify", str(ok), "--now", "yesterday").returncode == 2
    assert run("verify", str(ok), "--document", "no-equals-sign").returncode == 2


def test_verify_unknown_context_names_it(tmp_path: Path) -> None:
    document = _credential_for("did:example:x")
    document["@context"].append("https://evil.example/ctx")
    document["proof"] = {"type": "DataIntegrityProof"}
    completed = run("verify", str(_write(tmp_path, "c.json", document)), "--json")
    assert completed.returncode == 1 and "https://evil.example/ctx" in completed.stdout


def test_demo_runs() -> None:
    completed = run("demo")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "Demo succeeded." in completed.stdout and "NOT VALID" in completed.stdout

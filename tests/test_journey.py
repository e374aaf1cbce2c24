"""examples/journey.py, the real thing: it starts the three services, runs every story and
writes its artefacts; here they are checked without any service running (the credential is
verified offline, with the DID documents and status lists the journey saved). And a story
that fails (the teacher types a wrong transaction code, which the real issuer refuses) makes
the journey exit 1, skip the stories that need it, and still run the others."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import pyzipper

from examples.story_move_school import ARCHIVE_PASSWORD
from standards.dids import did_web_url
from standards.fetcher import Fetcher
from standards.status_list import check_status_entry
from standards.verification import verify_credential
from tests.service_process import SHORT_STATUS_CACHE

REPO = Path(__file__).resolve().parents[1]
JOURNEY = REPO / "examples" / "journey.py"
TIMEOUT = 600  # the services start and run on a 2-core machine


def run_journey(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(JOURNEY), "--out", str(out), *args], cwd=REPO,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False,
                          env=SHORT_STATUS_CACHE)


@pytest.fixture(scope="module")
def journey(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("journey")
    finished = run_journey(out)
    assert finished.returncode == 0, finished.stdout[-6000:] + finished.stderr[-3000:]
    assert "every story passed" in finished.stdout
    return out


def load(out: Path, name: str) -> Any:
    return json.loads((out / name).read_text(encoding="utf-8"))


def offline_fetcher(out: Path, status_list: str) -> Fetcher:
    """Only what the journey saved: both DID documents, the two status lists and the
    achievement the school publishes (the endorsement counts only for that one)."""
    credential = load(out, "issued-credential.json")
    endorsement = credential["credentialSubject"]["achievement"]["endorsement"][0]
    documents: dict[str, bytes | dict[str, Any]] = {
        credential["credentialSubject"]["achievement"]["id"]: load(out, "achievement.json"),
        credential["credentialStatus"]["statusListCredential"]: load(out, status_list),
        endorsement["credentialStatus"]["statusListCredential"]:
            load(out, "endorser-status-list.json"),
    }
    for did, name in ((credential["issuer"]["id"], "issuer-did.json"),
                      (endorsement["issuer"]["id"], "endorser-did.json")):
        for scheme in ("https", "http"):  # whichever the resolver asks for offline
            documents[did_web_url(did, scheme)] = load(out, name)
    return Fetcher.offline(documents)


def failed(report: dict[str, Any]) -> list[tuple[str, str]]:
    """(check, message) of every failed check in a verifier report, at every level."""
    found = [(c["check"], c["message"]) for c in report["checks"] if not c["ok"]]
    for inner in (*report.get("credentials", []), *report.get("endorsements", [])):
        found.extend(failed(inner))
    return found


def test_issued_credential_verifies_offline(journey: Path) -> None:
    credential = load(journey, "issued-credential.json")
    assert credential["issuer"]["name"] == "OBS De Linde"
    assert load(journey, "issuer-did.json")["id"] == credential["issuer"]["id"]
    result = verify_credential(credential,
                               fetcher=offline_fetcher(journey, "status-list-before-revoke.json"))
    assert result.verified, result.to_json()
    checks = {c.check for c in result.checks}
    assert {"proof", "issuer", "status", "endorsement"} <= checks, checks
    # against the list published after the revocation, the same credential fails its status
    revoked = verify_credential(credential,
                                fetcher=offline_fetcher(journey, "status-list-after-revoke.json"))
    assert not revoked.verified
    assert any(c.check == "status" and not c.ok and c.message.startswith("revoked")
               for c in revoked.checks), revoked.to_json()


def test_status_list_bit_before_and_after_the_revocation(journey: Path) -> None:
    entry = load(journey, "issued-credential.json")["credentialStatus"]
    before = check_status_entry(entry, load(journey, "status-list-before-revoke.json"))
    after = check_status_entry(entry, load(journey, "status-list-after-revoke.json"))
    assert before.status_set is False and after.status_set is True
    assert before.index == after.index == int(entry["statusListIndex"])


def test_verifier_answers_before_and_after_the_revocation(journey: Path) -> None:
    credential = load(journey, "issued-credential.json")
    shared = load(journey, "shared-presentation.json")
    assert shared["holder"] == credential["credentialSubject"]["id"]
    assert credential in shared["verifiableCredential"]

    result = load(journey, "verification-result.json")
    assert result["verified"] is True, failed(result)
    assert result["kind"] == "presentation" and result["errors"] == []
    badge = next(c for c in result["credentials"] if c["summary"]["id"] == credential["id"])
    assert badge["summary"]["issuer"]["name"] == "OBS De Linde"
    assert badge["trust"]["status"] == "trusted"
    assert [e["summary"]["issuer"]["name"] for e in badge["endorsements"]] == ["Pabo Midden"]
    assert all(e["verified"] for e in badge["endorsements"])
    digests = [o["digest"] for c in result["credentials"] for o in c.get("evidence", [])]
    assert digests and set(digests) == {"matches"}

    after = load(journey, "verification-after-revoke.json")
    assert after["verified"] is False
    # the revocation and nothing else: the badge's status, and the presentation's check on
    # that credential, which names it
    problems = failed(after)
    assert any(check == "status" and message.startswith("revoked")
               for check, message in problems), problems
    assert all(check == "status" or "status: revoked" in message
               for check, message in problems), problems


def test_export_holds_the_manifest_and_the_credential(journey: Path) -> None:
    credential = load(journey, "issued-credential.json")
    archive = (journey / "dossier-export.zip").read_bytes()
    with pyzipper.AESZipFile(io.BytesIO(archive)) as opened:
        opened.setpassword(ARCHIVE_PASSWORD.encode())
        names = opened.namelist()
        manifest = json.loads(opened.read("manifest.json"))
        held = [json.loads(opened.read(name)) for name in names
                if name.startswith("credentials/") and name.endswith(".json")]
    assert manifest["format"] == "opendossier-archive"
    assert {item["path"] for item in manifest["items"]} <= set(names)
    assert credential in held


def test_a_failing_story_makes_the_journey_exit_1(tmp_path: Path) -> None:
    finished = run_journey(tmp_path, "--wrong-tx-code")
    output = finished.stdout
    assert finished.returncode == 1, output[-6000:] + finished.stderr[-3000:]
    assert "invalid_grant" in output  # the issuer's own refusal of the code
    summary = output[output.index("==> summary"):]
    for outcome, story in (("failed", "school_issues"), ("skipped", "move_school"),
                           ("skipped", "employer_verifies"), ("passed", "internship")):
        assert f"{outcome:8} {story}" in summary, summary
    assert "not every story passed: school_issues, move_school, employer_verifies" in summary
    assert not (tmp_path / "issued-credential.json").exists()

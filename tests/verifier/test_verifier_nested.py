"""Credentials inside credentials, over real HTTP: embedded endorsements and the
AchievementCredentials of a CLR 2.0 transcript, each verified and reported with its path."""

from __future__ import annotations

from typing import Any

import pytest

from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import (
    ACHIEVEMENTS,
    LocalSigner,
    achievement_credential,
    changed,
    clr_credential,
    endorsement,
    new_signer,
)

ENDORSED = f"{ACHIEVEMENTS}/klassenmanagement"  # the achievement achievement_credential makes
ENDORSEMENT_PATH = "$.credentialSubject.achievement.endorsement[0]"


@pytest.fixture(scope="module")
def school() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def endorser() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def learner() -> str:
    return new_signer().did


def endorsed_credential(school: LocalSigner, learner: str,
                        endorsement_credential: dict[str, Any]) -> dict[str, Any]:
    return school.sign(achievement_credential(school.did, learner,
                                              endorsements=[endorsement_credential]))


# --- endorsements -----------------------------------------------------------------------
def test_valid_endorsement_is_reported_with_its_issuer(verifier: VerifierService,
                                                       school: LocalSigner,
                                                       endorser: LocalSigner,
                                                       learner: str) -> None:
    credential = endorsed_credential(school, learner, endorsement(endorser, ENDORSED))
    report = verifier.verify_credential(credential)
    assert report["verified"] is True, report
    check = next(c for c in report["checks"] if c["check"] == "endorsement")
    assert check == {"check": "endorsement", "ok": True,
                     "message": f"{ENDORSEMENT_PATH} by {endorser.did} is valid"}
    [reported] = report["endorsements"]
    assert reported["path"] == ENDORSEMENT_PATH
    assert reported["verified"] is True
    assert reported["summary"]["issuer"] == {"id": endorser.did,
                                             "name": "Lerarenopleiding Noord"}
    assert reported["summary"]["endorsed"] == ENDORSED
    assert reported["trust"]["status"] == "unknown"  # each endorser is looked up as well


@pytest.mark.parametrize("check_status", [True, False])
def test_endorsement_with_a_bad_proof_fails_naming_its_path(verifier: VerifierService,
                                                            school: LocalSigner,
                                                            endorser: LocalSigner,
                                                            learner: str,
                                                            check_status: bool) -> None:
    forged = changed(endorsement(endorser, ENDORSED), "credentialSubject",
                     "endorsementComment", value="De allerbeste badge van Nederland.")
    report = verifier.verify_credential(endorsed_credential(school, learner, forged),
                                        checkStatus=check_status)
    assert report["verified"] is False
    message = failed(report)["endorsement"]
    assert message.startswith(f"{ENDORSEMENT_PATH} is not authentic: proof: ")
    assert "signature does not match" in message
    assert report["endorsements"][0]["verified"] is False
    assert {c["check"]: c["ok"] for c in report["checks"]}["proof"] is True


def test_endorsement_signed_by_someone_else_than_its_issuer_fails(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner,
        learner: str) -> None:
    borrowed = endorsement(endorser, ENDORSED)
    impostor = new_signer().sign({k: v for k, v in borrowed.items() if k != "proof"})
    report = verifier.verify_credential(endorsed_credential(school, learner, impostor))
    message = failed(report)["endorsement"]
    assert f"{ENDORSEMENT_PATH} is not authentic: issuer: " in message
    assert f"controlled by the issuer {endorser.did}" in message


def test_expired_endorsement_is_only_a_warning(verifier: VerifierService, school: LocalSigner,
                                               endorser: LocalSigner, learner: str) -> None:
    old = endorsement(endorser, ENDORSED, valid_from="2019-01-01T00:00:00Z",
                      valid_until="2020-01-01T00:00:00Z")
    report = verifier.verify_credential(endorsed_credential(school, learner, old))
    assert report["verified"] is True, report
    assert "endorsement" not in {c["check"] for c in report["checks"]}
    assert (f"endorsement {ENDORSEMENT_PATH} is authentic but not valid now: "
            "validity: expired at 2020-01-01T00:00:00Z") in report["warnings"]
    assert report["endorsements"][0]["verified"] is False


# --- CLR 2.0 ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def achievements(school: LocalSigner, learner: str) -> list[dict[str, Any]]:
    return [school.sign(achievement_credential(school.did, learner, name=name))
            for name in ("Rekenen", "Taal", "Burgerschap")]


def test_clr_with_several_achievements_verifies_each(verifier: VerifierService,
                                                     school: LocalSigner, learner: str,
                                                     achievements: list[dict[str, Any]]) -> None:
    report = verifier.verify_credential(clr_credential(school, learner, achievements))
    assert report["verified"] is True, report
    paths = [f"$.credentialSubject.verifiableCredential[{i}]" for i in range(3)]
    assert [c["path"] for c in report["credentials"]] == paths
    assert [c["summary"]["name"] for c in report["credentials"]] == [
        "Rekenen", "Taal", "Burgerschap"]
    assert all(c["verified"] for c in report["credentials"])
    clr_checks = [c["message"] for c in report["checks"] if c["check"] == "clr-credential"]
    assert clr_checks == [f"{path} is valid" for path in paths]
    assert "ClrCredential" in report["summary"]["types"]


# Not checking status (an offline caller's choice) must not skip the members' proofs.
@pytest.mark.parametrize("check_status", [True, False])
def test_clr_with_one_tampered_credential_fails_naming_it(
        verifier: VerifierService, school: LocalSigner, learner: str,
        achievements: list[dict[str, Any]], check_status: bool) -> None:
    tampered = changed(achievements[1], "credentialSubject", "achievement", "name",
                       value="Taal (cum laude)")
    report = verifier.verify_credential(
        clr_credential(school, learner, [achievements[0], tampered, achievements[2]]),
        checkStatus=check_status)
    assert report["verified"] is False
    message = failed(report)["clr-credential"]
    assert message.startswith("$.credentialSubject.verifiableCredential[1] is not valid: proof:")
    assert [c["verified"] for c in report["credentials"]] == [True, False, True]
    assert {c["check"]: c["ok"] for c in report["checks"]}["proof"] is True  # the CLR's own

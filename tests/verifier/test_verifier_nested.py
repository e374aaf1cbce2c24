"""Credentials inside credentials, over real HTTP: embedded endorsements and the
AchievementCredentials of a CLR 2.0 transcript, each verified and reported with its path.
The endorsed achievement is served by a local server, as its publisher would (an endorsement
counts only for the achievement its publisher serves)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.local_server import LocalServer
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import (
    LocalSigner,
    achievement_credential,
    changed,
    clr_credential,
    endorsement,
    new_signer,
    published_achievement,
)

ACHIEVEMENT_PATH = "/achievements/klassenmanagement"
ENDORSEMENT_PATH = "$.credentialSubject.achievement.endorsement[0]"


@pytest.fixture(scope="module")
def publisher() -> Iterator[LocalServer]:
    """Where the school publishes its achievement."""
    with LocalServer() as server:
        yield server


@pytest.fixture(scope="module")
def endorsed_id(publisher: LocalServer) -> str:
    return publisher.base + ACHIEVEMENT_PATH


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
                        endorsement_credential: dict[str, Any],
                        publisher: LocalServer) -> dict[str, Any]:
    """A credential by `school` whose achievement, which `publisher` serves, carries
    `endorsement_credential`."""
    credential = school.sign(achievement_credential(
        school.did, learner, endorsements=[endorsement_credential],
        achievement_id=publisher.base + ACHIEVEMENT_PATH))
    publisher.documents[ACHIEVEMENT_PATH] = published_achievement(credential)
    return credential


# --- endorsements -----------------------------------------------------------------------
def test_valid_endorsement_is_reported_with_its_issuer(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner, learner: str,
        publisher: LocalServer, endorsed_id: str) -> None:
    credential = endorsed_credential(school, learner, endorsement(endorser, endorsed_id),
                                     publisher)
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
    assert reported["summary"]["endorsed"] == endorsed_id
    assert reported["trust"]["status"] == "unknown"  # each endorser is looked up as well
    assert reported["scope"] == {
        "applies": True, "carrier": "achievement", "endorses": endorsed_id,
        "reason": "applies",
        "message": f"it endorses the achievement {endorsed_id}, as its publisher "
                   f"{school.did} serves it"}


@pytest.mark.parametrize("check_status", [True, False])
def test_endorsement_with_a_bad_proof_fails_naming_its_path(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner, learner: str,
        check_status: bool, publisher: LocalServer, endorsed_id: str) -> None:
    forged = changed(endorsement(endorser, endorsed_id), "credentialSubject",
                     "endorsementComment", value="De allerbeste badge van Nederland.")
    report = verifier.verify_credential(
        endorsed_credential(school, learner, forged, publisher), checkStatus=check_status)
    assert report["verified"] is False
    message = failed(report)["endorsement"]
    assert message.startswith(f"{ENDORSEMENT_PATH} is not authentic: proof: ")
    assert "signature does not match" in message
    assert report["endorsements"][0]["verified"] is False
    assert {c["check"]: c["ok"] for c in report["checks"]}["proof"] is True


def test_endorsement_signed_by_someone_else_than_its_issuer_fails(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner,
        learner: str, publisher: LocalServer, endorsed_id: str) -> None:
    borrowed = endorsement(endorser, endorsed_id)
    impostor = new_signer().sign({k: v for k, v in borrowed.items() if k != "proof"})
    report = verifier.verify_credential(
        endorsed_credential(school, learner, impostor, publisher))
    message = failed(report)["endorsement"]
    assert f"{ENDORSEMENT_PATH} is not authentic: issuer: " in message
    assert f"controlled by the issuer {endorser.did}" in message


def test_expired_endorsement_is_only_a_warning(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner, learner: str,
        publisher: LocalServer, endorsed_id: str) -> None:
    old = endorsement(endorser, endorsed_id, valid_from="2019-01-01T00:00:00Z",
                      valid_until="2020-01-01T00:00:00Z")
    report = verifier.verify_credential(endorsed_credential(school, learner, old, publisher))
    assert report["verified"] is True, report
    assert "endorsement" not in {c["check"] for c in report["checks"]}
    assert (f"endorsement {ENDORSEMENT_PATH} is authentic but not valid now: "
            "validity: expired at 2020-01-01T00:00:00Z") in report["warnings"]
    assert report["endorsements"][0]["verified"] is False


def scope_of(report: dict[str, Any]) -> dict[str, Any]:
    """The scope of the one endorsement; it is not counted (no endorsement check)."""
    assert report["verified"] is True, report["errors"]
    assert "endorsement" not in {c["check"] for c in report["checks"]}
    [reported] = report["endorsements"]
    assert any(w.startswith(f"endorsement {reported['path']} by ") and "is not counted: "
               in w for w in report["warnings"]), report["warnings"]
    return reported["scope"]  # type: ignore[no-any-return]


def test_achievement_that_differs_from_the_published_one_does_not_count(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner, learner: str,
        publisher: LocalServer, endorsed_id: str) -> None:
    honest = endorsed_credential(school, learner, endorsement(endorser, endorsed_id), publisher)
    unsigned = changed(honest, "credentialSubject", "achievement", "description",
                       value="Klassenmanagement: cum laude.")
    unsigned.pop("proof")
    scope = scope_of(verifier.verify_credential(school.sign(unsigned)))
    assert scope["reason"] == "content_differs"
    assert scope["message"] == (
        f"it endorses the achievement {endorsed_id}, but the achievement in this credential "
        "differs from the one its publisher serves (description): this is not the content "
        "the endorser saw")


def test_achievement_without_creator_does_not_count(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner, learner: str,
        publisher: LocalServer, endorsed_id: str) -> None:
    honest = endorsed_credential(school, learner, endorsement(endorser, endorsed_id), publisher)
    unsigned = {k: v for k, v in honest.items() if k != "proof"}
    unsigned["credentialSubject"]["achievement"].pop("creator")
    scope = scope_of(verifier.verify_credential(school.sign(unsigned)))
    assert scope["reason"] == "no_creator"
    assert "names no creator here" in scope["message"]


def test_achievement_its_publisher_does_not_serve_is_not_confirmed(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner, learner: str,
        publisher: LocalServer) -> None:
    missing = publisher.base + "/achievements/weg"
    credential = school.sign(achievement_credential(
        school.did, learner, endorsements=[endorsement(endorser, missing)],
        achievement_id=missing))
    scope = scope_of(verifier.verify_credential(credential))
    assert scope["reason"] == "unconfirmed"
    assert "could not be fetched now" in scope["message"]
    assert "not counted" in scope["message"]


def test_endorsement_of_something_else_does_not_count(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner, learner: str,
        publisher: LocalServer, endorsed_id: str) -> None:
    """An endorsement of the achievement, moved onto the issuer's profile, says nothing of
    the issuer."""
    unsigned = achievement_credential(school.did, learner)
    unsigned["issuer"]["endorsement"] = [endorsement(endorser, endorsed_id)]
    report = verifier.verify_credential(school.sign(unsigned))
    scope = scope_of(report)
    assert report["endorsements"][0]["path"] == "$.issuer.endorsement[0]"
    assert scope == {"applies": False, "carrier": "issuer", "endorses": endorsed_id,
                     "reason": "other_subject",
                     "message": f"it endorses {endorsed_id}, not the issuer {school.did} that "
                                "carries it: it does not vouch for this credential or its "
                                "issuer"}


def test_endorsements_of_the_issuer_and_of_the_credential_count(
        verifier: VerifierService, school: LocalSigner, endorser: LocalSigner,
        learner: str) -> None:
    unsigned = achievement_credential(school.did, learner)
    unsigned["issuer"]["endorsement"] = [endorsement(endorser, school.did)]
    unsigned["credentialSubject"]["achievement"]["creator"]["endorsement"] = [
        endorsement(endorser, school.did)]
    unsigned["endorsement"] = [endorsement(endorser, unsigned["id"])]
    report = verifier.verify_credential(school.sign(unsigned))
    assert report["verified"] is True, report["errors"]
    counted = [c["message"] for c in report["checks"] if c["check"] == "endorsement"]
    assert len(counted) == 3 and all(m.endswith("is valid") for m in counted)
    assert [e["scope"]["carrier"] for e in report["endorsements"]] == [
        "credential", "issuer", "creator"]
    assert all(e["scope"]["applies"] for e in report["endorsements"])


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

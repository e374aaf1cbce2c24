"""Endorsements vouch only for what they endorse (issue 17, item 4): the real issuer (SQLite
and PostgreSQL) makes the endorsement and the credential, the real verifier checks them over
its API and its page.

Pabo Midden endorses an achievement of OBS De Linde; OBS De Linde awards it. That credential
shows the endorsement. Anyone who copies the achievement, endorsement and all, into a
credential of their own (a did:key signing it) gets a genuine credential of their own, but the
endorsement is not counted for it, and the report says what it does cover and why.
"""

from __future__ import annotations

import copy
import html
import os
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from standards.ob3 import build_profile
from tests.issuer.conftest import IssuerService, issuer_server  # noqa: F401 (fixture)
from tests.issuer.test_issuer_endorsements import endorse, issue, new_achievement
from tests.verifier.conftest import VerifierService
from tests.verifier.signing import LocalSigner, new_signer
from tests.verifier.test_verifier_web import (
    DUTCH,
    ENGLISH,
    check_page,
    json_bytes,
    post_file,
)

ACHIEVEMENT = "$.credentialSubject.achievement"
ENDORSEMENT = f"{ACHIEVEMENT}.endorsement[0]"


@pytest.fixture(scope="module")
def endorsed(issuer_server: IssuerService) -> dict[str, Any]:  # noqa: F811
    """{"credential", "achievement", "school", "pabo"}: a credential OBS De Linde issued for
    its achievement that Pabo Midden endorsed, both through the issuer's API."""
    suffix = os.urandom(2).hex()
    school = issuer_server.create_org(f"OBS De Linde {suffix}", did="web")
    pabo = issuer_server.create_org(f"Pabo Midden {suffix}", did="web")
    achievement = new_achievement(issuer_server, school)
    with issuer_server.client(pabo["api_token"]) as client:
        made = endorse(client, "achievement", achievement)
    assert made.status_code == 201, made.text
    credential = issue(issuer_server, school, achievement)
    assert credential["credentialSubject"]["achievement"]["endorsement"], credential
    return {"credential": credential, "achievement": achievement, "school": school,
            "pabo": pabo, "suffix": suffix}


@pytest.fixture
def page(verifier: VerifierService) -> Iterator[httpx.Client]:
    with verifier.client() as client:
        yield client


def copied_by(copier: LocalSigner, credential: dict[str, Any], *,
              claim_creator: bool = False) -> dict[str, Any]:
    """`credential`'s achievement, endorsement and all, in a credential `copier` signs:
    with the creator left as it was, or claimed (`claim_creator`)."""
    copied = copy.deepcopy({k: v for k, v in credential.items()
                            if k not in ("proof", "credentialStatus")})
    copied["id"] = f"urn:uuid:{uuid.uuid4()}"
    copied["issuer"] = build_profile(id=copier.did, name="Kopieerschool")
    if claim_creator:
        copied["credentialSubject"]["achievement"]["creator"] = build_profile(
            id=copier.did, name="Kopieerschool")
    return copier.sign(copied)


def checks(report: dict[str, Any]) -> dict[str, list[tuple[bool, str]]]:
    out: dict[str, list[tuple[bool, str]]] = {}
    for check in report["checks"]:
        out.setdefault(check["check"], []).append((check["ok"], check["message"]))
    return out


def test_genuine_endorsed_credential_counts_its_endorsement(
        verifier: VerifierService, endorsed: dict[str, Any]) -> None:
    report = verifier.verify_credential(endorsed["credential"])
    assert report["verified"] is True, report["errors"]
    assert checks(report)["endorsement"] == [
        (True, f"{ENDORSEMENT} by {endorsed['pabo']['did']} is valid")]
    [endorsement] = report["endorsements"]
    assert endorsement["scope"]["applies"] is True
    assert endorsement["scope"]["reason"] == "applies"
    assert endorsement["scope"]["endorses"] == endorsed["achievement"]
    assert not any("not counted" in w for w in report["warnings"])


def test_copy_by_another_issuer_does_not_count_the_endorsement(
        verifier: VerifierService, endorsed: dict[str, Any]) -> None:
    copier = new_signer()
    report = verifier.verify_credential(copied_by(copier, endorsed["credential"]))
    # the copier's credential is genuinely the copier's: only the endorsement is not counted
    assert report["verified"] is True, report["errors"]
    assert "endorsement" not in checks(report)
    [endorsement] = report["endorsements"]
    assert endorsement["verified"] is True  # the endorsement itself is authentic
    school, achievement = endorsed["school"]["did"], endorsed["achievement"]
    assert endorsement["scope"] == {
        "applies": False, "carrier": "achievement", "endorses": achievement,
        "reason": "not_issuer",
        "message": f"it endorses the achievement {achievement} of {school}; this "
                   f"credential's issuer {copier.did} is not its creator, and the endorsement "
                   "does not vouch for this issuer"}
    assert (f"endorsement {ENDORSEMENT} by {endorsed['pabo']['did']} is not counted: "
            f"{endorsement['scope']['message']}") in report["warnings"]


def test_copy_claiming_the_achievement_is_caught_by_its_publisher(
        verifier: VerifierService, endorsed: dict[str, Any]) -> None:
    """Naming itself the creator does not help: the publisher serves the achievement as
    OBS De Linde's."""
    copier = new_signer()
    report = verifier.verify_credential(copied_by(copier, endorsed["credential"],
                                                  claim_creator=True))
    assert "endorsement" not in checks(report)
    scope = report["endorsements"][0]["scope"]
    assert scope["applies"] is False and scope["reason"] == "other_publisher"
    assert scope["message"] == (
        f"it endorses the achievement {endorsed['achievement']}, which its publisher serves "
        f"as an achievement of {endorsed['school']['did']}, not of this credential's issuer "
        f"{copier.did}: the endorsement does not vouch for this issuer")


def test_page_shows_the_genuine_endorsement_and_not_the_copied_one(
        page: httpx.Client, endorsed: dict[str, Any]) -> None:
    pabo = f"Pabo Midden {endorsed['suffix']}"
    genuine = post_file(page, "genuine.json", json_bytes(endorsed["credential"]))
    assert genuine.status_code == 200, genuine.text
    headings = check_page(genuine).headings
    assert headings[1] == f"Geldig — onderschreven door {pabo} (onbekende organisatie)"
    assert DUTCH["scope.title"] not in genuine.text

    copied = post_file(page, "copy.json", json_bytes(copied_by(new_signer(),
                                                               endorsed["credential"])))
    assert copied.status_code == 200, copied.text
    headings = check_page(copied).headings
    assert headings[0].startswith("Geldig — uitgegeven door Kopieerschool")
    assert headings[1] == (f"Telt niet mee — een onderschrijving door {pabo} (onbekende "
                           "organisatie) van iets anders")
    text = html.unescape(copied.text)
    assert DUTCH["scope.intro"].format(endorses=endorsed["achievement"]) in text
    assert DUTCH["scope.not_issuer"] in text
    assert "Geldig — onderschreven door" not in text

    page.cookies.set("od_verifier_lang", "en")
    english = post_file(page, "copy.json", json_bytes(copied_by(new_signer(),
                                                                endorsed["credential"])))
    headings = check_page(english, "en").headings
    assert headings[1] == (f"Does not count — an endorsement by {pabo} (unknown "
                           "organisation) of something else")
    text = html.unescape(english.text)
    assert ENGLISH["scope.intro"].format(endorses=endorsed["achievement"]) in text
    assert ENGLISH["scope.not_issuer"] in text

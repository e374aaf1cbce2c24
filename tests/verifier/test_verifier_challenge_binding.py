"""Challenges bind their domain (issue 17, item 7), through the real verifier over HTTP.

A challenge the caller names must be the proof's, with the caller's domain; otherwise the
proof's challenge must be one this verifier issued, unexpired, unused, and the proof must be
made for the domain it was issued with. The verifier keeps its challenges in its own store
(a SQLite file in its data directory; it has no database URL to vary, see issue 21): the
same rule through a wallet on SQLite and PostgreSQL is tested in
tests/wallet/test_wallet_challenge_relay.py.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests import inprocess
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import LocalSigner, achievement_credential, new_signer, presentation

ELSEWHERE = "https://elders.example"


@pytest.fixture(scope="module")
def holder() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def credential(holder: LocalSigner) -> dict[str, Any]:
    school = new_signer()
    return school.sign(achievement_credential(school.did, holder.did))


def issue_challenge(verifier: VerifierService) -> dict[str, Any]:
    response = inprocess.post(f"{verifier.base_url}/challenges", timeout=30)
    assert response.status_code == 201, response.text
    return response.json()  # type: ignore[no-any-return]


def test_issued_challenge_for_this_domain_verifies_once_without_caller_options(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    issued = issue_challenge(verifier)
    vp = presentation(holder, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    first = verifier.verify_presentation(vp)
    assert first["verified"] is True, first["errors"]
    message = {c["check"]: c["message"] for c in first["checks"]}["challenge"]
    assert message == (f"the challenge was issued by this verifier for {verifier.base_url} "
                       "and is now used up")
    replay = verifier.verify_presentation(vp)
    assert replay["verified"] is False
    assert failed(replay) == {"challenge": f"the challenge {issued['challenge']!r} was "
                                           "already used: this presentation is a replay"}


def test_issued_challenge_for_another_domain_is_refused_and_stays_usable(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    issued = issue_challenge(verifier)
    relayed = presentation(holder, [credential], challenge=issued["challenge"],
                           domain=ELSEWHERE)
    expected = (f"the challenge {issued['challenge']!r} was issued for the domain "
                f"{verifier.base_url!r}, but the presentation is made for {ELSEWHERE!r}: it "
                "was not made for this verifier")
    # whether the caller names nothing, or names the challenge with the other domain
    for options in ({}, {"challenge": issued["challenge"], "domain": ELSEWHERE},
                    {"challenge": issued["challenge"]}):
        report = verifier.verify_presentation(relayed, **options)
        assert report["verified"] is False, options
        assert failed(report) == {"challenge": expected}, options
    undomained = presentation(holder, [credential], challenge=issued["challenge"], domain=None)
    assert "made for no domain" in failed(verifier.verify_presentation(undomained))["challenge"]
    # none of these used the challenge up: the holder's real answer still verifies
    answer = presentation(holder, [credential], challenge=issued["challenge"],
                          domain=issued["domain"])
    assert verifier.verify_presentation(answer)["verified"] is True


def test_made_up_challenge_is_refused_when_the_caller_names_none(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    made_up = "bedacht-door-de-houder-0123456789"
    vp = presentation(holder, [credential], challenge=made_up, domain=verifier.base_url)
    report = verifier.verify_presentation(vp)
    assert report["verified"] is False
    assert failed(report) == {
        "challenge": f"the challenge {made_up!r} was not issued by this verifier"}


def test_caller_options_must_match_the_proof_exactly(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    issued = issue_challenge(verifier)
    vp = presentation(holder, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    wrong_domain = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                                domain=ELSEWHERE)
    assert wrong_domain["verified"] is False
    assert "proof domain does not match the expected domain" in failed(wrong_domain)["proof"]
    other = issue_challenge(verifier)
    wrong_challenge = verifier.verify_presentation(vp, challenge=other["challenge"],
                                                   domain=issued["domain"])
    assert "proof challenge does not match" in failed(wrong_challenge)["proof"]
    # a failed proof uses up neither challenge
    assert verifier.verify_presentation(vp, challenge=issued["challenge"],
                                        domain=issued["domain"])["verified"] is True


def test_expired_challenge_is_refused_without_caller_options(
        tmp_path: Path, holder: LocalSigner, credential: dict[str, Any]) -> None:
    brief = VerifierService(tmp_path, challenge_lifetime_seconds=60).start()
    try:
        issued = issue_challenge(brief)
        vp = presentation(holder, [credential], challenge=issued["challenge"],
                          domain=issued["domain"])
        brief.clock.advance(61)
        report = brief.verify_presentation(vp)
    finally:
        brief.stop()
    assert report["verified"] is False
    assert failed(report) == {"challenge": f"the challenge {issued['challenge']!r} has "
                                           "expired; ask for a new one"}


def test_proofs_with_different_challenges_are_refused(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    issued = issue_challenge(verifier)
    vp = presentation(holder, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    twice = holder.sign(vp, proof_purpose="authentication", challenge="iets-anders",
                        domain=issued["domain"])
    report = verifier.verify_presentation(twice)
    assert report["verified"] is False
    assert "the presentation's proofs carry different challenges" in failed(report)["challenge"]


def test_challenge_from_an_older_store_without_domains_is_refused(
        tmp_path: Path, holder: LocalSigner, credential: dict[str, Any]) -> None:
    """A store file an older release made (no domain column) opens; its challenges, whose
    domain nobody knows, are refused with the advice to ask for a new one."""
    tmp_path.mkdir(exist_ok=True)
    with sqlite3.connect(tmp_path / "verifier.db") as db:
        db.execute("CREATE TABLE challenges (value TEXT PRIMARY KEY, created_at REAL NOT NULL, "
                   "expires_at REAL NOT NULL, used_at REAL)")
        db.execute("INSERT INTO challenges VALUES ('oude-uitdaging-0123456789', 0, 1e12, NULL)")
    service = VerifierService(tmp_path).start()
    try:
        vp = presentation(holder, [credential], challenge="oude-uitdaging-0123456789",
                          domain=service.base_url)
        old = service.verify_presentation(vp)
        issued = issue_challenge(service)
        new = service.verify_presentation(presentation(
            holder, [credential], challenge=issued["challenge"], domain=issued["domain"]))
    finally:
        service.stop()
    assert "ask for a new one" in failed(old)["challenge"]
    assert new["verified"] is True, new["errors"]

"""POST /challenges and /presentations/verify over real HTTP: holder binding, challenge and
domain; challenges are the verifier's own, single use, and a replayed presentation is refused.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from tests import inprocess
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import (
    LocalSigner,
    achievement_credential,
    changed,
    new_signer,
    presentation,
)


@pytest.fixture(scope="module")
def holder() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def credential(holder: LocalSigner) -> dict[str, Any]:
    """A valid credential about the holder."""
    school = new_signer()
    return school.sign(achievement_credential(school.did, holder.did))


def new_challenge(verifier: VerifierService) -> dict[str, Any]:
    response = inprocess.post(f"{verifier.base_url}/challenges", timeout=30)
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    return response.json()  # type: ignore[no-any-return]


def checks_of(report: dict[str, Any]) -> dict[str, bool]:
    return {c["check"]: c["ok"] for c in report["checks"]}


def test_challenges_are_fresh_and_name_this_verifier(verifier: VerifierService) -> None:
    first, second = new_challenge(verifier), new_challenge(verifier)
    assert first["challenge"] != second["challenge"]
    assert len(first["challenge"]) >= 20
    assert first["domain"] == verifier.base_url
    assert first["expiresIn"] > 0


def test_presentation_by_the_holder_verifies_and_uses_up_the_challenge(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    issued = new_challenge(verifier)
    vp = presentation(holder, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is True, report
    assert report["kind"] == "presentation"
    assert report["summary"]["holder"] == holder.did
    checks = {c["check"]: c["message"] for c in report["checks"]}
    assert checks["holder"] == f"presentation signed by its holder {holder.did}"
    assert checks["credential[0]"] == "valid"
    assert holder.did in checks["credential[0].holder-binding"]
    assert "now used up" in checks["challenge"]
    assert report["credentials"][0]["path"] == "$.verifiableCredential[0]"
    assert report["credentials"][0]["verified"] is True
    assert not any("replayable" in w for w in report["warnings"])


def test_replayed_presentation_is_refused(verifier: VerifierService, holder: LocalSigner,
                                          credential: dict[str, Any]) -> None:
    issued = new_challenge(verifier)
    vp = presentation(holder, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    options = {"challenge": issued["challenge"], "domain": issued["domain"]}
    assert verifier.verify_presentation(vp, **options)["verified"] is True
    replay = verifier.verify_presentation(vp, **options)
    assert replay["verified"] is False
    assert "already used: this presentation is a replay" in failed(replay)["challenge"]
    assert checks_of(replay)["proof"] is True  # nothing wrong with it, but for its reuse
    # a replayer who leaves the challenge out is caught too: the challenge is in the proof
    unnamed = verifier.verify_presentation(vp)
    assert "replay" in failed(unnamed)["challenge"]


def test_concurrent_replays_let_exactly_one_through(verifier: VerifierService,
                                                   holder: LocalSigner,
                                                   credential: dict[str, Any]) -> None:
    issued = new_challenge(verifier)
    vp = presentation(holder, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    options = {"challenge": issued["challenge"], "domain": issued["domain"]}
    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(lambda _: verifier.verify_presentation(vp, **options),
                                range(8)))
    assert sorted(r["verified"] for r in reports) == [False] * 7 + [True]
    assert all("replay" in failed(r)["challenge"] for r in reports if not r["verified"])


def test_expired_challenge_is_refused(tmp_path: Path, holder: LocalSigner,
                                      credential: dict[str, Any]) -> None:
    brief = VerifierService(tmp_path, challenge_lifetime_seconds=1).start()
    try:
        issued = new_challenge(brief)
        vp = presentation(holder, [credential], challenge=issued["challenge"],
                          domain=issued["domain"])
        brief.clock.advance(1.5)  # past the one-second lifetime
        report = brief.verify_presentation(vp, challenge=issued["challenge"],
                                           domain=issued["domain"])
    finally:
        brief.stop()
    assert report["verified"] is False
    assert failed(report)["challenge"] == (f"the challenge {issued['challenge']!r} has "
                                           "expired; ask for a new one")


def test_wrong_challenge_fails_and_leaves_the_real_one_usable(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    issued, other = new_challenge(verifier), new_challenge(verifier)
    vp = presentation(holder, [credential], challenge=other["challenge"],
                      domain=issued["domain"])
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is False
    assert "challenge does not match" in failed(report)["proof"]
    assert "challenge" not in checks_of(report)  # a failed proof does not use it up
    answer = presentation(holder, [credential], challenge=issued["challenge"],
                          domain=issued["domain"])
    assert verifier.verify_presentation(answer, challenge=issued["challenge"],
                                        domain=issued["domain"])["verified"] is True


def test_wrong_domain_fails(verifier: VerifierService, holder: LocalSigner,
                            credential: dict[str, Any]) -> None:
    issued = new_challenge(verifier)
    vp = presentation(holder, [credential], challenge=issued["challenge"],
                      domain="https://elders.example")
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is False
    assert "domain does not match" in failed(report)["proof"]


def test_the_callers_own_challenge_is_held_to_the_proof_only(verifier: VerifierService,
                                                             holder: LocalSigner,
                                                             credential: dict[str, Any]) -> None:
    """A challenge the caller names need not be one this verifier issued (the W3C suites,
    another service with challenges of its own); the proofs must carry it, and its domain."""
    callers = "challenge-van-de-aanroeper-0123456789"
    vp = presentation(holder, [credential], challenge=callers, domain="https://school.example")
    report = verifier.verify_presentation(vp, challenge=callers, domain="https://school.example")
    assert report["verified"] is True, report["errors"]
    assert "challenge" not in checks_of(report)  # nothing kept here to use up
    other = verifier.verify_presentation(vp, challenge="een-andere-challenge-0123456789",
                                         domain="https://school.example")
    assert "challenge does not match" in failed(other)["proof"]
    elsewhere = verifier.verify_presentation(vp, challenge=callers, domain=verifier.base_url)
    assert "domain does not match" in failed(elsewhere)["proof"]


def test_a_made_up_challenge_the_caller_does_not_name_is_refused(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    made_up = "bedacht-door-de-houder-0123456789"
    vp = presentation(holder, [credential], challenge=made_up, domain=verifier.base_url)
    report = verifier.verify_presentation(vp)
    assert report["verified"] is False
    assert failed(report) == {
        "challenge": f"the challenge {made_up!r} was not issued by this verifier"}


def test_holder_not_the_subject_is_a_warning_unless_the_caller_requires_binding(
        verifier: VerifierService, credential: dict[str, Any]) -> None:
    """VCDM 2.0 allows holder != subject: reported, an error only when the caller asks."""
    stranger = new_signer()
    issued = new_challenge(verifier)
    vp = presentation(stranger, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is True, report["errors"]
    assert any(w.startswith("credential[0].holder-binding: ") and
               f"({stranger.did}) is not the subject of this credential" in w
               for w in report["warnings"]), report["warnings"]
    issued = new_challenge(verifier)
    vp = presentation(stranger, [credential], challenge=issued["challenge"],
                      domain=issued["domain"])
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"], requireHolderBinding=True)
    assert report["verified"] is False
    message = failed(report)["credential[0].holder-binding"]
    assert f"({stranger.did}) is not the subject of this credential" in message
    assert checks_of(report)["credential[0]"] is True  # the credential itself is fine


def test_holder_named_but_not_signing_fails(verifier: VerifierService, holder: LocalSigner,
                                            credential: dict[str, Any]) -> None:
    impostor = new_signer()
    issued = new_challenge(verifier)
    vp = presentation(impostor, [credential], challenge=issued["challenge"],
                      domain=issued["domain"], holder_id=holder.did)
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"])
    reasons = failed(report)
    assert reasons["holder"] == f"presentation is not signed by its holder {holder.did}"
    assert any("not the subject" in w for w in report["warnings"]), report["warnings"]


def test_presentation_with_an_invalid_credential_fails_naming_it(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    school = new_signer()
    expired = school.sign(achievement_credential(school.did, holder.did,
                                                 valid_from="2020-01-01T00:00:00Z",
                                                 valid_until="2021-01-01T00:00:00Z"))
    issued = new_challenge(verifier)
    vp = presentation(holder, [credential, expired], challenge=issued["challenge"],
                      domain=issued["domain"])
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is False
    assert failed(report) == {"credential[1]": "validity: expired at 2021-01-01T00:00:00Z"}
    assert [c["verified"] for c in report["credentials"]] == [True, False]


def test_presentation_with_a_credential_that_is_no_jwt_fails_naming_it(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    vp = presentation(holder, [credential, "geen-jwt"], challenge=None, domain=None)
    report = verifier.verify_presentation(vp)
    assert report["verified"] is False
    assert "not a compact JWS" in failed(report)["credential[1]"]


def test_presentation_with_malformed_members_gets_reasons(verifier: VerifierService,
                                                         holder: LocalSigner,
                                                         credential: dict[str, Any]) -> None:
    vp = presentation(holder, [credential], challenge=None, domain=None)
    vp = changed(changed(vp, "holder", value=[holder.did]), "verifiableCredential",
                 value=[credential, 42])
    reasons = failed(verifier.verify_presentation(vp))
    assert reasons["holder"] == "holder must be a URL or an object with an id"
    assert reasons["credential[1]"] == "format: expected a JSON object"


def test_presentation_without_a_challenge_is_marked_replayable(
        verifier: VerifierService, holder: LocalSigner, credential: dict[str, Any]) -> None:
    vp = presentation(holder, [credential], challenge=None, domain=None)
    report = verifier.verify_presentation(vp)
    assert report["verified"] is True, report
    assert any("replayable" in warning for warning in report["warnings"])


def test_credential_sent_as_a_presentation_fails_the_format(
        verifier: VerifierService, credential: dict[str, Any]) -> None:
    report = verifier.verify_presentation(credential)
    assert failed(report) == {"format": "type does not include VerifiablePresentation"}


def test_wrong_presentation_options_are_400(verifier: VerifierService, holder: LocalSigner,
                                            credential: dict[str, Any]) -> None:
    vp = presentation(holder, [credential], challenge="c", domain="d")
    for options, words in (({"challenge": 7},
                            "body.options.challenge: Input should be a valid string"),
                           ([], "body.options: Input should be a valid dictionary")):
        response = inprocess.post(f"{verifier.base_url}/presentations/verify", timeout=30,
                              json={"verifiablePresentation": vp, "options": options})
        assert response.status_code == 400, response.text
        assert words in response.json()["message"]


# --- VCDM 2.0 §4.13.4: a self-asserted credential, secured by the presentation's proof -------
def test_a_self_asserted_credential_is_secured_by_the_holders_presentation(
        verifier: VerifierService, holder: LocalSigner) -> None:
    """The holder states something about herself in an unsigned credential she issues and
    presents it in a presentation she signs: the presentation's proof secures it."""
    claim = achievement_credential(holder.did, holder.did, name="Eigen reflectie")
    issued = new_challenge(verifier)
    vp = presentation(holder, [claim], challenge=issued["challenge"], domain=issued["domain"])
    report = verifier.verify_presentation(vp, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is True, report["errors"]
    inner = {c["check"]: c["message"] for c in report["credentials"][0]["checks"]}
    assert inner["proof"] == ("self-asserted: secured by the proof of the presentation, made "
                              f"by its holder {holder.did}")

    # What the presentation's proof covers cannot be changed afterwards.
    issued = new_challenge(verifier)
    vp = presentation(holder, [claim], challenge=issued["challenge"], domain=issued["domain"])
    tampered = changed(vp, "verifiableCredential", 0, "credentialSubject", "id",
                       value=new_signer().did)
    report = verifier.verify_presentation(tampered, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is False
    assert not checks_of(report)["proof"]


@pytest.mark.parametrize("case", ["someone else issued it", "no holder named",
                                  "not signed by the holder"])
def test_an_unsecured_credential_that_is_not_self_asserted_fails(
        verifier: VerifierService, holder: LocalSigner, case: str) -> None:
    other = new_signer()
    issuer = other.did if case == "someone else issued it" else holder.did
    claim = achievement_credential(issuer, holder.did)
    signer = other if case == "not signed by the holder" else holder
    vp = presentation(signer, [claim], challenge=None, domain=None, holder_id=holder.did)
    if case == "no holder named":
        vp = holder.sign({k: v for k, v in vp.items() if k not in ("holder", "proof")},
                         proof_purpose="authentication", challenge=None, domain=None)
    report = verifier.verify_presentation(vp)
    assert report["verified"] is False
    assert not checks_of(report)["credential[0]"]
    assert any("credential[0]" in error and "no proof" in error for error in report["errors"])
    assert any("names its holder (VCDM 2.0 §4.13.4)" in error for error in report["errors"]
               ) == (case == "no holder named")

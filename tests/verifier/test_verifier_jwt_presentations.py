"""JWT-secured presentations on /presentations/verify: a VC-JWT presentation (`vp` claim,
as OpenID4VP's jwt_vc_json and OB 3.0 make them) and a VC-JOSE one (typ vp+jwt, also
enveloped in an EnvelopedVerifiablePresentation). `nonce` and `aud` are the challenge and
domain; the credentials inside are verified and bound to the holder.
"""

from __future__ import annotations

from typing import Any

import pytest

from standards.jose import sign_vc_jose
from standards.jwt_presentations import sign_jwt_presentation
from standards.verification import envelope_jwt
from tests.verifier.conftest import VerifierService, failed
from tests.verifier.signing import (
    VP_CONTEXT,
    LocalSigner,
    achievement_credential,
    new_signer,
)
from tests.verifier.test_verifier_presentations import checks_of, new_challenge


@pytest.fixture(scope="module")
def holder() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def school() -> LocalSigner:
    return new_signer()


@pytest.fixture(scope="module")
def jwt_credential(school: LocalSigner, holder: LocalSigner) -> str:
    """A VC-JWT credential about the holder."""
    return school.sign_jwt(achievement_credential(school.did, holder.did))


def vp_jwt(holder: LocalSigner, credentials: list[Any], *, nonce: str | None,
           audience: str | None) -> str:
    return sign_jwt_presentation(credentials, holder.key, holder=holder.did,
                                 kid=holder.verification_method, nonce=nonce,
                                 audience=audience)


def vp_jose(holder: LocalSigner, credentials: list[Any], claims: dict[str, Any]) -> str:
    document = {"@context": [VP_CONTEXT], "type": ["VerifiablePresentation"],
                "holder": holder.did,
                "verifiableCredential": [envelope_jwt(c) for c in credentials]}
    return sign_vc_jose(document, holder.key, kid=holder.verification_method,
                        presentation=True, extra_claims=claims)


def test_vc_jwt_presentation_verifies_and_uses_up_the_challenge(
        verifier: VerifierService, holder: LocalSigner, jwt_credential: str) -> None:
    issued = new_challenge(verifier)
    token = vp_jwt(holder, [jwt_credential], nonce=issued["challenge"],
                   audience=issued["domain"])
    report = verifier.verify_presentation(token, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is True, report
    assert report["summary"]["holder"] == holder.did
    checks = {c["check"]: c["message"] for c in report["checks"]}
    assert checks["format"] == "VerifiablePresentation (vp-jwt)"
    assert checks["holder"] == f"presentation signed by its holder {holder.did}"
    assert checks["credential[0]"] == "valid"
    assert holder.did in checks["credential[0].holder-binding"]
    assert "now used up" in checks["challenge"]
    assert report["credentials"][0]["format"] == "vc-jwt"
    # the same token again is a replay, whether or not the caller names the challenge
    replay = verifier.verify_presentation(token)
    assert "replay" in failed(replay)["challenge"]


def test_vc_jose_presentation_verifies_as_token_and_enveloped(
        verifier: VerifierService, holder: LocalSigner, jwt_credential: str) -> None:
    for wrap in (lambda t: t, lambda t: {"@context": VP_CONTEXT, "type":
                                         "EnvelopedVerifiablePresentation",
                                         "id": "data:application/vp+jwt," + t}):
        issued = new_challenge(verifier)
        token = vp_jose(holder, [jwt_credential],
                        {"nonce": issued["challenge"], "aud": issued["domain"]})
        report = verifier.verify_presentation(wrap(token))
        assert report["verified"] is True, report
        assert checks_of(report)["challenge"] is True
        assert report["credentials"][0]["verified"] is True


def test_data_integrity_credential_inside_a_jwt_presentation(
        verifier: VerifierService, holder: LocalSigner, school: LocalSigner) -> None:
    credential = school.sign(achievement_credential(school.did, holder.did))
    report = verifier.verify_presentation(vp_jwt(holder, [credential], nonce=None,
                                                 audience=None))
    assert report["verified"] is True, report
    assert any("replayable" in w for w in report["warnings"])


def test_wrong_nonce_or_audience_fails(verifier: VerifierService, holder: LocalSigner,
                                       jwt_credential: str) -> None:
    issued = new_challenge(verifier)
    other_nonce = vp_jwt(holder, [jwt_credential], nonce="another",
                         audience=issued["domain"])
    report = verifier.verify_presentation(other_nonce, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert "is not the challenge" in failed(report)["proof"]
    other_audience = vp_jwt(holder, [jwt_credential], nonce=issued["challenge"],
                            audience="https://elsewhere.example")
    report = verifier.verify_presentation(other_audience, challenge=issued["challenge"],
                                          domain=issued["domain"])
    assert report["verified"] is False
    assert "is not 'http" in failed(report)["proof"]


def test_signed_by_someone_else_than_the_holder_fails(
        verifier: VerifierService, holder: LocalSigner, jwt_credential: str) -> None:
    stranger = new_signer()
    token = sign_jwt_presentation([jwt_credential], stranger.key, holder=holder.did,
                                  kid=stranger.verification_method)
    reasons = failed(verifier.verify_presentation(token, requireHolderBinding=True))
    assert reasons["holder"] == f"presentation is not signed by a key of its holder {holder.did}"
    assert "is not the subject" in reasons["credential[0].holder-binding"]


def test_tampered_presentation_fails_the_proof(verifier: VerifierService, holder: LocalSigner,
                                              jwt_credential: str) -> None:
    token = vp_jwt(holder, [jwt_credential], nonce=None, audience=None)
    head, body, signature = token.split(".")
    forged = ".".join((head, body, ("A" if signature[0] != "A" else "B") + signature[1:]))
    reasons = failed(verifier.verify_presentation(forged))
    assert "signature" in reasons["proof"]


def test_credential_about_someone_else_is_allowed_unless_binding_is_required(
        verifier: VerifierService, holder: LocalSigner, school: LocalSigner) -> None:
    """VCDM 2.0 lets a holder present a credential about someone else: a warning, and an
    error only when the caller's policy requires holder binding (as for Data Integrity)."""
    other = school.sign_jwt(achievement_credential(school.did, new_signer().did))
    token = vp_jwt(holder, [other], nonce=None, audience=None)
    allowed = verifier.verify_presentation(token)
    assert allowed["verified"] is True, allowed["errors"]
    assert any("credential[0].holder-binding" in w for w in allowed["warnings"])
    reasons = failed(verifier.verify_presentation(token, requireHolderBinding=True))
    assert "is not the subject" in reasons["credential[0].holder-binding"]


def test_jwt_credential_is_not_taken_for_a_presentation(
        verifier: VerifierService, jwt_credential: str) -> None:
    report = verifier.verify_presentation(jwt_credential)
    assert report["verified"] is False
    assert "format" in failed(report)

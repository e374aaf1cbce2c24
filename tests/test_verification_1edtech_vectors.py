"""Agreement with the 1EdTech validator over the credentials it ships as test resources
(tests/vectors/1edtech, SOURCE.md there; issue 19).

Each row: the file, the validator's verdict in its own tests ("valid" includes its
"warning"), and ours, offline. Where the validator's verdict needs the network (a live
did:web or status list), ours is the offline one ("unknown": not checked yet) and the row
says so; the Bitstring Status List samples name the validator's own `testlist` on GitHub,
which is served here from the copy. Rows where we disagree say why; the agreement count is
asserted so that a change in either direction shows. Files no test of the validator gives a
verdict for are not rows (ob30/simple-noproof.json, ob30/simple.jwt, the did:web sample whose
test is disabled, clr20/complex.json whose test is commented out, clr20/simple-noproof.json,
clr20/simple_old_safesigned.json).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from standards.baking import unbake
from standards.fetcher import Fetcher
from standards.verification import VerificationResult, verify_credential

VECTORS = Path(__file__).parent / "vectors" / "1edtech"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
TESTLIST = ("https://raw.githubusercontent.com/1EdTech/digital-credentials-public-validator/"
            "refs/heads/main/inspector-vc/src/test/resources/ob30/bit-string-list/testlist")
INTEGER_INDEX = ("its statusListIndex is the number 23, not the base-10 string the Bitstring "
                 "Status List requires, and the list it names says its own id is another URL "
                 "(https://example.com/credentials/status/3): the validator reads both and "
                 "finds the credential revoked; we cannot tell which list is meant, so the "
                 "status is unknown")
NETWORK = "the validator's verdict needs the network; ours offline is 'not checked yet'"

# file, the validator's verdict, ours (offline), why they differ (None: they agree)
EXPECTATIONS: list[tuple[str, str, str, str | None]] = [
    ("ob30/simple.json", "valid", "valid", None),
    ("ob30/simple.1ob", "valid", "valid", None),
    ("ob30/simple_v1.json", "valid", "valid", None),
    ("ob30/simple-eddsa-2022.json", "valid", "valid", None),
    ("ob30/simple-context-alias.json", "valid", "valid", None),
    # The issuer is a urn:uuid, which publishes no keys: valid, "issuer's key not confirmed".
    ("ob30/simple-did-key-method.json", "valid", "valid", None),
    ("ob30/simple-multiple-proofs.json", "invalid", "invalid", None),
    ("ob30/velocity.jwt", "invalid", "invalid", None),
    ("ob30/simple-err-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-context.json", "invalid", "invalid", None),
    ("ob30/simple-err-issuer.json", "invalid", "invalid", None),
    ("ob30/simple-err-issued.json", "invalid", "invalid", None),
    ("ob30/simple-err-expired.json", "invalid", "invalid", None),
    ("ob30/simple-err-proof-value.json", "invalid", "invalid", None),
    ("ob30/simple-err-proof-method-no-scheme.json", "invalid", "invalid", None),
    ("ob30/simple-err-proof-method-unknown-scheme.json", "invalid", "invalid", None),
    ("ob30/simple-err-proof-method-unknown-did-method.json", "invalid", "invalid", None),
    ("ob30/simple-err-proof-method.json", "invalid", "unknown", NETWORK),
    ("ob30/simple-err-credential-subject-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-credential-subject-identifier-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-credential-subject-result-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-credential-subject-achievement-result-description-type.json",
     "invalid", "invalid", None),
    ("ob30/simple-err-credential-subject-profile-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-evidence-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-issuer-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-issuer-parentorg-type.json", "invalid", "invalid", None),
    ("ob30/simple-err-issuer-otheridentifier-type.json", "invalid", "invalid", None),
    ("ob30/credential-status-revoked.json", "invalid", "unknown", NETWORK),
    ("ob30/bit-string-list/credential-status-revoked.json", "invalid", "unknown",
     INTEGER_INDEX),
    ("ob30/bit-string-list/credential-status-revoked-blank-nodes.json", "invalid", "unknown",
     INTEGER_INDEX),
    ("ob30/sd/derivedcredential.json", "valid", "valid", None),
    # Baked images (the validator reads the credential out of the image, as we do).
    ("ob30/simple-json.png", "valid", "valid", None),
    ("ob30/simple-jwt.png", "valid", "valid", None),
    ("ob30/simple-jwt_v1.png", "valid", "valid", None),  # no `sub`: a conformance warning
    ("ob30/simple-json.svg", "valid", "valid", None),
    ("ob30/simple-jwt.svg", "valid", "valid", None),
    ("ob30/simple-jwt_v1.svg", "valid", "valid", None),
    ("ob30/simple-context-version.json", "invalid", "valid",
     "it names the OB 3.0 context of version 3.0.2, which the validator no longer accepts "
     "(it wants 3.0.3 or an alias); 3.0.2 is a published context and the proof holds, so a "
     "badge issued with it stays valid for us"),
    # The validator's verdict is its 404 on an inline schema reference; ours: the status
    # list and a key cannot be fetched offline, and an endorsement's cryptosuite is unknown.
    ("ob30/complete.json", "invalid", "invalid", None),
    ("ob30/complete_v1.json", "invalid", "invalid", None),
    ("ob30/endorsement-valid.json", "valid", "valid", None),
    ("ob30/endorsement-err-schema-status-refresh.json", "invalid", "invalid", None),
    ("clr20/simple.json", "valid", "valid", None),
    ("clr20/simple.jwt", "valid", "invalid",
     "its context https://dc.imsglobal.org/draft/clr/v2p0/context is a 1EdTech draft that "
     "neither the validator nor the CLR 2.0 specification publishes (the validator can only "
     "have fetched it); we never fetch contexts, and cannot bundle one we do not have"),
    # The key is the multikey in the fragment of the issuer's urn:uuid (1EdTech style).
    ("clr20/simple_v1.json", "valid", "valid", None),
]


def load(name: str) -> dict[str, Any] | str:
    if name.endswith((".png", ".svg")):
        return unbake((VECTORS / name).read_bytes())
    text = (VECTORS / name).read_text("utf-8")
    return text.strip() if name.endswith(".jwt") else json.loads(text)


def verdict(result: VerificationResult) -> str:
    if result.verified:
        return "valid"
    return "unknown" if result.undetermined else "invalid"


def our_verdict(name: str) -> tuple[str, VerificationResult]:
    fetcher = Fetcher.offline({TESTLIST: (VECTORS / "ob30/bit-string-list/testlist")
                               .read_bytes()})
    result = verify_credential(load(name), now=NOW, fetcher=fetcher)
    return verdict(result), result


@pytest.mark.parametrize(("name", "validator", "ours", "why"), EXPECTATIONS,
                         ids=[row[0] for row in EXPECTATIONS])
def test_our_verdict_on_the_validators_samples(name: str, validator: str, ours: str,
                                               why: str | None) -> None:
    got, result = our_verdict(name)
    assert got == ours, result.errors
    assert (why is None) == (validator == ours)


def test_the_agreement_count() -> None:
    agreeing = [name for name, validator, ours, _ in EXPECTATIONS if validator == ours]
    network = [name for name, _, _, why in EXPECTATIONS if why == NETWORK]
    assert (len(agreeing), len(network), len(EXPECTATIONS)) == (39, 2, 45)


def test_acceptance_agrees_on_every_sample_but_two() -> None:
    """Where the verdicts differ, ours is mostly "unknown" (not accepted, kept, checked
    again later) where the validator's is "invalid": neither accepts the credential. The two
    exceptions: an older OB 3.0 context version, and a CLR draft context only the network
    has."""
    accepting_differently = [name for name, validator, ours, _ in EXPECTATIONS
                             if (validator == "valid") != (ours == "valid")]
    assert accepting_differently == ["ob30/simple-context-version.json", "clr20/simple.jwt"]


def test_a_urn_issuer_gets_the_key_not_confirmed_warning() -> None:
    """A urn:uuid issuer cannot publish keys: a genuine did:key proof holds, and the report
    says the key is not confirmed as the issuer's (the trust check shows unknown)."""
    _, result = our_verdict("ob30/simple-did-key-method.json")
    assert result.issuer_key_confirmed is False
    assert any(w.startswith("issuer's key not confirmed: the issuer urn:uuid:6f2e33e5")
               for w in result.warnings)


def test_a_key_in_a_urn_fragment_is_read_from_the_fragment() -> None:
    _, result = our_verdict("clr20/simple_v1.json")
    assert any("taken from the URL fragment" in w for w in result.warnings)


def test_a_urn_fragment_that_is_no_key_is_refused() -> None:
    document = load("clr20/simple_v1.json")
    assert isinstance(document, dict)
    document["proof"]["verificationMethod"] = (
        "urn:uuid:4ca4a241-fc3b-4d92-978e-f56fa96ae795#key-1")
    result = verify_credential(document, now=NOW, fetcher=Fetcher.offline({}))
    assert not result.verified and not result.undetermined
    assert any("neither a DID URL nor an https URL" in e for e in result.errors)


def test_a_tampered_credential_of_a_urn_issuer_is_invalid() -> None:
    document = load("ob30/simple-did-key-method.json")
    assert isinstance(document, dict)
    document["name"] = "Another achievement"
    result = verify_credential(document, now=NOW, fetcher=Fetcher.offline({}))
    assert not result.verified and not result.undetermined

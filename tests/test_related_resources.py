"""relatedResource digests (VCDM 2.0 5.3, issue 19): checked against bundled contexts and
whatever the caller's fetcher may fetch; a mismatch is an error naming the resource, an
unavailable resource a warning."""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime
from typing import Any

from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.document_loader import bundled_context_bytes
from standards.fetcher import Fetcher
from standards.keys import generate_key
from standards.multibase_codec import encode_base58btc, encode_base64url
from standards.ob3.evidence import digest_sri
from standards.related_resources import check_related_resources, matches_digest_multibase
from standards.verification import verify_credential

V2 = "https://www.w3.org/ns/credentials/v2"
EXAMPLES = "https://www.w3.org/ns/credentials/examples/v2"
NOW = datetime(2026, 6, 1, tzinfo=UTC)
PICTURE = "https://school.example/picture.png"
PICTURE_BYTES = b"\x89PNG not really"


def multihash(content: bytes, name: str = "sha256") -> bytes:
    code = {"sha256": 0x12, "sha384": 0x20, "sha512": 0x13}[name]
    digest = hashlib.new(name, content).digest()
    return bytes([code, len(digest)]) + digest


def test_digest_multibase_as_multihash_or_bare_digest() -> None:
    content = b"hello"
    for name in ("sha256", "sha384", "sha512"):
        assert matches_digest_multibase(content, encode_base64url(multihash(content, name)))
        assert matches_digest_multibase(content, encode_base58btc(multihash(content, name)))
        bare = hashlib.new(name, content).digest()
        assert matches_digest_multibase(content, encode_base64url(bare))
    assert matches_digest_multibase(b"other", encode_base64url(multihash(content))) is False
    assert matches_digest_multibase(content, "not multibase") is False
    assert matches_digest_multibase(content, 42) is False
    unknown = bytes([0x1B, 32]) + bytes(32)  # keccak-256: a multihash we do not compute
    assert matches_digest_multibase(content, encode_base64url(unknown)) is None


def test_the_w3c_digests_of_bundled_contexts_match() -> None:
    # the examples context digest from the VCDM 2.0 spec's relatedResource example style
    # (a multihash), and the VCDM 2.0 suite's fixtures for credentials/v2
    findings = check_related_resources({"relatedResource": [
        {"id": V2, "digestSRI": "sha384-l/HrjlBCNWyAX91hr6LFV2Y3heB5Tcr6IeE4/Tje8YyzYBM8Ih"
                                "qjHWiWpr8+ZbYU",
         "digestMultibase": "uWZVc7WaX1h4D8rJVb-vlMIqxaEKEb1tYbX8fet7JJzQ"},
        {"id": EXAMPLES, "digestMultibase": "uEiBXOT-8adbvubm13Jy2uYgLCUQ2Cr_i6vRZyeWM8iedfA"},
    ]})
    assert findings.checked == [V2, EXAMPLES]
    assert findings.mismatches == [] and findings.warnings == []


def test_a_wrong_digest_names_the_resource_and_unavailable_is_a_warning() -> None:
    findings = check_related_resources({"relatedResource": [
        {"id": V2, "digestSRI": digest_sri(b"something else")},
        {"id": PICTURE, "digestSRI": digest_sri(PICTURE_BYTES)},
    ]})
    assert len(findings.mismatches) == 1
    assert findings.mismatches[0].startswith(f"relatedResource {V2}: digestSRI")
    assert findings.warnings == [f"relatedResource {PICTURE}: not available here, its digest "
                                 "was not checked"]

    refused = check_related_resources({"relatedResource": {"id": PICTURE, "digestSRI": "x"}},
                                      Fetcher.offline())
    assert refused.mismatches == []
    assert refused.warnings[0].startswith(f"relatedResource {PICTURE}: not available (")


def test_a_resource_the_fetcher_serves_is_checked() -> None:
    fetcher = Fetcher.offline({PICTURE: PICTURE_BYTES})
    right = {"id": PICTURE, "digestMultibase": encode_base64url(multihash(PICTURE_BYTES))}
    assert check_related_resources({"relatedResource": [right]}, fetcher).checked == [PICTURE]
    wrong = {"id": PICTURE, "digestSRI": digest_sri(b"the picture before it changed")}
    assert check_related_resources({"relatedResource": [wrong]}, fetcher).mismatches


def signed(related: list[dict[str, Any]]) -> dict[str, Any]:
    key = generate_key()
    did = did_key_from_key_pair(key)
    credential = {"@context": [V2], "type": ["VerifiableCredential"], "issuer": did,
                  "validFrom": "2026-01-01T00:00:00Z",
                  "credentialSubject": {"id": "did:example:subject"},
                  "relatedResource": related}
    return sign_document(credential, key,
                         verification_method=f"{did}#{did.removeprefix('did:key:')}")


def test_the_verifier_reports_each_related_resource() -> None:
    v2_digest = hashlib.sha384(bundled_context_bytes(V2) or b"").digest()
    good = signed([{"id": V2, "digestSRI": "sha384-" + base64.b64encode(v2_digest).decode()},
                   {"id": PICTURE, "digestSRI": digest_sri(PICTURE_BYTES)}])
    result = verify_credential(good, now=NOW)
    assert result.verified, result.errors
    assert any(c.check == "related-resource" and c.ok for c in result.checks)
    assert any(w.startswith(f"relatedResource {PICTURE}: not available") for w in
               result.warnings)

    served = verify_credential(good, now=NOW, fetcher=Fetcher.offline({PICTURE: b"changed"}))
    assert not served.verified
    assert served.errors == [f"related-resource: relatedResource {PICTURE}: digestSRI "
                             f"{digest_sri(PICTURE_BYTES)[:24]}… does not match the "
                             "resource's content"]

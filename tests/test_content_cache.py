"""Memoised canonicalisation and schema checks never hide a change to a document."""

from __future__ import annotations

import copy

import pytest

from standards.content_cache import ContentCache, content_key
from standards.data_integrity import sign_document
from standards.dids import did_key_from_key_pair
from standards.keys import generate_key
from standards.verification import verify_credential
from tests.ob3_sample import realistic_ob3_credential


def test_key_ignores_key_order_but_not_values() -> None:
    assert content_key({"a": 1, "b": [1, 2]}) == content_key({"b": [1, 2], "a": 1})
    assert content_key({"a": 1, "b": [1, 2]}) != content_key({"a": 1, "b": [2, 1]})
    assert content_key({"a": "1"}) != content_key({"a": 1})
    assert content_key({"a": object()}) is None


def test_errors_are_not_cached() -> None:
    cache: ContentCache[int] = ContentCache(maxsize=4)
    calls = []

    def failing() -> int:
        calls.append(1)
        raise ValueError("no")

    for _ in range(2):
        with pytest.raises(ValueError):
            cache.get_or_compute("t", {"x": 1}, failing)
    assert len(calls) == 2
    assert cache.get_or_compute("t", {"x": 1}, lambda: 5) == 5
    assert cache.get_or_compute("t", {"x": 1}, lambda: 6) == 5
    assert cache.get_or_compute("other", {"x": 1}, lambda: 6) == 6


def test_a_tampered_copy_of_a_verified_credential_still_fails() -> None:
    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    signed = sign_document(realistic_ob3_credential("did:example:a", 1, issuer_id=did), key,
                           verification_method=f"{did}#{did.removeprefix('did:key:')}")
    assert verify_credential(signed).verified
    tampered = copy.deepcopy(signed)
    tampered["credentialSubject"]["achievement"]["name"] += "!"
    assert not verify_credential(tampered).verified
    assert verify_credential(copy.deepcopy(signed)).verified
    del tampered["credentialSubject"]["achievement"]["criteria"]
    report = verify_credential(tampered)
    # found anew, not read from the cache: the copy now also departs from the OB 3.0 schema
    assert any(w.startswith("not fully OB 3.0 conformant") for w in report.warnings)

"""RFC 8785 fast path (standards.data_integrity.jcs) against the reference, `rfc8785`: on
arbitrary JSON (unicode, escapes, control characters, lone surrogates, keys on both sides of
the BMP, big integers, floats, nesting) it writes the same bytes or fails the same way; and
its walk refuses exactly what `check_document_limits` refuses."""

from __future__ import annotations

import json
from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from standards.data_integrity import sign_document
from standards.data_integrity.jcs import (
    SAFE_INTEGER,
    _is_plain,
    canonical_json,
    plain_json_within_limits,
)
from standards.dids import did_key_from_key_pair
from standards.errors import DocumentTooLargeError
from standards.json_text import holds_lone_surrogate, json_copy
from standards.jsonld import check_document_limits
from standards.keys import generate_key
from tests.ob3_sample import realistic_ob3_credential

EXAMPLES = 500

TRICKY = ["", "\x00", "\x01\x1f", "\b\f\n\r\t", '"', "\\", "\x7f", "\u2028\u2029", "\ud800",
          "a\udfffb", "\ue000", "\uffff", "\U00010000", "\U0001f393", "é", "e\u0301", "\ufeff",
          "</script>", "\u0000x"]
_text = st.text(st.characters(exclude_categories=()), max_size=12) | st.sampled_from(TRICKY)
_numbers = (st.integers() | st.sampled_from([SAFE_INTEGER, -SAFE_INTEGER, SAFE_INTEGER + 1,
                                              -SAFE_INTEGER - 1, 0, -0, 2**64])
            | st.floats() | st.sampled_from([0.0, -0.0, 1.0, 1e21, 1e-7, 5e-324, 1e308]))
_scalars = st.none() | st.booleans() | _text | _numbers
JSON: st.SearchStrategy[Any] = st.recursive(
    _scalars,
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(_text, children, max_size=5),
    max_leaves=25)
# Mostly plain JSON, so that the fast path is taken often.
PLAIN_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.text(st.characters(codec="utf-8"), max_size=12)
    | st.sampled_from([t for t in TRICKY if not any("\ud800" <= c <= "\udfff" for c in t)])
    | st.integers(-SAFE_INTEGER, SAFE_INTEGER),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(st.characters(max_codepoint=0xFFFF, codec="utf-8"),
                              max_size=6), children, max_size=5),
    max_leaves=25)


def outcome(write: Any, value: Any) -> tuple[str, Any]:
    try:
        return "bytes", write(value)
    except Exception as exc:  # the same failure, whichever way it is written
        return type(exc).__name__, str(exc)


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck), phases=[Phase.generate])


def test_the_fast_path_writes_the_reference_bytes_or_leaves_it_to_the_reference() -> None:
    taken: list[bool] = []

    @SETTINGS
    @given(st.one_of(JSON, PLAIN_JSON))
    def compare(value: Any) -> None:
        assert outcome(canonical_json, value) == outcome(rfc8785.dumps, value)
        if isinstance(value, dict | list):
            limited = outcome(plain_json_within_limits, value)
            if holds_lone_surrogate(value):  # not Unicode text: refused by the walk itself
                assert limited[0] == "NotUnicodeTextError", limited
            else:
                assert limited == ("bytes", _is_plain(value))  # small values: within limits
                assert outcome(lambda v: canonical_json(v, plain=limited[1]), value) == \
                    outcome(rfc8785.dumps, value)
        taken.append(_is_plain(value))

    compare()
    # Both ways are exercised: the fast path on most plain JSON, the reference on the rest.
    assert len(taken) * 0.8 > sum(taken) > len(taken) * 0.3, (sum(taken), len(taken))


def test_keys_on_both_sides_of_the_bmp_take_the_reference() -> None:
    value = {"\U0001f393": 1, "\ufb01": 2, "a": 3}  # code point and UTF-16 orders differ
    assert not _is_plain(value)
    assert canonical_json(value) == rfc8785.dumps(value)
    assert canonical_json(value) != _sorted_by_code_point(value)


def _sorted_by_code_point(value: dict[str, Any]) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False).encode()


def test_a_credential_takes_the_fast_path() -> None:
    credential = realistic_ob3_credential("did:example:learner", 3)
    assert plain_json_within_limits(credential)
    assert canonical_json(credential) == rfc8785.dumps(credential)


def _nested(depth: int) -> Any:
    value: Any = "bottom"
    for _ in range(depth - 1):
        value = {"a": [value]} if depth % 2 else [value]
    return value


@pytest.mark.parametrize("document", [
    _nested(64), _nested(65), _nested(300),
    {"many": list(range(200_000))}, {"many": list(range(199_998))},
    {"deep": _nested(70), "many": list(range(200_000))},
    {"many": list(range(200_000)), "deep": _nested(70)},
], ids=["64 deep", "65 deep", "300 deep", "too many", "just enough", "deep, then many",
        "many, then deep"])
def test_the_walk_refuses_what_check_document_limits_refuses(document: Any) -> None:
    expected = outcome(check_document_limits, document)
    got = outcome(plain_json_within_limits, document)
    assert got[0] == expected[0]
    if expected[0] != "bytes":
        assert got == expected and expected[0] == DocumentTooLargeError.__name__


def test_json_copy_copies_every_container_and_nothing_else() -> None:
    document: dict[str, Any] = {"a": [1, {"b": "c"}], "d": {"e": None, "f": True, "g": 2.5}}
    copied = json_copy(document)
    assert copied == document
    assert copied is not document and copied["a"] is not document["a"]
    assert copied["a"][1] is not document["a"][1] and copied["d"] is not document["d"]


def test_a_signed_document_shares_nothing_mutable_with_its_input() -> None:
    key = generate_key("ed25519")
    did = did_key_from_key_pair(key)
    unsigned: dict[str, Any] = {"@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": ["VerifiableCredential"], "issuer": did,
                "credentialSubject": {"id": "did:example:holder", "name": "Sanne"}}
    for suite in ("eddsa-rdfc-2022", "eddsa-jcs-2022"):
        signed = sign_document(unsigned, key, suite=suite,
                               verification_method=f"{did}#{did.removeprefix('did:key:')}")
        signed["credentialSubject"]["name"] = "changed"
        signed["type"].append("Other")
        assert unsigned["credentialSubject"] == {"id": "did:example:holder", "name": "Sanne"}
        assert unsigned["type"] == ["VerifiableCredential"]

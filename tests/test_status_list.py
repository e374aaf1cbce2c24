"""Bitstring Status List v1.0 (and StatusList2021 reading) and the 1EdTech Revocation List."""

from __future__ import annotations

import base64
import copy
import gzip
import json
from pathlib import Path
from typing import Any

import pytest

from standards.revocation_list import RevocationListError, check_revocation_list
from standards.status_list import (
    MALFORMED_VALUE_ERROR,
    MIN_ENTRIES,
    RANGE_ERROR,
    STATUS_LIST_LENGTH_ERROR,
    STATUS_VERIFICATION_ERROR,
    StatusCheck,
    StatusList,
    StatusListError,
    check_status_entry,
)
from standards.status_list_building import build_status_entry, build_status_list_credential

LIST_URL = "https://example.com/credentials/status/3"


@pytest.fixture(scope="module")
def vectors(standards_dir: Path) -> Path:
    return standards_dir / "vectors" / "bitstring-status-list"


@pytest.fixture
def spec_list_credential(vectors: Path) -> dict[str, Any]:
    return json.loads((vectors / "spec-example-status-list-credential.json").read_text())


@pytest.fixture
def spec_entries(vectors: Path) -> list[dict[str, Any]]:
    credential = json.loads((vectors / "spec-example-credential-with-status.json").read_text())
    return credential["credentialStatus"]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _with_list(credential: dict[str, Any], status_list: StatusList) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    changed["credentialSubject"]["encodedList"] = status_list.encode()
    return changed


# --- the spec's examples --------------------------------------------------------------------
def test_spec_example_list_decodes_to_16kb_of_zeros(spec_list_credential: dict[str, Any]) -> None:
    encoded = spec_list_credential["credentialSubject"]["encodedList"]
    status_list = StatusList.decode(encoded)
    assert status_list.length == MIN_ENTRIES == 131_072
    assert status_list.to_bytes() == bytes(16_384)


def test_encoding_an_empty_list_reproduces_the_spec_example(
    spec_list_credential: dict[str, Any],
) -> None:
    assert StatusList().encode() == spec_list_credential["credentialSubject"]["encodedList"]


def test_spec_example_entry_is_not_revoked(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    result = check_status_entry(spec_entries[0], spec_list_credential)
    assert result == StatusCheck(
        purpose="revocation", index=94567, status_set=False, message="unset", status=0
    )


def test_spec_example_entry_sees_its_bit_once_set(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    status_list = StatusList.decode(spec_list_credential["credentialSubject"]["encodedList"])
    status_list.set(94567, True)
    revoked = check_status_entry(spec_entries[0], _with_list(spec_list_credential, status_list))
    assert revoked.status_set and revoked.message == "set" and revoked.status == 1
    status_list.set(94567, False)
    status_list.set(94568, True)  # the neighbour does not count
    cleared = check_status_entry(spec_entries[0], _with_list(spec_list_credential, status_list))
    assert not cleared.status_set


def test_builders_reproduce_the_spec_examples(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    entry = build_status_entry(list_credential_url=LIST_URL, index=94567, purpose="revocation")
    assert entry == spec_entries[0]
    built = build_status_list_credential(
        id=LIST_URL,
        issuer="did:example:12345",
        status_purpose="revocation",
        status_list=StatusList(),
        valid_from="2021-04-05T14:27:40Z",
    )
    expected = copy.deepcopy(spec_list_credential)
    # The spec example's subject id is a different URL; ours is always <list id>#list.
    expected["credentialSubject"]["id"] = LIST_URL + "#list"
    assert built == expected


# --- bit layout -----------------------------------------------------------------------------
def test_bit_order_is_most_significant_first() -> None:
    status_list = StatusList(16)
    status_list.set(0, True)
    assert status_list.to_bytes() == b"\x80\x00"
    status_list.set(7, True)
    assert status_list.to_bytes() == b"\x81\x00"
    status_list.set(9, True)
    assert status_list.to_bytes() == b"\x81\x40"
    hand_made = StatusList.from_bytes(b"\xa0\x01")  # 1010 0000  0000 0001
    assert [i for i in range(16) if hand_made.get(i)] == [0, 2, 15]


@pytest.mark.parametrize("index", [0, 7, 8, MIN_ENTRIES - 1])
def test_set_clear_get_at_the_edges(index: int) -> None:
    status_list = StatusList()
    status_list.set(index, True)
    assert status_list.get(index)
    assert sum(bin(b).count("1") for b in status_list.to_bytes()) == 1
    again = StatusList.decode(status_list.encode())
    assert again.get(index) and again.length == MIN_ENTRIES
    again.set(index, False)
    assert not again.get(index)
    assert again.to_bytes() == bytes(MIN_ENTRIES // 8)


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, MIN_ENTRIES + 8])
def test_index_out_of_range_is_refused(index: int) -> None:
    status_list = StatusList()
    with pytest.raises(StatusListError, match="outside the list") as raised:
        status_list.get(index)
    assert raised.value.code == RANGE_ERROR
    with pytest.raises(StatusListError, match="outside the list"):
        status_list.set(index, True)


def test_entry_index_past_the_end_is_a_range_error(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    entry = dict(spec_entries[0], statusListIndex=str(MIN_ENTRIES))
    with pytest.raises(StatusListError, match="outside the list") as raised:
        check_status_entry(entry, spec_list_credential)
    assert raised.value.code == RANGE_ERROR


@pytest.mark.parametrize("length", [0, -8, 12, True, "8"])
def test_invalid_lengths_are_refused(length: Any) -> None:
    with pytest.raises(StatusListError, match="length"):
        StatusList(length)


def test_set_requires_a_bool() -> None:
    with pytest.raises(StatusListError, match="True or False"):
        StatusList().set(3, 1)  # type: ignore[arg-type]


# --- decoding safety ------------------------------------------------------------------------
def test_decompression_bomb_is_refused() -> None:
    bomb = "u" + _b64url(gzip.compress(bytes(17 * 1024 * 1024), mtime=0))
    assert len(bomb) < 40_000  # small on the wire, 17 MiB when expanded
    with pytest.raises(StatusListError, match="decompression bomb"):
        StatusList.decode(bomb)


@pytest.mark.parametrize(
    ("encoded", "problem"),
    [
        ("H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA", "start with 'u'"),
        ("zH4sIAAAA", "start with 'u'"),
        ("uH4sI+AAA/", "base64url"),
        ("uH4sIAA==", "base64url"),
        ("u" + _b64url(b"not gzip at all"), "not GZIP"),
        ("u" + _b64url(gzip.compress(bytes(64), mtime=0)[:-10]), "truncated"),
        ("u" + _b64url(gzip.compress(bytes(64), mtime=0) + b"junk"), "trailing data"),
        ("u" + _b64url(b"\x1f\x8b\x08\x00garbage-garbage"), "corrupt"),
        ("u", "not GZIP"),
    ],
)
def test_malformed_encoded_lists_are_refused(encoded: str, problem: str) -> None:
    with pytest.raises(StatusListError, match=problem) as raised:
        StatusList.decode(encoded)
    assert raised.value.code == MALFORMED_VALUE_ERROR


def test_encoded_list_must_be_a_string() -> None:
    with pytest.raises(StatusListError, match="must be a string"):
        StatusList.decode(None)  # type: ignore[arg-type]


def test_empty_bitstring_is_refused() -> None:
    with pytest.raises(StatusListError, match="empty"):
        StatusList.decode("u" + _b64url(gzip.compress(b"", mtime=0)))


# --- checking entries against lists ---------------------------------------------------------
def test_purpose_mismatch_is_refused(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    entry = dict(spec_entries[0], statusPurpose="suspension")
    with pytest.raises(StatusListError, match="purpose mismatch") as raised:
        check_status_entry(entry, spec_list_credential)
    assert raised.value.code == STATUS_VERIFICATION_ERROR


def test_entry_for_another_list_is_refused(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    # The second example entry points at .../status/4, not at the list we hold.
    with pytest.raises(StatusListError, match="statusListCredential") as raised:
        check_status_entry(spec_entries[1], spec_list_credential)
    assert raised.value.code == STATUS_VERIFICATION_ERROR


def test_unknown_purpose_is_refused(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    entry = dict(spec_entries[0], statusPurpose="expiry")
    with pytest.raises(StatusListError, match="unknown status purpose 'expiry'"):
        check_status_entry(entry, spec_list_credential)


def test_list_with_several_purposes_serves_each(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    spec_list_credential["credentialSubject"]["statusPurpose"] = ["revocation", "suspension"]
    suspended = dict(spec_entries[0], statusPurpose="suspension")
    assert check_status_entry(suspended, spec_list_credential).purpose == "suspension"


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        (("type",), ["VerifiableCredential"], "not a BitstringStatusListCredential"),
        (("credentialSubject", "type"), "StatusList2021", "must be 'BitstringStatusList'"),
        (("credentialSubject",), [], "exactly one credentialSubject"),
        (("credentialSubject", "statusPurpose"), 7, "one or more strings"),
        (("credentialSubject", "encodedList"), 12, "must be a string"),
    ],
)
def test_malformed_list_credentials_are_refused(
    spec_entries: list[dict[str, Any]],
    spec_list_credential: dict[str, Any],
    path: tuple[str, ...],
    value: Any,
    problem: str,
) -> None:
    target = spec_list_credential
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(StatusListError, match=problem):
        check_status_entry(spec_entries[0], spec_list_credential)


@pytest.mark.parametrize(
    ("field", "value", "problem"),
    [
        ("type", "RevocationList2020Status", "unsupported credentialStatus type"),
        ("statusListIndex", 94567, "base-10 integer string"),
        ("statusListIndex", "-1", "base-10 integer string"),
        ("statusListIndex", "0x10", "base-10 integer string"),
        ("statusListCredential", None, "must be a URL"),
        ("statusSize", 0, "greater than zero"),
        ("statusSize", 64, "not supported"),
    ],
)
def test_malformed_entries_are_refused(
    spec_entries: list[dict[str, Any]],
    spec_list_credential: dict[str, Any],
    field: str,
    value: Any,
    problem: str,
) -> None:
    entry = dict(spec_entries[0], **{field: value})
    with pytest.raises(StatusListError, match=problem):
        check_status_entry(entry, spec_list_credential)


def test_list_shorter_than_the_minimum_is_refused(
    spec_entries: list[dict[str, Any]], spec_list_credential: dict[str, Any]
) -> None:
    short = _with_list(spec_list_credential, StatusList(8 * 1024))
    entry = dict(spec_entries[0], statusListIndex="5")
    with pytest.raises(StatusListError, match="fewer than the minimum") as raised:
        check_status_entry(entry, short)
    assert raised.value.code == STATUS_LIST_LENGTH_ERROR
    # An ecosystem may set a lower bound.
    assert not check_status_entry(entry, short, minimum_entries=8 * 1024).status_set


MESSAGES = [
    {"status": "0x0", "message": "pending_review"},
    {"status": "0x1", "message": "accepted"},
    {"status": "0x2", "message": "rejected"},
    {"status": "0x3", "message": "undefined"},
]


def test_multi_bit_message_entries(spec_list_credential: dict[str, Any]) -> None:
    status_list = StatusList()
    status_list.set_status(7, 2, status_size=2)  # bits 14, 15 = 1, 0
    assert [status_list.get(i) for i in (13, 14, 15, 16)] == [False, True, False, False]
    credential = _with_list(spec_list_credential, status_list)
    credential["credentialSubject"]["statusPurpose"] = "message"
    entry = {
        "type": "BitstringStatusListEntry",
        "statusPurpose": "message",
        "statusListIndex": "7",
        "statusSize": 2,
        "statusListCredential": LIST_URL,
        "statusMessage": MESSAGES,
    }
    # 131,072 bits hold only 65,536 two-bit entries: below the default floor.
    with pytest.raises(StatusListError, match="fewer than the minimum"):
        check_status_entry(entry, credential)
    result = check_status_entry(entry, credential, minimum_entries=MIN_ENTRIES // 2)
    assert (result.status, result.message, result.status_set) == (2, "rejected", True)
    with pytest.raises(StatusListError, match="statusMessage is required"):
        check_status_entry({**entry, "statusMessage": None}, credential, minimum_entries=1)
    with pytest.raises(StatusListError, match="array of 4 entries"):
        check_status_entry({**entry, "statusMessage": MESSAGES[:3]}, credential, minimum_entries=1)
    repeated = [*MESSAGES[:3], {"status": "0x1", "message": "again"}]
    with pytest.raises(StatusListError, match="repeated"):
        check_status_entry({**entry, "statusMessage": repeated}, credential, minimum_entries=1)


def test_set_status_refuses_values_that_do_not_fit() -> None:
    with pytest.raises(StatusListError, match="does not fit in 2 bit"):
        StatusList().set_status(0, 4, status_size=2)


def test_status_list_2021_is_read() -> None:
    status_list = StatusList()
    status_list.set(42, True)
    list_credential = {
        "@context": [
            "https://www.w3.org/2018/credentials/v1",
            "https://w3id.org/vc/status-list/2021/v1",
        ],
        "id": LIST_URL,
        "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": "did:example:12345",
        "issuanceDate": "2021-04-05T14:27:40Z",
        "credentialSubject": {
            "id": LIST_URL + "#list",
            "type": "StatusList2021",
            "statusPurpose": "revocation",
            "encodedList": status_list.encode(multibase=False),
        },
    }
    entry = {
        "id": LIST_URL + "#42",
        "type": "StatusList2021Entry",
        "statusPurpose": "revocation",
        "statusListIndex": "42",
        "statusListCredential": LIST_URL,
    }
    assert check_status_entry(entry, list_credential).status_set
    assert not check_status_entry(dict(entry, statusListIndex="43"), list_credential).status_set
    # A BitstringStatusListEntry cannot be checked against a StatusList2021Credential.
    with pytest.raises(StatusListError, match="not a BitstringStatusListCredential"):
        check_status_entry(dict(entry, type="BitstringStatusListEntry"), list_credential)


# --- building -------------------------------------------------------------------------------
def test_build_then_check_round_trip() -> None:
    status_list = StatusList()
    status_list.set(1234, True)
    credential = build_status_list_credential(
        id="https://issuer.example/status/suspension/1",
        issuer={"id": "did:example:issuer", "type": ["Profile"], "name": "Issuer"},
        status_purpose="suspension",
        status_list=status_list,
        valid_from="2025-01-01T00:00:00Z",
        valid_until="2025-02-01T00:00:00Z",
    )
    assert credential["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["validUntil"] == "2025-02-01T00:00:00Z"
    subject = credential["credentialSubject"]
    assert subject["id"] == "https://issuer.example/status/suspension/1#list"
    assert subject["encodedList"].startswith("u")
    for index, expected in ((1234, True), (1235, False)):
        entry = build_status_entry(
            list_credential_url=credential["id"], index=index, purpose="suspension"
        )
        assert entry["statusListIndex"] == str(index)
        assert check_status_entry(entry, credential).status_set is expected


def test_builders_refuse_bad_input() -> None:
    with pytest.raises(StatusListError, match="at least 131072 entries"):
        build_status_list_credential(
            id=LIST_URL,
            issuer="did:example:1",
            status_purpose="revocation",
            status_list=StatusList(1024),
            valid_from="2025-01-01T00:00:00Z",
        )
    with pytest.raises(StatusListError, match="purpose 'refresh'"):
        build_status_list_credential(
            id=LIST_URL,
            issuer="did:example:1",
            status_purpose="refresh",
            status_list=StatusList(),
            valid_from="2025-01-01T00:00:00Z",
        )
    with pytest.raises(StatusListError, match="non-negative integer"):
        build_status_entry(list_credential_url=LIST_URL, index=-1, purpose="revocation")
    with pytest.raises(StatusListError, match="unsupported status purpose"):
        build_status_entry(list_credential_url=LIST_URL, index=1, purpose="expiry")


def test_message_entries_are_built_and_read_back() -> None:
    status_list = StatusList(2 * MIN_ENTRIES)
    status_list.set_status(77, 2, status_size=2)
    credential = build_status_list_credential(
        id=LIST_URL, issuer="did:example:1", status_purpose="message", status_list=status_list,
        valid_from="2025-01-01T00:00:00Z", status_size=2)
    assert "statusSize" not in credential["credentialSubject"]  # the entry says it
    entry = build_status_entry(list_credential_url=LIST_URL, index=77, purpose="message",
                               status_size=2, status_message=MESSAGES,
                               status_reference=["https://example.com/why"])
    assert (entry["statusSize"], entry["statusMessage"], entry["statusReference"]) == (
        2, MESSAGES, ["https://example.com/why"])
    result = check_status_entry(entry, credential)
    assert (result.status, result.message, result.purpose) == (2, "rejected", "message")
    one_bit = build_status_entry(list_credential_url=LIST_URL, index=1, purpose="revocation")
    assert not {"statusSize", "statusMessage", "statusReference"} & set(one_bit)


def test_message_builders_refuse_what_a_verifier_would() -> None:
    with pytest.raises(StatusListError, match="at least 131072 entries") as error:
        build_status_list_credential(  # 131,072 bits are only 65,536 two-bit entries
            id=LIST_URL, issuer="did:example:1", status_purpose="message",
            status_list=StatusList(), valid_from="2025-01-01T00:00:00Z", status_size=2)
    assert error.value.code == STATUS_LIST_LENGTH_ERROR
    for changes, reason in (
            ({"status_message": None}, "statusMessage is required"),
            ({"status_message": MESSAGES[:2]}, "array of 4 entries"),
            ({"status_size": 0}, "greater than zero"),
            ({"status_reference": "no url"}, "statusReference must be a URL"),
            ({"status_reference": ["https://example.com", 7]}, "statusReference must be a URL")):
        arguments: dict[str, Any] = {"status_size": 2, "status_message": MESSAGES, **changes}
        with pytest.raises(StatusListError, match=reason):
            build_status_entry(list_credential_url=LIST_URL, index=1, purpose="message",
                               **arguments)


# --- 1EdTech Revocation List ----------------------------------------------------------------
@pytest.fixture
def ob3_credential(standards_dir: Path) -> dict[str, Any]:
    return json.loads((standards_dir / "examples" / "ob3-spec" / "fullOpenBadge.json").read_text())


def _revocation_list(url: str, *revoked: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": url,
        "issuer": "https://1edtech.edu/issuers/565049",
        "revokedCredentials": list(revoked),
    }


def test_revocation_list_reports_a_revoked_credential(ob3_credential: dict[str, Any]) -> None:
    entry = ob3_credential["credentialStatus"]
    assert entry["type"] == "1EdTechRevocationList"
    listed = _revocation_list(
        entry["id"],
        {"id": "urn:uuid:someone-else"},
        {"id": ob3_credential["id"], "revocationReason": "Issued in error"},
    )
    result = check_revocation_list(ob3_credential["id"], entry, listed)
    assert result == StatusCheck(
        purpose="revocation",
        index=None,
        status_set=True,
        message="revoked: Issued in error",
        status=1,
    )


def test_revocation_list_without_the_credential(ob3_credential: dict[str, Any]) -> None:
    entry = ob3_credential["credentialStatus"]
    for listed in (
        _revocation_list(entry["id"]),
        _revocation_list(entry["id"], {"id": "urn:uuid:someone-else"}),
        _revocation_list(entry["id"], {"id": ob3_credential["id"], "revoked": False}),
        {"id": entry["id"]},
    ):
        result = check_revocation_list(ob3_credential["id"], entry, listed)
        assert not result.status_set and result.message == "not revoked"


def test_revocation_list_explicitly_revoked_without_reason(ob3_credential: dict[str, Any]) -> None:
    entry = ob3_credential["credentialStatus"]
    listed = _revocation_list(entry["id"], {"id": ob3_credential["id"], "revoked": True})
    result = check_revocation_list(ob3_credential["id"], entry, listed)
    assert result.status_set and result.message == "revoked"


def test_revocation_list_refuses_malformed_input(ob3_credential: dict[str, Any]) -> None:
    entry = ob3_credential["credentialStatus"]
    credential_id = ob3_credential["id"]
    with pytest.raises(RevocationListError, match="must be '1EdTechRevocationList'"):
        check_revocation_list(credential_id, dict(entry, type="StatusList2021Entry"), {})
    with pytest.raises(RevocationListError, match="needs an id"):
        check_revocation_list(credential_id, {"type": "1EdTechRevocationList"}, {})
    with pytest.raises(RevocationListError, match="credential with an id"):
        check_revocation_list("", entry, _revocation_list(entry["id"]))
    with pytest.raises(RevocationListError, match="is not the credentialStatus id"):
        check_revocation_list(credential_id, entry, _revocation_list("https://elsewhere.example/"))
    with pytest.raises(RevocationListError, match="must be an array"):
        check_revocation_list(credential_id, entry, {"revokedCredentials": "all"})
    with pytest.raises(RevocationListError, match="must be an object"):
        check_revocation_list(credential_id, entry, {"revokedCredentials": [credential_id]})
    with pytest.raises(RevocationListError, match="true or false"):
        check_revocation_list(
            credential_id,
            entry,
            _revocation_list(entry["id"], {"id": credential_id, "revoked": "yes"}),
        )
    with pytest.raises(RevocationListError, match="not a JSON object"):
        check_revocation_list(credential_id, entry, [])  # type: ignore[arg-type]


def test_built_documents_expand_under_the_vc_2_context_alone() -> None:
    """Every term we write is defined by https://www.w3.org/ns/credentials/v2 (no dropped terms)."""
    from pyld import jsonld

    from standards.document_loader import DEFAULT_LOADER

    credential = build_status_list_credential(
        id=LIST_URL,
        issuer="did:example:12345",
        status_purpose="revocation",
        status_list=StatusList(),
        valid_from="2025-01-01T00:00:00Z",
    )
    credential["credentialStatus"] = build_status_entry(
        list_credential_url=LIST_URL, index=5, purpose="revocation"
    )
    [expanded] = jsonld.expand(credential, {"documentLoader": DEFAULT_LOADER})
    status = "https://www.w3.org/ns/credentials/status#"
    [subject] = expanded["https://www.w3.org/2018/credentials#credentialSubject"]
    assert subject["@type"] == [status + "BitstringStatusList"]
    assert set(subject) == {"@id", "@type", status + "statusPurpose", status + "encodedList"}
    [entry] = expanded["https://www.w3.org/2018/credentials#credentialStatus"]
    assert set(entry) == {
        "@id",
        "@type",
        status + "statusPurpose",
        status + "statusListIndex",
        status + "statusListCredential",
    }

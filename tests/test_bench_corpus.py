"""The benchmark corpus (bench/corpus.py) stays honest: distinct documents, the same ones again
from the same seed, every shape verifies, and a tampered copy of each is refused. Without
this a benchmark could silently measure failures, or one document over and over."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bench.corpus import (
    SHAPES,
    SUITES,
    CorpusRequest,
    corpus_elsewhere,
    seed_for,
    shape_of,
    structures,
    tampered,
)
from standards.data_integrity import verify_document_proofs
from standards.keys import KeyPair, public_key_from_multibase
from standards.verification import verify_credential

COUNT = len(SHAPES)  # one credential of each shape


@pytest.fixture(scope="module")
def corpora() -> dict[str, list[dict[str, Any]]]:
    """One child process builds everything: per suite one corpus, plus the first again
    (same seed) and another seed."""
    requests = [CorpusRequest(seed_for("test", s), COUNT, s) for s in SUITES]
    requests += [CorpusRequest(seed_for("test", SUITES[0]), COUNT, SUITES[0]),
                 CorpusRequest(seed_for("other"), COUNT, SUITES[0]),
                 CorpusRequest(seed_for("test", SUITES[0]), COUNT, SUITES[0], signed=False)]
    built = corpus_elsewhere(requests)
    named = dict(zip(SUITES, built, strict=False))
    named.update(again=built[3], other=built[4], unsigned=built[5])
    return named


def resolve(vm: str, _purpose: str) -> KeyPair:
    return public_key_from_multibase(vm.split("#", 1)[1])


def ids(documents: list[dict[str, Any]]) -> set[str]:
    return {d["id"] for d in documents}


def test_one_of_each_shape_all_distinct(corpora: dict[str, list[dict[str, Any]]]) -> None:
    documents = corpora[SUITES[0]]
    assert sorted(shape_of(d) for d in documents) == sorted(SHAPES)
    assert len(ids(documents)) == COUNT
    assert structures(documents) == COUNT
    assert ids(documents).isdisjoint(ids(corpora["other"]))
    assert ids(documents).isdisjoint(ids(corpora[SUITES[1]]))


def test_same_seed_same_documents_and_signatures(
        corpora: dict[str, list[dict[str, Any]]]) -> None:
    # Ed25519 signatures are deterministic and `created` follows validFrom: byte-identical.
    assert json.dumps(corpora["again"]) == json.dumps(corpora[SUITES[0]])
    unsigned = [{k: v for k, v in d.items() if k != "proof"} for d in corpora[SUITES[0]]]
    assert corpora["unsigned"] == unsigned


@pytest.mark.parametrize("suite", SUITES)
def test_every_shape_verifies_and_a_tampered_copy_is_refused(
        corpora: dict[str, list[dict[str, Any]]], suite: str) -> None:
    for document in corpora[suite]:
        [proof] = verify_document_proofs(document, resolve)
        assert proof.verified, (shape_of(document), proof.error)
        assert proof.cryptosuite == suite
        assert verify_credential(document).verified, shape_of(document)
        changed = tampered(document)
        [refused] = verify_document_proofs(changed, resolve)
        assert not refused.verified and "signature does not match" in str(refused.error)
        assert not verify_credential(changed).verified, shape_of(document)


def test_clr_members_are_signed_credentials(corpora: dict[str, list[dict[str, Any]]]) -> None:
    [clr] = [d for d in corpora[SUITES[0]] if shape_of(d) == "clr"]
    members = clr["credentialSubject"]["verifiableCredential"]
    assert len(members) >= 2
    for member in members:
        [proof] = verify_document_proofs(member, resolve)
        assert proof.verified, proof.error

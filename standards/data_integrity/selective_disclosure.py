"""The selective disclosure functions a verifier needs (W3C vc-di-ecdsa 3.4): canonical N-Quads
of a disclosed document with its blank nodes relabelled as the issuer labelled them, and the
split of those N-Quads into the mandatory and the selectively disclosed ones.

A holder discloses part of a credential; the verifier canonicalises that part, which gives its
blank nodes labels c14n0, c14n1, ... of its own. The derived proof's label map says which label
each of them had when the issuer signed (an HMAC of the issuer's canonical label), so that the
N-Quads the verifier rebuilds are byte for byte the ones the issuer signed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from standards import rdfc
from standards.errors import ProofError
from standards.jsonld import JsonLdEngine


def label_map_function(label_map: Mapping[str, str]) -> Callable[[dict[str, str]], dict[str, str]]:
    """3.4.3 createLabelMapFunction: input blank node -> the label `label_map` gives its
    canonical label. A canonical label the map lacks cannot be the document the issuer signed
    (the holder's derivation labels every blank node it discloses), so it is refused."""

    def relabel(canonical_id_map: dict[str, str]) -> dict[str, str]:
        missing = sorted({c for c in canonical_id_map.values() if c not in label_map},
                         key=_label_order)
        if missing:
            raise ProofError(
                "the derived proof's label map has no label for the disclosed document's "
                f"blank node(s) {', '.join('_:' + m for m in missing)}: the document has "
                "blank nodes the holder did not disclose (changed after derivation?)"
            )
        return {node: label_map[canonical] for node, canonical in canonical_id_map.items()}

    return relabel


def label_replacement_canonicalize(document: dict[str, Any], engine: JsonLdEngine,
                                   label_map: Mapping[str, str]) -> list[str]:
    """3.4.2 labelReplacementCanonicalizeJsonLd with a 3.4.3 label map function: the sorted
    canonical N-Quads of `document` (expanded in safe mode), blank nodes relabelled."""
    dataset = engine.to_dataset(document)
    return rdfc.canonicalize_dataset_relabelled(dataset, label_map_function(label_map))


def split_mandatory(nquads: Sequence[str], mandatory_indexes: Sequence[int]
                    ) -> tuple[list[str], list[str]]:
    """3.5.9 createVerifyData, the split: the N-Quads at `mandatory_indexes` (which the base
    signature covers as one hash) and the others, in order (each signed on its own). As in the
    Recommendation, an index past the end selects nothing; the base signature then decides."""
    wanted = set(mandatory_indexes)
    mandatory = [nq for i, nq in enumerate(nquads) if i in wanted]
    non_mandatory = [nq for i, nq in enumerate(nquads) if i not in wanted]
    return mandatory, non_mandatory


def hash_mandatory(mandatory: Sequence[str], digest: Callable[[bytes], Any]) -> bytes:
    """3.4.17 hashMandatoryNQuads: the hash of the joined mandatory N-Quads (UTF-8)."""
    return bytes(digest("".join(mandatory).encode("utf-8")).digest())


def _label_order(label: str) -> tuple[int, str]:
    """c14n2 before c14n10."""
    number = label[4:]
    return (int(number), label) if label.startswith("c14n") and number.isdigit() else (-1, label)

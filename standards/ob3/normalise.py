"""Normalising received credentials before JSON Schema validation.

The OB 3.0 JSON Schemas require every collection to be a JSON array, but JSON-LD (and
VCDM) let a one-item set be written as a single value. The OB working group agreed to accept
such compacted forms (openbadges-specification#469, #470, #471, #473; see PR #494), yet the
published schemas still reject them. Issuers in the wild, and the 1EdTech implementation
guide's own CLR vector, write a single `proof` object or `"type": "Profile"`.

`normalise_received_credential` therefore returns a copy in which, at every depth:
- a single `proof` object becomes a one-item array (issue #473);
- a single `credentialSchema` object becomes a one-item array;
- a single-string `type` becomes a one-item array when it names a class whose `type` the
  schema defines as an array (Profile, Achievement, AchievementSubject, ...). Classes whose
  schema `type` is a plain string (Image, IdentityObject, IdentifierEntry, GeoCoordinates,
  proofs, statuses) are left alone.
All three are JSON-LD array compaction: the RDF graph, and so any Data Integrity
signature, is the same either way. The copy is for validation; keep the original for proofs.

`vcdm11_as_v2_view` handles VCDM 1.1-era OB 3.0 credentials (`issuanceDate`,
`https://www.w3.org/2018/credentials/v1` first). The OB 3.0 schemas reject them outright
(`@context[0]` must be the VC 2.0 URL and `validFrom` is required), so for a received 1.1
credential we validate a view that maps the 1.1 names onto the 2.0 ones and report errors
under the original names.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from functools import cache
from typing import Any

from standards.ob3.common import VC_V1_CONTEXT, VC_V2_CONTEXT

# CLR 2.0 has no bundled schema; its subject class is a type set like the OB classes.
_CLR_ARRAY_TYPED_CLASSES = frozenset({"ClrCredential", "ClrSubject"})

# VCDM 1.1 property -> VCDM 2.0 property.
VCDM11_RENAMES = {"issuanceDate": "validFrom", "expirationDate": "validUntil"}


def normalise_received_credential(document: Mapping[str, Any]) -> dict[str, Any]:
    """A deep copy with compacted single values expanded to arrays (see module docstring)."""
    normalised: dict[str, Any] = _normalised(dict(document), array_typed_classes(), [])
    return normalised


def received_view(document: Mapping[str, Any]) -> tuple[dict[str, Any], set[tuple[Any, ...]]]:
    """What a received credential is validated as: normalised, and every VCDM 1.1 credential
    in it relabelled as 2.0 (`vcdm11_as_v2_view`), in one copy; with the relabelled paths.
    The relabelling walk is skipped when the copying walk saw no VCDM 1.1 credential."""
    vcdm11_seen: list[bool] = []
    view: dict[str, Any] = _normalised(dict(document), array_typed_classes(), vcdm11_seen)
    return view, relabel_vcdm11_in_place(view) if vcdm11_seen else set()


def _normalised(node: Any, array_typed: frozenset[str], vcdm11_seen: list[bool]) -> Any:
    """A copy of `node` (its lists and objects; other values are shared, as nothing changes
    them) with the compacted forms expanded: one walk, no deepcopy memo. Appends to
    `vcdm11_seen` for each VCDM 1.1 credential met."""
    if isinstance(node, list):
        return [_normalised(item, array_typed, vcdm11_seen) for item in node]
    if not isinstance(node, dict):
        return node
    copied = {key: _normalised(value, array_typed, vcdm11_seen) for key, value in node.items()}
    if "@context" in copied and is_vcdm11(copied):
        vcdm11_seen.append(True)
    for key in ("proof", "credentialSchema"):
        if isinstance(copied.get(key), dict):
            copied[key] = [copied[key]]
    node_type = copied.get("type")
    if isinstance(node_type, str) and node_type in array_typed:
        copied["type"] = [node_type]
    return copied


@cache
def array_typed_classes() -> frozenset[str]:
    """Class names whose `type` the bundled OB schemas define as an array of strings."""
    from standards.ob3.schema import ACHIEVEMENT_CREDENTIAL_SCHEMA, registry

    schema = registry().contents(ACHIEVEMENT_CREDENTIAL_SCHEMA)
    names = set(_CLR_ARRAY_TYPED_CLASSES)
    for definition in schema["$defs"].values():
        type_schema = definition.get("properties", {}).get("type", {})
        if type_schema.get("type") == "array":
            names.update(type_schema.get("contains", {}).get("enum", []))
    return frozenset(names)


def is_vcdm11(document: Mapping[str, Any]) -> bool:
    context = document.get("@context")
    first = context[0] if isinstance(context, list) and context else context
    return first == VC_V1_CONTEXT


def vcdm11_as_v2_view(document: dict[str, Any]) -> tuple[dict[str, Any], set[tuple[Any, ...]]]:
    """A copy where every VCDM 1.1 credential (at any depth) is relabelled as VCDM 2.0.

    Returns the view and the JSON paths (as tuples) of the credentials that were relabelled,
    so errors can be reported under their original names. Only for schema validation.
    """
    view = copy.deepcopy(document)
    return view, relabel_vcdm11_in_place(view)


def relabel_vcdm11_in_place(document: dict[str, Any]) -> set[tuple[Any, ...]]:
    """`vcdm11_as_v2_view` on a copy the caller owns (no second copy); the relabelled paths."""
    relabelled: set[tuple[Any, ...]] = set()
    _relabel(document, (), relabelled)
    return relabelled


def _relabel(node: Any, path: tuple[Any, ...], relabelled: set[tuple[Any, ...]]) -> None:
    if isinstance(node, list):
        for index, item in enumerate(node):
            _relabel(item, (*path, index), relabelled)
        return
    if not isinstance(node, dict):
        return
    if is_vcdm11(node):
        context = node["@context"]
        node["@context"] = (
            [VC_V2_CONTEXT, *context[1:]] if isinstance(context, list) else [VC_V2_CONTEXT]
        )
        for old, new in VCDM11_RENAMES.items():
            if old in node and new not in node:
                node[new] = node.pop(old)
        relabelled.add(path)
    for key, value in node.items():
        _relabel(value, (*path, key), relabelled)

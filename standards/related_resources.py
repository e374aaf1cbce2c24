"""relatedResource digests (VCDM 2.0 section 5.3): each listed resource whose bytes are
available is hashed and compared with its `digestSRI` and/or `digestMultibase`.

A resource is available when it is a bundled JSON-LD context (the bytes of the bundle file)
or when the caller's fetcher may fetch it (its policy decides; an offline fetcher serves only
the documents it was given, never the network). A digest that does not match is an error
naming the resource; a resource that cannot be had, or a digest in an algorithm we do not
know, is only a warning: nothing is shown to be wrong then.

`digestMultibase` is a multibase-encoded multihash (sha2-256, sha2-384, sha2-512). The W3C
VCDM 2.0 test suite also writes a bare multibase-encoded digest; one of 32, 48 or 64 bytes is
read as sha2-256, -384 or -512.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from standards.document_loader import bundled_context_bytes
from standards.errors import StandardsError
from standards.fetcher import Fetcher
from standards.multibase_codec import MultibaseError, decode_multibase
from standards.ob3.evidence import matches_digest_sri

# multihash code -> (hashlib name, digest length)
MULTIHASH_ALGORITHMS = {0x12: ("sha256", 32), 0x20: ("sha384", 48), 0x13: ("sha512", 64)}
BARE_DIGEST_ALGORITHMS = {32: "sha256", 48: "sha384", 64: "sha512"}
# A credential may list many resources; each fetch costs time, so only this many are fetched.
MAX_FETCHED_RESOURCES = 8


@dataclass
class RelatedResourceFindings:
    checked: list[str] = field(default_factory=list)  # ids whose every digest matched
    mismatches: list[str] = field(default_factory=list)  # errors naming the resource
    warnings: list[str] = field(default_factory=list)


def check_related_resources(credential: dict[str, Any],
                            fetcher: Fetcher | None = None) -> RelatedResourceFindings:
    """Compare each relatedResource's digests with the resource's bytes where they can be
    had: from the bundle, or through `fetcher` (none: the bundle only)."""
    findings = RelatedResourceFindings()
    resources = credential.get("relatedResource")
    fetches = [0]

    def content_of(url: str) -> bytes | str:
        """The resource's bytes, or why they are not available."""
        bundled = bundled_context_bytes(url)
        if bundled is not None:
            return bundled
        if fetcher is None:
            return "not available here"
        if fetches[0] >= MAX_FETCHED_RESOURCES:
            return f"not fetched (more than {MAX_FETCHED_RESOURCES} resources to fetch)"
        fetches[0] += 1
        try:
            return fetcher.fetch_bytes(url).content
        except StandardsError as exc:
            return f"not available ({exc})"

    for resource in resources if isinstance(resources, list) else [resources]:
        if isinstance(resource, dict) and isinstance(resource.get("id"), str):
            _check_one(resource, content_of, findings)
    return findings


def _check_one(resource: dict[str, Any], content_of: Callable[[str], bytes | str],
               findings: RelatedResourceFindings) -> None:
    url = resource["id"]
    sri, multibase = resource.get("digestSRI"), resource.get("digestMultibase")
    if sri is None and multibase is None:
        return  # a structural problem (standards.vcdm_structure), not a digest to compare
    content = content_of(url)
    if isinstance(content, str):
        findings.warnings.append(f"relatedResource {url}: {content}, its digest was not "
                                 "checked")
        return
    wrong: list[str] = []
    if sri is not None:
        if not isinstance(sri, str):
            wrong.append("digestSRI is not a string")
        elif not matches_digest_sri(content, sri):
            wrong.append(f"digestSRI {sri[:24]}… does not match")
    if multibase is not None:
        verdict = matches_digest_multibase(content, multibase)
        if verdict is None:
            findings.warnings.append(f"relatedResource {url}: digestMultibase in an "
                                     "unknown hash algorithm, not checked")
        elif not verdict:
            wrong.append(f"digestMultibase {str(multibase)[:24]}… does not match")
    if wrong:
        findings.mismatches.append(f"relatedResource {url}: {'; '.join(wrong)} the "
                                   "resource's content")
    else:
        findings.checked.append(url)


def matches_digest_multibase(content: bytes, value: Any) -> bool | None:
    """Whether `content` matches a digestMultibase value: True or False, or None when the
    value names a hash algorithm we do not know. A malformed value does not match."""
    if not isinstance(value, str):
        return False
    try:
        decoded = decode_multibase(value)
    except MultibaseError:
        return False
    algorithm, digest = _multihash(decoded)
    if algorithm is None:
        algorithm, digest = BARE_DIGEST_ALGORITHMS.get(len(decoded)), decoded
    if algorithm is None:
        return None
    return hmac.compare_digest(hashlib.new(algorithm, content).digest(), digest)


def _multihash(decoded: bytes) -> tuple[str | None, bytes]:
    """(hashlib name, digest) of a multihash with a one-byte code and length, else None."""
    if len(decoded) < 2 or decoded[0] not in MULTIHASH_ALGORITHMS:
        return None, decoded
    algorithm, length = MULTIHASH_ALGORITHMS[decoded[0]]
    if decoded[1] != length or len(decoded) != length + 2:
        return None, decoded
    return algorithm, decoded[2:]

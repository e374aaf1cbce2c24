"""Evidence a credential points to: fetched through the verifier's fetcher (its policy, size
limit and cache) and compared with the `digestSRI` the issuer signed, when there is one."""

from __future__ import annotations

import hashlib
from typing import Any

from standards.errors import StandardsError
from standards.ob3 import matches_digest_sri
from verifier.services.context import VerifierContext


def check_evidence(ctx: VerifierContext, document: dict[str, Any]) -> list[dict[str, Any]]:
    """One outcome per evidence item of `document`:
    {"id", "name", "fetched", "mediaType", "size", "sha256", "digest", "message"} where
    digest is "matches", "differs", "not-signed" (no digestSRI) or "not-checked"."""
    items = document.get("evidence")
    outcomes = []
    for item in items if isinstance(items, list) else [items] if items else []:
        if isinstance(item, dict):
            outcomes.append(_check_item(ctx, item))
    return outcomes


def _check_item(ctx: VerifierContext, item: dict[str, Any]) -> dict[str, Any]:
    url, expected = item.get("id"), item.get("digestSRI")
    outcome: dict[str, Any] = {"id": url, "name": item.get("name"), "fetched": False,
                               "digest": "not-checked"}
    if not isinstance(url, str) or not url.startswith(("https://", "http://")):
        outcome["message"] = "no web address to fetch the evidence from"
        return outcome
    try:
        response = ctx.fetcher.fetch_bytes(url)
    except StandardsError as error:
        outcome["message"] = f"evidence not fetched: {error}"
        return outcome
    content = response.content
    outcome.update(fetched=True, size=len(content),
                   mediaType=response.headers.get("content-type", "").split(";")[0] or None,
                   sha256=hashlib.sha256(content).hexdigest())
    if not isinstance(expected, str):
        outcome.update(digest="not-signed",
                       message="fetched; the credential signs no digest for it")
    elif matches_digest_sri(content, expected):
        outcome.update(digest="matches", message="fetched; its digest matches the credential")
    else:
        outcome.update(digest="differs", message="fetched, but it is not the file the "
                       "credential describes: its digest differs")
    return outcome

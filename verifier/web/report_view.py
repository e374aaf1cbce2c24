"""A verification report in plain words, for the `_report.html` partial.

The report (verifier.services.verification) speaks to programs: check names and technical
messages. These helpers give the page its headline ("Geldig — uitgegeven door OBS De Linde
(bekende organisatie, BRIN 12AB)"), a plain explanation of every failed check and the
evidence ready to show. They read the report and never change it.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from standards.verification import UNDETERMINED_PREFIXES
from verifier.web.i18n import Translator

Node = dict[str, Any]

# Checks that fail only because a status list could not be fetched or trusted: the
# credential may well be fine, but that cannot be confirmed now.
STATUS_UNKNOWN = "status unknown"
# Presentation checks are named after the credential's position: credential[0],
# credential[0].holder-binding.
_PRESENTED = re.compile(r"^credential\[(\d+)\](\.holder-binding)?$")
# Why an authentic endorsement may not count (standards.endorsement_scope).
SCOPE_REASONS = {"other_subject", "no_creator", "not_issuer", "other_publisher",
                 "content_differs", "unconfirmed"}
KNOWN_CHECKS = {"format", "json-ld", "proof", "issuer", "validity", "status", "schema",
                "refresh-service", "related-resource", "clr", "clr-credential", "endorsement",
                "holder", "challenge", "evidence", "query"}


def verdict(node: Node) -> str:
    """"valid", "unknown" (only what cannot be checked now failed: a status list or a signing
    key that could not be fetched), "invalid", or for an authentic endorsement that does not
    vouch for the credential carrying it, "not_counted"."""
    if not_counted(node):
        return "not_counted"
    if node.get("verified"):
        return "valid"
    failed = [c for c in node.get("checks", []) if not c.get("ok")]
    if failed and all(str(c.get("message", "")).startswith(UNDETERMINED_PREFIXES)
                      for c in failed):
        return "unknown"
    return "invalid"


def headline(node: Node, t: Translator) -> str:
    """One sentence: the verdict and who stands behind it."""
    word = t(f"verdict.{verdict(node)}")
    if node.get("kind") == "presentation":
        holder = node.get("summary", {}).get("holder")
        return t("headline.presented", verdict=word, holder=holder) if holder else word
    issuer = issuer_name(node)
    if not issuer:
        return word
    endorsing = "EndorsementCredential" in node.get("summary", {}).get("types", [])
    key = "headline.endorsed" if endorsing else "headline.issued"
    if not_counted(node):
        key = "headline.not_counted"
    return t(key, verdict=word, issuer=issuer, trust=trust_short(node, t))


def not_counted(node: Node) -> bool:
    """An endorsement that is authentic but endorses something else than the credential
    carrying it, or its issuer (e.g. an achievement copied with its endorsement)."""
    scope = node.get("scope")
    return isinstance(scope, dict) and scope.get("applies") is False


def scope_explanation(node: Node, t: Translator) -> str:
    """Why an endorsement does not count, in plain words: what it covers, and why."""
    scope = node.get("scope") or {}
    reason = str(scope.get("reason"))
    known = reason in SCOPE_REASONS
    return t("scope.intro", endorses=scope.get("endorses") or "?") + " " + \
        t(f"scope.{reason if known else 'other_subject'}")


def issuer_name(node: Node) -> str | None:
    """The name the trust registry gives the issuer, else the name it gives itself, else its
    identifier."""
    entry = (node.get("trust") or {}).get("entry") or {}
    issuer = node.get("summary", {}).get("issuer", {})
    if (node.get("trust") or {}).get("status") == "trusted" and entry.get("name"):
        return str(entry["name"])
    return issuer.get("name") or issuer.get("id")


def registry_identifiers(node: Node) -> str:
    """"BRIN 12AB, KvK 1234" from the issuer's trust registry entry."""
    entry = (node.get("trust") or {}).get("entry") or {}
    return ", ".join(f"{i['type']} {i['value']}" for i in entry.get("registryIdentifiers", []))


def trust_short(node: Node, t: Translator) -> str:
    status = (node.get("trust") or {}).get("status", "unknown")
    if status == "trusted":
        identifiers = registry_identifiers(node)
        return t("trust.short_trusted") + (f", {identifiers}" if identifiers else "")
    return t(f"trust.short_{'outside' if status == 'outside-valid-period' else 'unknown'}")


def check_rows(node: Node, t: Translator) -> list[dict[str, Any]]:
    """Every check: its name in plain words, for a failed one why it matters, and the
    verifier's own message as the detail."""
    rows = []
    for check in node.get("checks", []):
        name, message = str(check.get("check")), str(check.get("message", ""))
        rows.append({"ok": bool(check.get("ok")), "label": check_label(name, t),
                     "why": None if check.get("ok") else t(f"why.{failure_key(name, message)}"),
                     "message": message})
    return rows


def check_label(name: str, t: Translator) -> str:
    presented = _PRESENTED.match(name)
    if presented:
        number = int(presented.group(1)) + 1
        key = "check.holder_binding" if presented.group(2) else "check.credential"
        return t(key, n=number)
    return t(f"check.{name}") if name in KNOWN_CHECKS else name


def failure_key(name: str, message: str) -> str:
    """The catalogue key (after "why.") explaining a failed check."""
    if name == "validity":
        if message.startswith("expired"):
            return "expired"
        return "not_yet" if message.startswith("not valid before") else "validity"
    if name == "status":
        if message.startswith(STATUS_UNKNOWN):
            return "status_unknown"
        return "suspended" if message.startswith("suspended") else "revoked"
    presented = _PRESENTED.match(name)
    if presented:
        return "holder_binding" if presented.group(2) else "credential"
    return name if name in KNOWN_CHECKS else "other"


def evidence_items(node: Node) -> list[dict[str, Any]]:
    """The evidence the credential describes, each with what the verifier found when it
    fetched it: {"id", "name", "description", "narrative", "digest", "message", "mediaType",
    "link" (a web address to open), "image" (show it inline)}."""
    outcomes = {o.get("id"): o for o in node.get("evidence", []) if isinstance(o, dict)}
    items = []
    for described in node.get("summary", {}).get("evidence", []):
        url = described.get("id")
        outcome = outcomes.get(url, {})
        media_type = outcome.get("mediaType") or described.get("mediaType") or ""
        link = is_web_link(url)
        items.append({
            **described, "link": link, "mediaType": media_type,
            "digest": outcome.get("digest", "not-checked"), "message": outcome.get("message"),
            # A file that differs from the signed description is not shown as if it were it.
            "image": link and bool(outcome.get("fetched")) and media_type.startswith("image/")
            and outcome.get("digest") != "differs",
        })
    return items


def is_web_link(value: Any) -> bool:
    """Only http(s) addresses from a credential become links or images on the page: never
    `javascript:` or `data:` that a credential's author chose."""
    return isinstance(value, str) and value.lower().startswith(("https://", "http://"))


def readable_date(value: str | None, t: Translator) -> str:
    """"1 maart 2025" / "1 March 2025"; the value itself when it is not a date."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return t("date.format", day=moment.day, month=t(f"month.{moment.month}"), year=moment.year)


def readable_moment(value: str | None, t: Translator) -> str:
    """"1 maart 2025, 14:05 UTC": when the verifier checked."""
    try:
        moment = datetime.fromisoformat(value or "")
    except ValueError:
        return value or ""
    return t("date.moment", date=readable_date(value, t), time=moment.strftime("%H:%M"))

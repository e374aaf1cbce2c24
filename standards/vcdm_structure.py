"""The VCDM 2.0 and 1.1 structure of a credential: every problem found, each with its place.

What the data model requires of a credential's JSON shape, before any JSON-LD processing or
proof: the base `@context` first and the rest URLs or objects (§4.3), ids that are single URLs
(§4.4), `type` on the credential and on every credentialStatus, termsOfUse, evidence,
refreshService and credentialSchema object (§4.5), `name`/`description` as strings or
language value objects (§4.6), `issuer` a URL or an object with a URL id (§4.7), a
non-empty `credentialSubject` (§4.8), `validFrom`/`validUntil` as dateTimeStamps in order
(§4.9; `issuanceDate`/`expirationDate` in 1.1), credentialSchema ids (§4.11) and
relatedResource objects with a unique id and a digest (§5.3).

`credential_structure_problems` lists them all, so a caller can answer with every fix at
once; an empty list means the structure is sound. Undefined terms are not this module's
concern: JSON-LD expansion (standards.jsonld) finds those.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

VCDM2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VCDM11_CONTEXT = "https://www.w3.org/2018/credentials/v1"
BASE_CONTEXTS = {VCDM2_CONTEXT: "2.0", VCDM11_CONTEXT: "1.1"}

# A URL as the data model uses it (RFC 3986 absolute URI): a scheme, a colon, then no
# white space. "https ://x" and "fake-issuer" are not URLs.
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S+")
# XML Schema dateTimeStamp: a dateTime that must carry its time zone (VCDM 2.0 §4.9).
_DATE_TIME_STAMP = re.compile(
    r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
# XML Schema dateTime (VCDM 1.1 §4.6, §4.7): the time zone is optional.
_DATE_TIME = re.compile(r"-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?")
_LANGUAGE_VALUE_KEYS = {"@value", "@language", "@direction"}
# Members whose objects must each say their type (VCDM 2.0 §4.5, §4.10, §4.11, §5.4–5.6),
# and the reserved extension points of §5.10 that carry objects.
TYPED_MEMBERS = ("credentialStatus", "termsOfUse", "evidence", "refreshService",
                 "credentialSchema", "confidenceMethod", "renderMethod")


def is_url(value: Any) -> bool:
    return isinstance(value, str) and _URL.fullmatch(value) is not None


def vcdm_version(credential: Any) -> str | None:
    """"2.0" or "1.1" from the first @context item; None when it names neither."""
    if not isinstance(credential, dict):
        return None
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    return BASE_CONTEXTS.get(first) if isinstance(first, str) else None


def credential_structure_problems(credential: Any) -> list[str]:
    """Every way `credential` breaks the VCDM 2.0 (or 1.1) structure, as "where: what"."""
    if not isinstance(credential, dict):
        return ["the credential must be a JSON object"]
    version = vcdm_version(credential)
    problems = list(_context_problems(credential.get("@context")))
    problems += _id_problems(credential, "id", "credential")
    problems += _type_problems(credential.get("type"), "type", required="VerifiableCredential")
    problems += _language_problems(credential, "")
    problems += _issuer_problems(credential)
    problems += _subject_problems(credential)
    problems += _validity_problems(credential, version)
    for member in TYPED_MEMBERS:
        problems += _typed_object_problems(credential, member)
    problems += _schema_id_problems(credential)
    problems += _related_resource_problems(credential)
    return problems


def presentation_structure_problems(presentation: dict[str, Any]) -> list[str]:
    """What a presentation breaks of VCDM 2.0 §4.13 beyond its type and holder (which the
    verifier's `format` and `holder` checks say): its @context, its id, and (VCDM 2.0) that
    every member of verifiableCredential is an object, a credential or an
    EnvelopedVerifiableCredential, never a bare string or number. VCDM 1.1 presentations
    may carry compact JWT credentials as strings."""
    problems = list(_context_problems(presentation.get("@context")))
    problems += _id_problems(presentation, "id", "presentation")
    if vcdm_version(presentation) == "2.0" and "verifiableCredential" in presentation:
        for where, item in _objects(presentation, "verifiableCredential"):
            if not isinstance(item, dict):
                problems.append(f"{where}: must be a credential object or an "
                                "EnvelopedVerifiableCredential, not a bare value")
    return problems


def _context_problems(contexts: Any) -> Iterator[str]:
    if contexts is None:
        yield "@context: required; its first item must be " + VCDM2_CONTEXT
        return
    items = contexts if isinstance(contexts, list) else [contexts]
    if not items or not _is_base_context(items[0]):
        yield f"@context: the first item must be {VCDM2_CONTEXT} (or {VCDM11_CONTEXT})"
    for position, item in enumerate(items[1:], start=1):
        if _is_base_context(item):
            yield f"@context[{position}]: the base context {item} must come first, once"
        elif not (is_url(item) or isinstance(item, dict)):
            yield f"@context[{position}]: must be a URL or a context object, not {item!r:.60}"


def _is_base_context(item: Any) -> bool:
    return isinstance(item, str) and item in BASE_CONTEXTS


def _id_problems(node: dict[str, Any], member: str, where: str) -> Iterator[str]:
    if member in node and not is_url(node[member]):
        yield f"{where}.{member}: must be a single URL, not {node[member]!r:.60}"


def _type_problems(types: Any, where: str, *, required: str | None = None) -> Iterator[str]:
    names = [types] if isinstance(types, str) else types
    if not isinstance(names, list) or not names or \
            not all(isinstance(name, str) and name for name in names):
        yield f"{where}: required, a type name or a list of type names"
    elif required and required not in names:
        yield f"{where}: must include {required}"


def _language_problems(node: dict[str, Any], where: str) -> Iterator[str]:
    """name and description: a string, a language value object or a list of them (§4.6)."""
    for member in ("name", "description"):
        if member not in node:
            continue
        value = node[member]
        values = value if isinstance(value, list) else [value]
        if not values or not all(_is_language_string(item) for item in values):
            yield (f"{where}{member}: must be a string or language value objects "
                   '({"@value": ..., "@language": ..., "@direction": ...})')


def _is_language_string(value: Any) -> bool:
    if isinstance(value, str):
        return True
    return (isinstance(value, dict) and isinstance(value.get("@value"), str)
            and set(value) <= _LANGUAGE_VALUE_KEYS
            and all(isinstance(value[key], str) for key in value))


def _issuer_problems(credential: dict[str, Any]) -> Iterator[str]:
    if "issuer" not in credential:
        yield "issuer: required, a URL or an object with a URL id"
        return
    issuer = credential["issuer"]
    if isinstance(issuer, dict):
        if not is_url(issuer.get("id")):
            yield f"issuer.id: must be a URL, not {issuer.get('id')!r:.60}"
        yield from _language_problems(issuer, "issuer.")
    elif not is_url(issuer):
        yield f"issuer: must be a URL or an object with a URL id, not {issuer!r:.60}"


def _subject_problems(credential: dict[str, Any]) -> Iterator[str]:
    subjects = credential.get("credentialSubject")
    if subjects is None:
        yield "credentialSubject: required, one or more objects with claims"
        return
    items = subjects if isinstance(subjects, list) else [subjects]
    if not items:
        yield "credentialSubject: must name at least one subject"
    for position, subject in enumerate(items):
        where = f"credentialSubject[{position}]" if isinstance(subjects, list) \
            else "credentialSubject"
        if not isinstance(subject, dict) or not subject:
            yield f"{where}: must be an object with at least one claim"
        else:
            yield from _id_problems(subject, "id", where)


def _validity_problems(credential: dict[str, Any], version: str | None) -> Iterator[str]:
    if version == "1.1":
        pattern, names = _DATE_TIME, ("issuanceDate", "expirationDate")
    else:
        pattern, names = _DATE_TIME_STAMP, ("validFrom", "validUntil")
    moments: list[datetime] = []
    for name in names:
        if name not in credential:
            continue
        value = credential[name]
        moment = _moment(value) if isinstance(value, str) and pattern.fullmatch(value) \
            else None
        if moment is None:
            kind = "an XML Schema dateTime" if version == "1.1" else \
                "a dateTimeStamp (an RFC 3339 date-time with a time zone)"
            yield f"{name}: must be {kind}, not {value!r:.60}"
        else:
            moments.append(moment)
    if len(moments) == 2 and moments[1] < moments[0]:
        yield f"{names[1]}: must not be before {names[0]}"


def _moment(value: str) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)  # 1.1 without a zone


def _objects(credential: dict[str, Any], member: str) -> list[tuple[str, Any]]:
    value = credential[member]
    if isinstance(value, list):
        return [(f"{member}[{position}]", item) for position, item in enumerate(value)]
    return [(member, value)]


def _typed_object_problems(credential: dict[str, Any], member: str) -> Iterator[str]:
    if member not in credential:
        return
    items = _objects(credential, member)
    if not items:
        yield f"{member}: must hold at least one object"
    for where, item in items:
        if not isinstance(item, dict):
            yield f"{where}: must be an object with a type"
            continue
        yield from _type_problems(item.get("type"), f"{where}.type")
        yield from _id_problems(item, "id", where)


def _schema_id_problems(credential: dict[str, Any]) -> Iterator[str]:
    if "credentialSchema" not in credential:
        return
    for where, schema in _objects(credential, "credentialSchema"):
        if isinstance(schema, dict) and "id" not in schema:
            yield f"{where}.id: required, the URL of the schema"


def _related_resource_problems(credential: dict[str, Any]) -> Iterator[str]:
    if "relatedResource" not in credential:
        return
    seen: set[str] = set()
    for where, resource in _objects(credential, "relatedResource"):
        if not isinstance(resource, dict):
            yield f"{where}: must be an object with an id and a digest"
            continue
        if "id" not in resource:
            yield f"{where}.id: required, the URL of the resource"
        else:
            yield from _id_problems(resource, "id", where)
            if resource["id"] in seen:
                yield f"{where}.id: {resource['id']!r:.60} is listed twice"
            seen.add(str(resource["id"]))
        if not ({"digestSRI", "digestMultibase"} & set(resource)):
            yield f"{where}: needs digestSRI or digestMultibase"
